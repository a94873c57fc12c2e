/**
 * A minimal .osm.pbf writer (OSMHeader + one OSMData block with DenseNodes and Ways), enough to
 * produce tiny hand-written extracts for tests of readOsmPbf. Not meant for large files: everything
 * goes into a single block (the format allows up to 8,000 entities / 32 MB per block by convention).
 *
 * Format: https://wiki.openstreetmap.org/wiki/PBF_Format — each blob is
 * [uint32 BE length of BlobHeader][BlobHeader][Blob{raw_size, zlib_data}].
 */
import { deflateSync } from 'node:zlib';

export interface PbfNodeInput {
  id: number;
  lon: number;
  lat: number;
}

export interface PbfWayInput {
  id: number;
  refs: number[];
  tags?: Record<string, string>;
}

class ProtoWriter {
  private parts: number[] = [];

  varint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`varint out of range: ${n}`);
    while (n >= 0x80) {
      this.parts.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.parts.push(n);
    return this;
  }

  private static zigzag(n: number): number {
    return n >= 0 ? n * 2 : -n * 2 - 1;
  }

  private key(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  varintField(field: number, n: number): this {
    return this.key(field, 0).varint(n);
  }

  bytesField(field: number, bytes: Uint8Array): this {
    this.key(field, 2).varint(bytes.length);
    for (const b of bytes) this.parts.push(b);
    return this;
  }

  stringField(field: number, s: string): this {
    return this.bytesField(field, Buffer.from(s, 'utf8'));
  }

  messageField(field: number, msg: ProtoWriter): this {
    return this.bytesField(field, msg.finish());
  }

  packedVarint(field: number, values: number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytesField(field, inner.finish());
  }

  packedSVarint(field: number, values: number[]): this {
    return this.packedVarint(field, values.map(ProtoWriter.zigzag));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function blob(type: 'OSMHeader' | 'OSMData', payload: Uint8Array): Buffer {
  const blobMsg = new ProtoWriter().varintField(2, payload.length).bytesField(3, deflateSync(payload)).finish();
  const header = new ProtoWriter().stringField(1, type).varintField(3, blobMsg.length).finish();
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return Buffer.concat([len, header, blobMsg]);
}

const delta = (xs: number[]): number[] => xs.map((x, i) => (i === 0 ? x : x - xs[i - 1]));

/** Encodes nodes and ways as an .osm.pbf file (granularity 100 nanodegrees = 1e-7°). */
export function encodeOsmPbf(nodes: readonly PbfNodeInput[], ways: readonly PbfWayInput[]): Buffer {
  const headerBlock = new ProtoWriter().stringField(4, 'OsmSchema-V0.6').stringField(4, 'DenseNodes').stringField(16, 'lifecircle test writer');

  const strings = [''];
  const sid = (s: string): number => {
    let i = strings.indexOf(s);
    if (i < 0) i = strings.push(s) - 1;
    return i;
  };
  const sortedNodes = [...nodes].sort((a, b) => a.id - b.id);
  const dense = new ProtoWriter()
    .packedSVarint(1, delta(sortedNodes.map((n) => n.id)))
    .packedSVarint(8, delta(sortedNodes.map((n) => Math.round(n.lat * 1e7))))
    .packedSVarint(9, delta(sortedNodes.map((n) => Math.round(n.lon * 1e7))));
  const nodeGroup = new ProtoWriter().messageField(2, dense);

  const wayGroup = new ProtoWriter();
  for (const w of [...ways].sort((a, b) => a.id - b.id)) {
    const entries = Object.entries(w.tags ?? {});
    const msg = new ProtoWriter().varintField(1, w.id);
    msg.packedVarint(
      2,
      entries.map(([k]) => sid(k)),
    );
    msg.packedVarint(
      3,
      entries.map(([, v]) => sid(v)),
    );
    msg.packedSVarint(8, delta(w.refs));
    wayGroup.messageField(3, msg);
  }

  const stringTable = new ProtoWriter();
  for (const s of strings) stringTable.stringField(1, s);
  const primitiveBlock = new ProtoWriter().messageField(1, stringTable).messageField(2, nodeGroup).messageField(2, wayGroup);

  return Buffer.concat([blob('OSMHeader', headerBlock.finish()), blob('OSMData', primitiveBlock.finish())]);
}
