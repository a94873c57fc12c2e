/**
 * Coverage work for the compute threads as flat Float64Arrays, so that nothing of ~10⁵ small
 * objects is structured-cloned on the event loop:
 * - the pieces of one computation are written once, on shared memory ({@link packPieces}); every
 *   batch refers to them by index, and a thread rebuilds only the pieces its grids touch, with
 *   the same constructors (`circlePiece`, `bufferedLinePiece`), so a piece there is the piece here;
 * - each batch's grids and their piece indices go in a buffer of their own ({@link packJobs}),
 *   transferred, not copied.
 *
 * Pieces: [count, count × offset, then per piece: kind (0 circle: lon, lat, radiusM, steps |
 * 1 line: widthM, n, n × (lon, lat))]. Jobs: [jobCount, then per job: id, population, areaM2,
 * bbox × 4, ringCount, per ring: n, n × (lon, lat), pieceCount, piece indices].
 */
import type { Polygon, Position } from 'geojson';
import { bufferedLinePiece, circlePiece, type Piece } from './pieces.js';
import type { GridJob, PreparedGrid } from './engine.js';

const CIRCLE = 0;
const LINE = 1;

const pieceSize = (p: Piece) => {
  if (p.circle) return 5;
  if (p.line && p.widthM !== undefined) return 3 + 2 * p.line.length;
  throw new Error(`packPieces: piece ${p.key} is neither a circle nor a line`);
};

/** The pieces on shared memory, and each piece's index there. */
export function packPieces(pieces: Iterable<Piece>): { data: Float64Array; index: Map<Piece, number> } {
  const index = new Map<Piece, number>();
  let size = 0;
  for (const p of pieces) {
    if (index.has(p)) continue;
    index.set(p, index.size);
    size += pieceSize(p);
  }
  const n = index.size;
  const data = new Float64Array(new SharedArrayBuffer((1 + n + size) * 8));
  data[0] = n;
  let at = 1 + n;
  for (const [p, k] of index) {
    data[1 + k] = at;
    if (p.circle) {
      data[at++] = CIRCLE;
      data[at++] = p.circle.lon;
      data[at++] = p.circle.lat;
      data[at++] = p.circle.radiusM;
      data[at++] = p.polygons[0]![0]!.length - 1;
    } else {
      const line = p.line!;
      data[at++] = LINE;
      data[at++] = p.widthM!;
      data[at++] = line.length;
      for (const q of line) {
        data[at++] = q[0]!;
        data[at++] = q[1]!;
      }
    }
  }
  return { data, index };
}

/** Piece `k` of {@link packPieces}' data. */
export function unpackPiece(data: Float64Array, k: number): Piece {
  let at = data[1 + k]!;
  if (data[at++] === CIRCLE) return circlePiece(String(k), data[at]!, data[at + 1]!, data[at + 2]!, data[at + 3]!);
  const width = data[at++]!;
  const n = data[at++]!;
  const line: Position[] = new Array(n);
  for (let v = 0; v < n; v++, at += 2) line[v] = [data[at]!, data[at + 1]!];
  return bufferedLinePiece(String(k), line, width);
}

/** One batch of grids with the indices (in `pieceIndex`) of the pieces near each. */
export function packJobs(jobs: readonly GridJob[], pieceIndex: ReadonlyMap<Piece, number>): Float64Array {
  let size = 1;
  for (const { grid, pieces } of jobs) {
    size += 8 + pieces.length + 1;
    for (const ring of grid.polygon.coordinates) size += 1 + 2 * ring.length;
  }
  const out = new Float64Array(size);
  let at = 0;
  out[at++] = jobs.length;
  for (const { grid: g, pieces: near } of jobs) {
    out[at++] = g.id;
    out[at++] = g.population;
    out[at++] = g.areaM2;
    for (const v of g.bbox) out[at++] = v;
    out[at++] = g.polygon.coordinates.length;
    for (const ring of g.polygon.coordinates) {
      out[at++] = ring.length;
      for (const q of ring) {
        out[at++] = q[0]!;
        out[at++] = q[1]!;
      }
    }
    out[at++] = near.length;
    for (const p of near) {
      const k = pieceIndex.get(p);
      if (k === undefined) throw new Error(`packJobs: piece ${p.key} is not in the packed pieces`);
      out[at++] = k;
    }
  }
  return out;
}

/** The batch again; each piece is rebuilt once however many grids it touches. */
export function unpackJobs(jobsData: Float64Array, piecesData: Float64Array): GridJob[] {
  const built = new Map<number, Piece>();
  const piece = (k: number) => {
    let p = built.get(k);
    if (!p) built.set(k, (p = unpackPiece(piecesData, k)));
    return p;
  };
  let i = 0;
  const next = () => jobsData[i++]!;
  const jobs: GridJob[] = new Array(next());
  for (let k = 0; k < jobs.length; k++) {
    const id = next();
    const population = next();
    const areaM2 = next();
    const bbox: [number, number, number, number] = [next(), next(), next(), next()];
    const rings: Position[][] = new Array(next());
    for (let r = 0; r < rings.length; r++) {
      const ring: Position[] = new Array(next());
      for (let v = 0; v < ring.length; v++) ring[v] = [next(), next()];
      rings[r] = ring;
    }
    const polygon: Polygon = { type: 'Polygon', coordinates: rings };
    const grid: PreparedGrid = { id, population, areaM2, bbox, polygon };
    const near: Piece[] = new Array(next());
    for (let p = 0; p < near.length; p++) near[p] = piece(next());
    jobs[k] = { grid, pieces: near };
  }
  return jobs;
}
