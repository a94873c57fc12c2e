/**
 * Placing a point on the walking graph: the nearest point of any walkable edge, measured in the
 * local ellipsoidal metre frame at the query (server/geo metresPerDegree). The frame's scale drifts
 * by ~tan φ per radian of latitude away from the query, so a 500 m snap distance is within ~2 cm of
 * the geodesic one at 45° (far less for the usual tens of metres); offsets along the edge come from
 * the graph's cumulative lengths, which match the stored ellipsoidal lengths.
 */
import { metresPerDegree } from '../geo/measure.js';
import type { WalkGraph } from './graph.js';

/** A point placed on the network. */
export interface Snap {
  /** Edge index in the WalkGraph. */
  edge: number;
  /** Distance along the edge from its source, metres. */
  offsetM: number;
  /** Distance from the query point to the edge, metres. */
  distanceM: number;
  /** The snapped point on the edge. */
  lon: number;
  lat: number;
}

/**
 * Nearest point on any walkable edge, measured exactly (point-to-segment) in a local equirectangular
 * metre frame at the query latitude (WGS84 metres per degree). Candidates come from the edge index
 * with a search box that doubles from 25 m up to `maxDistanceM`; ties go to the lower edge index.
 *
 * @param g the graph
 * @param lon query longitude
 * @param lat query latitude
 * @param maxDistanceM give up beyond this distance (default 500 m)
 * @returns the snapped point, or null when no walkable edge is within `maxDistanceM`.
 * @example
 * snapPoint(g, 121.6003, 38.9101) // { edge: 17, offsetM: 42.1, distanceM: 8.3, lon: …, lat: … }
 */
export function snapPoint(g: WalkGraph, lon: number, lat: number, maxDistanceM = 500): Snap | null {
  if (g.edgeCount === 0 || !Number.isFinite(lon) || !Number.isFinite(lat) || !(maxDistanceM >= 0)) return null;
  const { x: kx, y: ky } = metresPerDegree(lat);
  const { coords, coordOffsets } = g;

  let bestD2 = Infinity;
  let bestEdge = -1;
  let bestSeg = -1;
  let bestT = 0;
  const tested = new Set<number>();

  // Growing box: once the best candidate is within the box's half-size, no edge outside it can be
  // closer (any closer point would lie inside the box, so its edge's bbox would intersect it).
  let r = Math.min(25, maxDistanceM);
  for (;;) {
    const dLon = r / kx;
    const dLat = r / ky;
    const found = g.index.search(lon - dLon, lat - dLat, lon + dLon, lat + dLat);
    for (const e of found) {
      if (tested.has(e)) continue;
      tested.add(e);
      const end = coordOffsets[e + 1]! - 1;
      for (let k = coordOffsets[e]!; k < end; k++) {
        const ax = (coords[2 * k]! - lon) * kx;
        const ay = (coords[2 * k + 1]! - lat) * ky;
        const bx = (coords[2 * k + 2]! - lon) * kx;
        const by = (coords[2 * k + 3]! - lat) * ky;
        const dx = bx - ax;
        const dy = by - ay;
        const l2 = dx * dx + dy * dy;
        // Projection of the origin (the query point) onto segment a→b, clamped.
        let t = l2 > 0 ? -(ax * dx + ay * dy) / l2 : 0;
        if (t < 0) t = 0;
        else if (t > 1) t = 1;
        const px = ax + t * dx;
        const py = ay + t * dy;
        const d2 = px * px + py * py;
        if (d2 < bestD2 || (d2 === bestD2 && e < bestEdge)) {
          bestD2 = d2;
          bestEdge = e;
          bestSeg = k;
          bestT = t;
        }
      }
    }
    if (bestEdge >= 0 && bestD2 <= r * r) break;
    if (r >= maxDistanceM) break;
    r = Math.min(r * 2, maxDistanceM);
  }
  if (bestEdge < 0) return null;
  const distanceM = Math.sqrt(bestD2);
  if (distanceM > maxDistanceM) return null;

  const k = bestSeg;
  const offsetM = g.cumDist[k]! + bestT * (g.cumDist[k + 1]! - g.cumDist[k]!);
  return {
    edge: bestEdge,
    offsetM,
    distanceM,
    lon: coords[2 * k]! + bestT * (coords[2 * k + 2]! - coords[2 * k]!),
    lat: coords[2 * k + 1]! + bestT * (coords[2 * k + 3]! - coords[2 * k + 1]!),
  };
}
