/**
 * A computation's covering pieces as flat arrays on shared memory, with their bboxes, a spatial
 * index and a content hash per piece. A city's walk coverage makes ~10⁵ pieces: kept as objects
 * they cost the event loop seconds (building, keying, indexing, collecting); packed, they are
 * built on a compute thread, handed over without copying, read by every coverage thread, and
 * compared with the previous set in one pass.
 *
 * Records, per piece at `offsets[i]` in `data`:
 *   circle: 0, lon, lat, radiusM, steps       line: 1, widthM, n, n × (lon, lat)
 * A piece is rebuilt from its record as ./pieces.ts makes it (`circlePiece`; a stretch as
 * `bufferedLinePiece` would, its coordinates a view into `data`), so a piece on a thread is the piece here.
 *
 * Identity is content: two pieces are the same when their records are equal (the hash only
 * narrows the comparison; equal hashes with different records count as different).
 *
 * Pure.
 */
import Flatbush from 'flatbush';
import type { Position } from 'geojson';
import { circlePiece, lineBox, type Piece } from './pieces.js';

const CIRCLE = 0;
const LINE = 1;

export interface PieceSet {
  count: number;
  data: Float64Array;
  offsets: Uint32Array;
  /** minX, minY, maxX, maxY per piece (the bbox of the piece's constructor). */
  boxes: Float64Array;
  /** Content hash per piece: equal records ⇒ equal hash. */
  hashes: Float64Array;
  /** Flatbush over `boxes` (its data buffer); null when empty. */
  index: ArrayBuffer | SharedArrayBuffer | null;
}

/** Memory that threads share without copying (plain memory where SharedArrayBuffer is unavailable: then copied per message). */
export const Shared = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;

function sharedCopy<T extends Float64Array | Uint32Array>(src: T, n: number): T {
  const C = src.constructor as { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number };
  const out = new C(new Shared(Math.max(1, n) * C.BYTES_PER_ELEMENT));
  out.set(src.subarray(0, n));
  return out;
}

/** Builds a {@link PieceSet}: add pieces, then `finish()`. */
export class PieceSetWriter {
  private data = new Float64Array(4096);
  private len = 0;
  private offsets = new Uint32Array(1024);
  private boxes = new Float64Array(4096);
  private hashes = new Float64Array(1024);
  private n = 0;

  private grow(extra: number) {
    if (this.len + extra > this.data.length) {
      const d = new Float64Array(Math.max(this.data.length * 2, this.len + extra));
      d.set(this.data.subarray(0, this.len));
      this.data = d;
    }
    if (this.n + 1 > this.offsets.length) {
      const o = new Uint32Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
      const h = new Float64Array(this.hashes.length * 2);
      h.set(this.hashes);
      this.hashes = h;
      const b = new Float64Array(this.boxes.length * 2);
      b.set(this.boxes);
      this.boxes = b;
    }
  }

  private close(start: number, bbox: readonly number[]) {
    this.offsets[this.n] = start;
    this.hashes[this.n] = hashRecord(this.data, start, this.len);
    this.boxes.set(bbox, 4 * this.n);
    this.n++;
  }

  /** A geodesic circle (see `circlePiece`). */
  addCircle(lon: number, lat: number, radiusM: number, steps?: number): void {
    this.addPiece(circlePiece('', lon, lat, radiusM, steps));
  }

  /** A street stretch covering `widthM` around it (see `bufferedLinePiece`). */
  addLine(line: Position[], widthM: number): void {
    const start = this.len;
    this.grow(3 + 2 * line.length);
    const d = this.data;
    d[this.len++] = LINE;
    d[this.len++] = widthM;
    d[this.len++] = line.length;
    for (const q of line) {
      d[this.len++] = q[0]!;
      d[this.len++] = q[1]!;
    }
    this.close(start, lineBox(d.subarray(start + 3, this.len), widthM));
  }

  /** A piece made by `circlePiece` or `bufferedLinePiece`. */
  addPiece(p: Piece): void {
    const start = this.len;
    if (p.circle) {
      this.grow(5);
      const d = this.data;
      d[this.len++] = CIRCLE;
      d[this.len++] = p.circle.lon;
      d[this.len++] = p.circle.lat;
      d[this.len++] = p.circle.radiusM;
      d[this.len++] = p.polygons[0]![0]!.length - 1;
    } else if (p.xy && p.widthM !== undefined) {
      this.grow(3 + p.xy.length);
      const d = this.data;
      d[this.len++] = LINE;
      d[this.len++] = p.widthM;
      d[this.len++] = p.xy.length / 2;
      d.set(p.xy, this.len);
      this.len += p.xy.length;
    } else {
      throw new Error(`PieceSetWriter: piece ${p.key} is neither a circle nor a line`);
    }
    this.close(start, p.bbox);
  }

