/**
 * A tiny zip writer for hostile archives (tests only): entries as given — deflated or stored, with
 * sizes, CRCs, flags and methods that may lie — and, for overlap bombs, several directory entries
 * pointing at one local entry. Written by hand because a well-behaved library refuses to write
 * these.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  name: string;
  /** The bytes as stored in the archive (already compressed for method 8). */
  stored: Uint8Array;
  method: number;
  crc: number;
  /** Inflated size as declared. */
  size: number;
  flags?: number;
}

/** An honest entry: `data` deflated (or stored with `store`). */
export function entry(name: string, data: Uint8Array | string, store = false): RawEntry {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { name, stored: store ? bytes : deflateRawSync(bytes, { level: 9 }), method: store ? 0 : 8, crc: crc32(bytes), size: bytes.length };
}

/** The same deflated blob under another name (cheap big archives: deflate once, list many times). */
export const renamed = (e: RawEntry, name: string): RawEntry => ({ ...e, name });

export interface WriteOptions {
  /** Directory entries that all point at the first local entry (an overlap bomb), with these names. */
  overlapNames?: string[];
  /** Bytes put between the local entries and the central directory, unlisted. */
  hidden?: Uint8Array;
}

export function writeZip(entries: RawEntry[], opts: WriteOptions = {}): Uint8Array {
  const enc = new TextEncoder();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const central = (e: RawEntry, at: number) => {
    const name = enc.encode(e.name);
    const c = Buffer.alloc(46 + name.length);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE((e.flags ?? 0) | 0x800, 8);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt32LE(e.crc >>> 0, 16);
    c.writeUInt32LE(e.stored.length, 20);
    c.writeUInt32LE(e.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(at, 42);
    c.set(name, 46);
    return c;
  };
  for (const e of entries) {
    const name = enc.encode(e.name);
    const l = Buffer.alloc(30 + name.length);
    l.writeUInt32LE(0x04034b50, 0);
    l.writeUInt16LE(20, 4);
    l.writeUInt16LE((e.flags ?? 0) | 0x800, 6);
    l.writeUInt16LE(e.method, 8);
    l.writeUInt32LE(e.crc >>> 0, 14);
    l.writeUInt32LE(e.stored.length, 18);
    l.writeUInt32LE(e.size, 22);
    l.writeUInt16LE(name.length, 26);
    l.set(name, 30);
    locals.push(l, Buffer.from(e.stored));
    centrals.push(central(e, offset));
    offset += l.length + e.stored.length;
  }
  for (const n of opts.overlapNames ?? []) centrals.push(central({ ...entries[0], name: n }, 0));
  if (opts.hidden) {
    locals.push(Buffer.from(opts.hidden));
    offset += opts.hidden.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const n = Math.min(centrals.length, 0xffff);
  end.writeUInt16LE(n, 8);
  end.writeUInt16LE(n, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}
