/**
 * Test oracle, not used by the server: the previous street buffer — one convex polygonal "capsule"
 * per (simplified) segment, unioned with polygon-clipping. The server's buffer is Clipper's
 * (buffer.ts); tests and benchmarks compare it with this independent construction.
 */
import polygonClipping from 'polygon-clipping';
import { bboxOfLines } from '../../geo/bbox.js';
import { localFrame } from '../../geo/measure.js';
import { joinAtEnds, simplifyIdx } from '../buffer.js';
import type { LonLat } from '../graph.js';

/** Options for {@link capsuleBuffer}. */
export interface BufferOptions {
  /** Vertices of the polygonal discs (default 12). */
  segments?: number;
  /**
   * Douglas–Peucker tolerance in metres applied before buffering (default widthM / 10). The buffer
   * radius grows by the same amount, so the result still contains every point within widthM of the
   * lines. 0 disables simplification.
   */
  simplifyM?: number;
  /**
   * Join lines that meet end to end into longer chains first, pairing the straightest continuations
   * at each junction (default true), so simplification can drop the vertices at street crossings too.
   */
  joinLines?: boolean;
}

function capsulesLocal(
  lines: LonLat[][],
  widthM: number,
  options: BufferOptions,
): { polys: [number, number][][][]; lon0: number; lat0: number; kx: number; ky: number } | null {
  if (!(widthM > 0) || lines.length === 0) return null;
  const n = Math.max(4, Math.round(options.segments ?? 12));
  const tol = Math.max(0, options.simplifyM ?? widthM / 10);

  // One frame for all lines, centred on their bounding box (isochrones span a few km at most).
  const [minX, minY, maxX, maxY] = bboxOfLines(lines);
  if (!Number.isFinite(minX)) return null;
  const { lon0, lat0, kx, ky } = localFrame((minX + maxX) / 2, (minY + maxY) / 2);

  let parts: number[][] = [];
  for (const l of lines) {
    if (l.length === 0) continue;
    const xy: number[] = [];
    for (const p of l) xy.push((p[0] - lon0) * kx, (p[1] - lat0) * ky);
    parts.push(xy);
  }
  if (options.joinLines !== false) parts = joinAtEnds(parts);

  // Disc vertices at angles k·step, radius chosen so the polygon circumscribes the circle.
  const step = (2 * Math.PI) / n;
  const half = step / 2;
  // +1 cm pays for the grid rounding below, so points at exactly widthM stay inside.
  const radius = (widthM + tol + 0.01) / Math.cos(half);
  const ux = new Float64Array(n);
  const uy = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    ux[k] = radius * Math.cos(k * step);
    uy[k] = radius * Math.sin(k * step);
  }

  // Minkowski sum of the disc with segment a→b: the b copy of every vertex whose normal cone has a
  // forward component, then the a copy of every vertex with a backward one, in CCW order.
  // (Rounding at the cone boundaries only adds or drops a collinear point.)
  const capsule = (ax: number, ay: number, bx: number, by: number): [number, number][] => {
    const phi = Math.atan2(by - ay, bx - ax);
    const bLo = Math.ceil((phi - Math.PI / 2 - half) / step);
    const bHi = Math.floor((phi + Math.PI / 2 + half) / step);
    const aLo = Math.ceil((phi + Math.PI / 2 - half) / step);
    const aHi = Math.floor((phi + (3 * Math.PI) / 2 + half) / step);
    const ring: [number, number][] = [];
    for (let k = bLo; k <= bHi; k++) {
      const m = ((k % n) + n) % n;
      ring.push([bx + ux[m]!, by + uy[m]!]);
    }
    for (let k = aLo; k <= aHi; k++) {
      const m = ((k % n) + n) % n;
      ring.push([ax + ux[m]!, ay + uy[m]!]);
    }
    ring.push(ring[0]!);
    return ring;
  };

  const polys: [number, number][][][] = [];
  const disc = (cx: number, cy: number) => {
    const ring: [number, number][] = [];
    for (let k = 0; k <= n; k++) ring.push([cx + ux[k % n]!, cy + uy[k % n]!]);
    polys.push([ring]);
  };
  for (const xy of parts) {
    // Simplified vertices without zero-length segments.
    const keep = simplifyIdx(xy, xy.length / 2, tol);
    const px: number[] = [xy[2 * keep[0]!]!];
    const py: number[] = [xy[2 * keep[0]! + 1]!];
    for (let j = 1; j < keep.length; j++) {
      const x = xy[2 * keep[j]!]!;
      const y = xy[2 * keep[j]! + 1]!;
      if (x !== px[px.length - 1] || y !== py[py.length - 1]) {
        px.push(x);
        py.push(y);
      }
    }
    // A line of coincident points still covers a disc around it.
    if (px.length === 1) disc(px[0]!, py[0]!);
    else for (let j = 1; j < px.length; j++) polys.push([capsule(px[j - 1]!, py[j - 1]!, px[j]!, py[j]!)]);
  }
  return polys.length ? { polys, lon0, lat0, kx, ky } : null;
}