  get size(): number {
    return this.n;
  }

  /** The set on shared memory, indexed. */
  finish(): PieceSet {
    const n = this.n;
    let index: PieceSet['index'] = null;
    if (n > 0) {
      const idx = new Flatbush(n, 16, Float64Array, Shared as ArrayBufferConstructor);
      const b = this.boxes;
      for (let i = 0; i < n; i++) idx.add(b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!);
      idx.finish();
      index = idx.data;
    }
    return {
      count: n,
      data: sharedCopy(this.data, this.len),
      offsets: sharedCopy(this.offsets, n),
      boxes: sharedCopy(this.boxes, 4 * n),
      hashes: sharedCopy(this.hashes, n),
      index,
    };
  }
}

/** A set of pieces made by `circlePiece` / `bufferedLinePiece` (tests, small sets). */
export function pieceSetOf(pieces: Iterable<Piece>): PieceSet {
  const w = new PieceSetWriter();
  for (const p of pieces) w.addPiece(p);
  return w.finish();
}

export const EMPTY_PIECES: PieceSet = new PieceSetWriter().finish();

const recordEnd = (s: PieceSet, i: number) => (i + 1 < s.count ? s.offsets[i + 1]! : s.data.length);

/** 52 bits of FNV-1a and a multiplicative mix over the record's 32-bit words. */
function hashRecord(d: Float64Array, from: number, to: number): number {
  const words = new Uint32Array(d.buffer, d.byteOffset + from * 8, (to - from) * 2);
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ (w >>> 16) ^ (w << 16), 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return (h1 >>> 0) * 0x100000 + (h2 >>> 12);
}

function sameRecord(a: PieceSet, i: number, b: PieceSet, j: number): boolean {
  const a0 = a.offsets[i]!;
  const b0 = b.offsets[j]!;
  const n = recordEnd(a, i) - a0;
  if (recordEnd(b, j) - b0 !== n) return false;
  for (let k = 0; k < n; k++) if (a.data[a0 + k] !== b.data[b0 + k]) return false;
  return true;
}

/**
 * The pieces that differ between two sets: indices in `prev` of pieces gone from `next`, and in
 * `next` of pieces new to it. Exact (records compared), one pass over each set.
 */
export function diffPieceSets(prev: PieceSet, next: PieceSet): { removed: number[]; added: number[] } {
  const firstOf = (s: PieceSet) => {
    const m = new Map<number, number>();
    for (let i = 0; i < s.count; i++) if (!m.has(s.hashes[i]!)) m.set(s.hashes[i]!, i);
    return m;
  };
  const inPrev = firstOf(prev);
  const inNext = firstOf(next);
  const missing = (s: PieceSet, i: number, other: PieceSet, map: Map<number, number>) => {
    const j = map.get(s.hashes[i]!);
    return j === undefined || !sameRecord(s, i, other, j);
  };
  const removed: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < prev.count; i++) if (missing(prev, i, next, inNext)) removed.push(i);
  for (let i = 0; i < next.count; i++) if (missing(next, i, prev, inPrev)) added.push(i);
  return { removed, added };
}

/** Piece `i`'s bbox. */
export function pieceBox(s: PieceSet, i: number): [number, number, number, number] {
  const b = s.boxes;
  return [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!];
}

/** Piece `i` as an object again (a stretch's coordinates are a view into the set, not a copy). */
export function pieceAt(s: PieceSet, i: number): Piece {
  const d = s.data;
  let at = s.offsets[i]!;
  if (d[at++] === CIRCLE) return circlePiece(String(i), d[at]!, d[at + 1]!, d[at + 2]!, d[at + 3]!);
  const widthM = d[at++]!;
  const n = d[at++]!;
  return { key: String(i), polygons: [], xy: d.subarray(at, at + 2 * n), widthM, bbox: pieceBox(s, i) };
}

/**
 * Reads pieces of one set near a bbox, rebuilding each piece once however many grids ask for it.
 * One reader per set per thread.
 */
export class PieceReader {
  private readonly index: Flatbush | null;
  private readonly built: (Piece | undefined)[];

  constructor(readonly set: PieceSet) {
    this.index = set.index ? Flatbush.from(set.index as ArrayBuffer) : null;
    this.built = new Array(set.count);
  }

  near(bbox: readonly number[]): Piece[] {
    if (!this.index) return [];
    const ids = this.index.search(bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!);
    const out: Piece[] = new Array(ids.length);
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k]!;
      out[k] = this.built[i] ??= pieceAt(this.set, i);
    }
    return out;
  }
}
