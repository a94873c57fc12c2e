/**
 * Self-intersections of a polygon's rings without a database (turf.kinks semantics: proper
 * crossings between segments of the same polygon's rings, incl. hole vs. shell; touching at a
 * vertex counts; collinear overlaps are not detected). Used by the import validators; grid edits
 * ask PostGIS instead (ST_IsValidDetail), which also checks what this does not.
 */
import { polygon as turfPolygon } from '@turf/helpers';
import turfKinks from '@turf/kinks';
import Flatbush from 'flatbush';
import type { Position } from 'geojson';
import { ringClosed } from './geometry.js';

/**
 * Self-intersection points of a polygon's rings (turf.kinks semantics). Uses turf.kinks for rings with
 * up to `bruteForceLimit` segments in total (it is O(n²): ~2.4 s for 20,000 vertices) and an equivalent
 * Flatbush-indexed search above that. Returned points are de-duplicated.
 */
export function findSelfIntersections(rings: readonly (readonly Position[])[], bruteForceLimit = 3000): Position[] {
  const segments = rings.reduce((n, r) => n + Math.max(0, r.length - 1), 0);
  let points: Position[];
  if (segments <= bruteForceLimit) {
    points = turfKinks(turfPolygon(rings.map((r) => r.map((p) => [p[0], p[1]])))).features.map((f) => f.geometry.coordinates);
  } else {
    points = indexedKinks(rings);
  }
  const seen = new Set<string>();
  return points.filter((p) => {
    const k = `${p[0]},${p[1]}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The same intersection test as turf.kinks (proper or endpoint-touching crossings, parallel segments ignored). */
function segmentIntersection(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): Position | null {
  const den = (dy - cy) * (bx - ax) - (dx - cx) * (by - ay);
  if (den === 0) return null;
  const a0 = ay - cy;
  const b0 = ax - cx;
  const ua = ((dx - cx) * a0 - (dy - cy) * b0) / den;
  const ub = ((bx - ax) * a0 - (by - ay) * b0) / den;
  if (ua < 0 || ua > 1 || ub < 0 || ub > 1) return null;
  return [ax + ua * (bx - ax), ay + ua * (by - ay)];
}

function indexedKinks(rings: readonly (readonly Position[])[]): Position[] {
  const segRing: number[] = [];
  const segIdx: number[] = [];
  for (let r = 0; r < rings.length; r++) {
    for (let i = 0; i < rings[r].length - 1; i++) {
      segRing.push(r);
      segIdx.push(i);
    }
  }
  const n = segRing.length;
  const index = new Flatbush(Math.max(1, n));
  for (let s = 0; s < n; s++) {
    const ring = rings[segRing[s]];
    const p = ring[segIdx[s]];
    const q = ring[segIdx[s] + 1];
    index.add(Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[0], q[0]), Math.max(p[1], q[1]));
  }
  if (n === 0) index.add(0, 0, 0, 0);
  index.finish();
  const out: Position[] = [];
  for (let s = 0; s < n; s++) {
    const ring = rings[segRing[s]];
    const i = segIdx[s];
    const p = ring[i];
    const q = ring[i + 1];
    const closed = ringClosed(ring); // the ring has ≥ 2 positions here: it has segment s
    const hits = index.search(Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[0], q[0]), Math.max(p[1], q[1]));
    for (const t of hits) {
      if (t <= s) continue; // each unordered pair once
      if (segRing[t] === segRing[s]) {
        const k = segIdx[t];
        if (Math.abs(i - k) === 1) continue;
        if (closed && i === 0 && k === ring.length - 2) continue;
      }
      const r2 = rings[segRing[t]];
      const u = r2[segIdx[t]];
      const v = r2[segIdx[t] + 1];
      const x = segmentIntersection(p[0], p[1], q[0], q[1], u[0], u[1], v[0], v[1]);
      if (x) out.push(x);
    }
  }
  return out;
}
