/**
 * Pure polygon helpers for the editor: what terra-draw hands back is cleaned into what the API
 * accepts (RFC 7946: closed rings, exterior counter-clockwise, holes clockwise, no repeated
 * consecutive vertices), and edits are compared vertex by vertex.
 */
import type { LineString, Polygon, Position } from 'geojson';

/** Coordinates are kept to 1e-9° (≈ 0.1 mm), the precision the server works on. */
export const PRECISION = 9;

const round = (v: number, digits = PRECISION) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

const same = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

/** Twice the signed area (shoelace, degrees²) of a closed ring: > 0 is counter-clockwise. */
export function signedArea2(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s;
}

/**
 * A ring rounded to `PRECISION`, 2-D, without repeated consecutive vertices and closed; null when
 * fewer than three distinct vertices remain.
 */
export function cleanRing(ring: Position[]): Position[] | null {
  const out: Position[] = [];
  for (const p of ring) {
    const q = [round(p[0]), round(p[1])];
    if (!out.length || !same(out[out.length - 1], q)) out.push(q);
  }
  while (out.length > 1 && same(out[0], out[out.length - 1])) out.pop();
  if (out.length < 3) return null;
  out.push([out[0][0], out[0][1]]);
  return out;
}

/** The ring turned to the wanted orientation. */
function orient(ring: Position[], ccw: boolean): Position[] {
  const isCcw = signedArea2(ring) > 0;
  return isCcw === ccw ? ring : [...ring].reverse();
}

/**
 * The polygon as the API wants it: cleaned rings, exterior counter-clockwise, holes clockwise;
 * holes that collapse are dropped. Null when the exterior ring collapses.
 */
export function normalizePolygon(p: Polygon): Polygon | null {
  const [outer, ...holes] = p.coordinates;
  const shell = outer && cleanRing(outer);
  if (!shell || signedArea2(shell) === 0) return null;
  const inner = holes.map(cleanRing).filter((r): r is Position[] => !!r && signedArea2(r) !== 0);
  return { type: 'Polygon', coordinates: [orient(shell, true), ...inner.map((r) => orient(r, false))] };
}

/** A split line without repeated consecutive points, rounded; null when under two points remain. */
export function normalizeLine(l: LineString): LineString | null {
  const out: Position[] = [];
  for (const p of l.coordinates) {
    const q = [round(p[0]), round(p[1])];
    if (!out.length || !same(out[out.length - 1], q)) out.push(q);
  }
  return out.length >= 2 ? { type: 'LineString', coordinates: out } : null;
}

/** True when both polygons have the same vertices (after normalising), wherever each ring starts. */
export function samePolygon(a: Polygon, b: Polygon): boolean {
  const na = normalizePolygon(a);
  const nb = normalizePolygon(b);
  if (!na || !nb) return na === nb;
  if (na.coordinates.length !== nb.coordinates.length) return false;
  return na.coordinates.every((ring, i) => sameRing(ring, nb.coordinates[i]));
}

function sameRing(a: Position[], b: Position[]): boolean {
  if (a.length !== b.length) return false;
  const n = a.length - 1;
  const start = b.findIndex((p, i) => i < n && same(p, a[0]));
  if (start < 0) return false;
  for (let i = 0; i < n; i++) if (!same(a[i], b[(start + i) % n])) return false;
  return true;
}

/** How the exterior ring changed: vertices only in `after` (moved to / added) and only in `before`. */
export function vertexDiff(before: Polygon, after: Polygon): { added: Position[]; removed: Position[] } {
  const key = (p: Position) => `${round(p[0])},${round(p[1])}`;
  const b = new Set(before.coordinates[0].slice(0, -1).map(key));
  const a = new Set(after.coordinates[0].slice(0, -1).map(key));
  return {
    added: after.coordinates[0].slice(0, -1).filter((p) => !b.has(key(p))),
    removed: before.coordinates[0].slice(0, -1).filter((p) => !a.has(key(p))),
  };
}

/** Ray-casting point-in-ring (ring closed). */
export function pointInRing(pt: Position, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > pt[1] !== yj > pt[1] && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function pointInPolygon(pt: Position, p: Polygon): boolean {
  const [outer, ...holes] = p.coordinates;
  return pointInRing(pt, outer) && !holes.some((h) => pointInRing(pt, h));
}

/** Area-weighted centroid of the exterior ring (planar, relative to the first vertex for precision). */
export function ringCentroid(ring: Position[]): Position {
  const [ox, oy] = ring[0];
  let a = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const x0 = ring[i][0] - ox;
    const y0 = ring[i][1] - oy;
    const x1 = ring[i + 1][0] - ox;
    const y1 = ring[i + 1][1] - oy;
    const c = x0 * y1 - x1 * y0;
    a += c;
    x += (x0 + x1) * c;
    y += (y0 + y1) * c;
  }
  if (a === 0) return ring[0];
  return [ox + x / (3 * a), oy + y / (3 * a)];
}

/**
 * Where to put a polygon's label: the centroid when it lies inside, else the middle of the widest
 * inside stretch of the horizontal line through the centroid (concave, L-shaped grids).
 */
export function labelPoint(p: Polygon): Position {
  const c = ringCentroid(p.coordinates[0]);
  if (pointInPolygon(c, p)) return c;
  const y = c[1];
  const xs: number[] = [];
  for (const ring of p.coordinates)
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i];
      const [x1, y1] = ring[i + 1];
      if (y0 > y !== y1 > y) xs.push(x0 + ((y - y0) * (x1 - x0)) / (y1 - y0));
    }
  xs.sort((a, b) => a - b);
  let best: Position = p.coordinates[0][0];
  let width = -1;
  for (let i = 0; i + 1 < xs.length; i += 2)
    if (xs[i + 1] - xs[i] > width) {
      width = xs[i + 1] - xs[i];
      best = [(xs[i] + xs[i + 1]) / 2, y];
    }
  return best;
}
