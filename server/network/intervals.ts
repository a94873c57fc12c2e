/**
 * What a walk covers: the reached parts of every street, as intervals along edges and as lines.
 */
import { edgeSlice, type LonLat, type WalkGraph } from './graph.js';
import type { Reach } from './search.js';

/** Covered intervals [fromM, toM] along each edge, by edge index. */
export type EdgeIntervals = Map<number, [number, number][]>;

/**
 * The covered parts of every edge, in metres along the edge from its source: from a reached source
 * end `[0, limit − dist(source)]`, from a reached target end `[len − (limit − dist(target)), len]`,
 * and around each snap on its own edge `[offset − limit, offset + limit]`; clamped to the edge,
 * merged where they overlap or touch, sorted (edges ascending). Zero-length intervals (a node
 * reached exactly at the limit) are left out.
 *
 * @param g the graph
 * @param reach a result of walkFrom (search.ts)
 * @returns covered intervals by edge index (edges with no coverage are absent).
 * @example
 * reachedIntervals(g, walkFrom(g, snap, 150)).get(snap.edge) // [[0, 100]]
 */
export function reachedIntervals(g: WalkGraph, reach: Reach): EdgeIntervals {
  const { dist, limitM } = reach;
  const { adjOffsets, adjEdge, edgeSource, edgeTarget, edgeLength } = g;
  const raw = new Map<number, [number, number][]>();
  const add = (e: number, a: number, b: number) => {
    const len = edgeLength[e]!;
    const lo = Math.max(0, a);
    const hi = Math.min(len, b);
    if (!(hi > lo)) return;
    const list = raw.get(e);
    if (list) list.push([lo, hi]);
    else raw.set(e, [[lo, hi]]);
  };

  for (const u of reach.reachedNodes) {
    const rem = limitM - dist[u]!;
    const end = adjOffsets[u + 1]!;
    for (let k = adjOffsets[u]!; k < end; k++) {
      const e = adjEdge[k]!;
      const len = edgeLength[e]!;
      // A self-loop is listed twice at u; it is covered from both of its ends then, which is right.
      if (edgeSource[e] === u) add(e, 0, rem);
      if (edgeTarget[e] === u) add(e, len - rem, len);
    }
  }
  for (const s of reach.snaps) add(s.edge, s.offsetM - limitM, s.offsetM + limitM);

  // Ascending edge order, so output does not depend on the search's visiting order.
  const out: EdgeIntervals = new Map();
  for (const e of [...raw.keys()].sort((a, b) => a - b)) {
    const list = raw.get(e)!;
    out.set(e, list);
    if (list.length === 1) continue;
    list.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    const merged: [number, number][] = [list[0]!];
    for (let i = 1; i < list.length; i++) {
      const cur = list[i]!;
      const last = merged[merged.length - 1]!;
      if (cur[0] <= last[1]) {
        if (cur[1] > last[1]) last[1] = cur[1];
      } else merged.push(cur);
    }
    out.set(e, merged);
  }
  return out;
}

/**
 * The covered parts of the edges as lon/lat polylines, cut out of each edge's geometry at the
 * interval ends (interpolated within segments). Each line runs in its edge's source → target direction.
 *
 * @param g the graph
 * @param intervals a result of {@link reachedIntervals}
 * @returns one polyline per interval.
 * @example
 * intervalsToLines(g, reachedIntervals(g, reach)) // [[[121.6, 38.91], [121.601, 38.91]], …]
 */
export function intervalsToLines(g: WalkGraph, intervals: EdgeIntervals): LonLat[][] {
  const lines: LonLat[][] = [];
  for (const [e, list] of intervals) {
    for (const [a, b] of list) lines.push(edgeSlice(g, e, a, b));
  }
  return lines;
}
