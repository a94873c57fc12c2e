/** Shortest walking routes out of a walk's shortest-path tree. */
import { edgeSlice, type LonLat, type WalkGraph } from './graph.js';
import type { Reach } from './search.js';
import type { Snap } from './snap.js';

/**
 * Shortest walking route from the nearest of `reach`'s sources to a snapped target point: the target
 * is reached through its edge's source or target node (node distance + partial edge), or directly
 * along the edge when a source snapped onto the same edge. The line starts at the source snap point
 * and ends at the target snap point.
 *
 * The route is only trusted within `reach.limitM` (beyond it a shorter path may run through nodes
 * the bounded search never settled), so targets farther than the limit give null: walk with a
 * larger limit to route farther.
 *
 * @param g the graph
 * @param reach a result of walkFrom or search (search.ts)
 * @param target the snapped destination
 * @returns network distance and LineString coordinates, or null when not reachable within the limit.
 * @example
 * const r = routeTo(g, walkFrom(g, from, 2000), snapPoint(g, 121.61, 38.92)!);
 * r?.distanceM // 1234.5
 */
export function routeTo(g: WalkGraph, reach: Reach, target: Snap): { distanceM: number; coords: LonLat[] } | null {
  const e = target.edge;
  if (!(e >= 0 && e < g.edgeCount)) throw new RangeError(`target edge ${e} is not in the graph`);
  const len = g.edgeLength[e]!;
  const off = Math.min(Math.max(target.offsetM, 0), len);
  const s = g.edgeSource[e]!;
  const t = g.edgeTarget[e]!;

  let best = Infinity;
  let via = -1; // node the target edge is entered from, or -1 for "along the same edge"
  let sameSnap = -1;
  if (reach.dist[s]! + off < best) {
    best = reach.dist[s]! + off;
    via = s;
  }
  if (reach.dist[t]! + (len - off) < best) {
    best = reach.dist[t]! + (len - off);
    via = t;
  }
  for (let i = 0; i < reach.snaps.length; i++) {
    const sn = reach.snaps[i]!;
    if (sn.edge !== e) continue;
    const d = Math.abs(Math.min(Math.max(sn.offsetM, 0), len) - off);
    if (d < best) {
      best = d;
      via = -1;
      sameSnap = i;
    }
  }
  if (best === Infinity || !(best <= reach.limitM)) return null;

  if (via < 0) {
    const src = reach.snaps[sameSnap]!;
    const coords = edgeSlice(g, e, Math.min(Math.max(src.offsetM, 0), len), off);
    return { distanceM: best, coords: pinEnds(coords, src, target) };
  }

  // Last piece: from the entry node along the target edge to the target point. A self-loop target
  // edge is entered at its source when off is the shorter way round, else at its target.
  const enterAtSource = s === t ? off <= len - off : via === s;
  const pieces: LonLat[][] = [edgeSlice(g, e, enterAtSource ? 0 : len, off)];
  // Walk the shortest-path tree back to the seed node.
  let v = via;
  for (let guard = 0; reach.pred[v]! >= 0; guard++) {
    if (guard > g.nodeCount) throw new Error('routeTo: predecessor cycle (reach does not belong to this graph?)');
    const u = reach.pred[v]!;
    const pe = reach.predEdge[v]!;
    const forward = g.edgeSource[pe] === u && g.edgeTarget[pe] === v;
    pieces.push(forward ? edgeSlice(g, pe, 0, g.edgeLength[pe]!) : edgeSlice(g, pe, g.edgeLength[pe]!, 0));
    v = u;
  }
  // First piece: from the source snap point along its edge to the seed node.
  const sn = reach.snaps[reach.origin[v]!]!;
  const se = sn.edge;
  const slen = g.edgeLength[se]!;
  const soff = Math.min(Math.max(sn.offsetM, 0), slen);
  const seedAtSource = g.edgeSource[se] === g.edgeTarget[se] ? soff <= slen - soff : g.edgeSource[se] === v;
  pieces.push(edgeSlice(g, se, soff, seedAtSource ? 0 : slen));

  const coords: LonLat[] = [];
  for (let i = pieces.length - 1; i >= 0; i--) {
    const p = pieces[i]!;
    for (let j = 0; j < p.length; j++) {
      const q = p[j]!;
      const prev = coords[coords.length - 1];
      // Pieces share their junction node; keep it once.
      if (j === 0 && prev && prev[0] === q[0] && prev[1] === q[1]) continue;
      coords.push(q);
    }
  }
  if (coords.length === 1) coords.push([coords[0]![0], coords[0]![1]]);
  return { distanceM: best, coords: pinEnds(coords, sn, target) };
}

/** Puts the snaps' own points at the ends of a route (interpolation may differ in the last bits). */
function pinEnds(coords: LonLat[], from: Snap, to: Snap): LonLat[] {
  coords[0] = [from.lon, from.lat];
  coords[coords.length - 1] = [to.lon, to.lat];
  return coords;
}
