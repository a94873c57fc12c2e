/**
 * Coverage jobs as one flat Float64Array, to hand to a worker thread by transfer (no structured
 * clone of ~10⁵ small objects on the event loop). Pieces are written once per batch and referred
 * to by index; the worker rebuilds them with the same constructors (`circlePiece`,
 * `bufferedLinePiece`), so a piece there is the piece here, bit for bit.
 *
 * Layout: [pieceCount, then per piece: kind (0 circle: lon, lat, radiusM, steps | 1 line: widthM,
 * n, n × (lon, lat)), jobCount, then per job: id, population, areaM2, bbox × 4, ringCount, per
 * ring: n, n × (lon, lat), pieceCount, piece indices].
 */
import type { Polygon, Position } from 'geojson';
import { bufferedLinePiece, circlePiece, type Piece } from './pieces.js';
import type { GridJob, PreparedGrid } from './engine.js';

const CIRCLE = 0;
const LINE = 1;

export function packJobs(jobs: readonly GridJob[]): Float64Array {
  const out: number[] = [];
  const pieceIndex = new Map<Piece, number>();
  const pieces: Piece[] = [];
  for (const j of jobs) {
    for (const p of j.pieces) {
      if (!pieceIndex.has(p)) {
        pieceIndex.set(p, pieces.length);
        pieces.push(p);
      }
    }
  }
  out.push(pieces.length);
  for (const p of pieces) {
    if (p.circle) {
      const steps = p.polygons[0]![0]!.length - 1;
      out.push(CIRCLE, p.circle.lon, p.circle.lat, p.circle.radiusM, steps);
    } else if (p.line && p.widthM !== undefined) {
      out.push(LINE, p.widthM, p.line.length);
      for (const [x, y] of p.line) out.push(x!, y!);
    } else throw new Error(`packJobs: piece ${p.key} is neither a circle nor a line`);
  }
  out.push(jobs.length);
  for (const { grid: g, pieces: near } of jobs) {
    out.push(g.id, g.population, g.areaM2, ...g.bbox, g.polygon.coordinates.length);
    for (const ring of g.polygon.coordinates) {
      out.push(ring.length);
      for (const [x, y] of ring) out.push(x!, y!);
    }
    out.push(near.length);
    for (const p of near) out.push(pieceIndex.get(p)!);
  }
  return Float64Array.from(out);
}

export function unpackJobs(a: Float64Array): GridJob[] {
  let i = 0;
  const next = () => a[i++]!;
  const pieceCount = next();
  const pieces: Piece[] = new Array(pieceCount);
  for (let k = 0; k < pieceCount; k++) {
    const kind = next();
    if (kind === CIRCLE) {
      const lon = next();
      const lat = next();
      const r = next();
      pieces[k] = circlePiece(String(k), lon, lat, r, next());
    } else {
      const width = next();
      const n = next();
      const line: Position[] = new Array(n);
      for (let v = 0; v < n; v++) line[v] = [next(), next()];
      pieces[k] = bufferedLinePiece(String(k), line, width);
    }
  }
  const jobCount = next();
  const jobs: GridJob[] = new Array(jobCount);
  for (let k = 0; k < jobCount; k++) {
    const id = next();
    const population = next();
    const areaM2 = next();
    const bbox: [number, number, number, number] = [next(), next(), next(), next()];
    const rings: Position[][] = new Array(next());
    for (let r = 0; r < rings.length; r++) {
      const n = next();
      const ring: Position[] = new Array(n);
      for (let v = 0; v < n; v++) ring[v] = [next(), next()];
      rings[r] = ring;
    }
    const polygon: Polygon = { type: 'Polygon', coordinates: rings };
    const grid: PreparedGrid = { id, population, areaM2, bbox, polygon };
    const near: Piece[] = new Array(next());
    for (let p = 0; p < near.length; p++) near[p] = pieces[next()]!;
    jobs[k] = { grid, pieces: near };
  }
  return jobs;
}