/**
 * Buffers polylines by `widthM` into a lon/lat MultiPolygon. In a local metre frame, lines meeting
 * end to end are joined into chains and simplified (Douglas–Peucker), then each segment becomes a
 * "capsule" — the convex hull of two polygonal discs at its ends, built directly — and all capsules
 * are unioned by polygon-clipping in one call (pairwise unions in a loop are far slower). The discs
 * circumscribe the circle and the radius grows by the simplification tolerance, so the polygon
 * contains every point within `widthM` of the lines and reaches at most ~4 % of widthM + 2·simplifyM
 * beyond them (≈ 12 m with the defaults).
 *
 * @param lines lon/lat polylines, e.g. from intervalsToLines; not modified
 * @param widthM buffer radius in metres (default 50)
 * @param options disc resolution, simplification and joining
 * @returns MultiPolygon coordinates (outer rings counter-clockwise); [] for no lines.
 * @example
 * capsuleBuffer([[[121.6, 38.91], [121.601, 38.91]]], 50) // [[[[…], …]]]
 */
export function capsuleBuffer(lines: LonLat[][], widthM = 50, options: BufferOptions = {}): LonLat[][][] {
  const c = capsulesLocal(lines, widthM, options);
  if (!c) return [];
  const { polys, lon0, lat0, kx, ky } = c;
  // One (overlapping) MultiPolygon: polygon-clipping unions it in a single sweep. Vertices go on a
  // 1 mm grid first, since nearly-but-not-exactly coincident points are what trips its "Unable to
  // complete output ring" errors; a 1 cm grid is the fallback (the 1 cm margin above covers both).
  let merged: [number, number][][][] | null = null;
  for (const grid of [1000, 100]) {
    roundPolys(polys, grid);
    try {
      merged = polygonClipping.union(polys);
      break;
    } catch (err) {
      if (grid === 100) throw new Error(`capsuleBuffer: union failed (${(err as Error).message})`);
    }
  }
  if (!merged) return [];
  return merged.map((poly) => poly.map((ring) => ring.map(([x, y]) => [lon0 + x / kx, lat0 + y / ky] as LonLat)));
}

function roundPolys(polys: [number, number][][][], grid: number): void {
  for (const poly of polys) {
    for (const ring of poly) {
      for (const p of ring) {
        p[0] = Math.round(p[0] * grid) / grid;
        p[1] = Math.round(p[1] * grid) / grid;
      }
    }
  }
}

/**
 * The pieces {@link capsuleBuffer} unions — one convex "capsule" per (simplified) segment —
 * without the union, as lon/lat polygons that overlap. For callers that clip against the buffer
 * at once (grid − capsules is one polygon-clipping sweep instead of a union and then a difference).
 * @example bufferCapsules([[[121.6, 38.91], [121.601, 38.91]]], 50).length // 1
 */
export function bufferCapsules(lines: LonLat[][], widthM = 50, options: BufferOptions = {}): LonLat[][][] {
  const c = capsulesLocal(lines, widthM, options);
  if (!c) return [];
  roundPolys(c.polys, 1000);
  return c.polys.map((poly) => poly.map((ring) => ring.map(([x, y]) => [c.lon0 + x / c.kx, c.lat0 + y / c.ky] as LonLat)));
}
