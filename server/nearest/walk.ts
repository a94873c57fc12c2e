/**
 * The nearest targets along the streets from one point: the network search (network/search.ts)
 * with an early stop as soon as the answer can no longer change, on the graph's reusable scratch
 * arrays, with routes built only for the answer. Pure, synchronous.
 */
import type { LonLat, WalkGraph } from '../network/graph.js';
import { routeTo } from '../network/route.js';
import { releaseScratch, scratchFor, search } from '../network/search.js';
import type { Snap } from '../network/snap.js';

export interface WalkTarget {
  id: number;
  /** The target placed on the network. */
  snap: Snap;
  /** The target's own position (the route ends there). */
  lon: number;
  lat: number;
}

export interface WalkHit {
  id: number;
  /** Along the streets, from the query's snap point to the target's. */
  networkM: number;
  /** Door to door: query point → street → along it → target. */
  totalM: number;
  route: LonLat[];
}

/**
 * The `limit` targets nearest to `from` door to door (`from.distanceM` + along the streets +
 * `target.snap.distanceM`), among those within `limitM` along the streets; nearest first, ties in
 * the order of `targets`. The same answer (distances to the last bit, and routes) as walking the
 * whole radius with walkFrom, calling routeTo for every target and sorting, because:
 *
 * - the search is walkFrom's (the same function, search.ts) — same seeds, queue, relaxation and
 *   limit — so every node it settles gets the same distance and predecessor;
 * - it stops when the next node to settle is farther (plus the query's own distance to the
 *   street) than the limit-th best door-to-door total known so far. Any target not yet known
 *   could then only be reached through an unsettled node, at a total strictly greater, and the
 *   known totals that are ≤ that bound are final.
 *
 * @param query the query point (the route starts there); `from` is its snap
 * @returns the answer and `reachable`: how many targets lie within `limitM` (exact when the
 * search ran to the end; otherwise ≥ limit, which is all a caller widening its radius needs).
 */
export function nearestAlongStreets(
  g: WalkGraph,
  query: { lon: number; lat: number },
  from: Snap,
  targets: readonly WalkTarget[],
  limit: number,
  limitM: number,
): { hits: WalkHit[]; reachable: number } {
  if (!(limitM >= 0)) throw new RangeError(`limitM must be >= 0, got ${limitM}`);
  if (!(from.edge >= 0 && from.edge < g.edgeCount)) throw new RangeError(`snap 0: edge ${from.edge} is not in the graph`);
  const { edgeLength, edgeSource, edgeTarget } = g;

  // Each target's network distance: min over its edge's two ends (once settled) and, on the
  // query's own edge, the distance along it — the candidates routeTo compares.
  const m = targets.length;
  const net = new Float64Array(m).fill(Infinity);
  const atNode = new Map<number, number[]>();
  const fromLen = edgeLength[from.edge]!;
  const fromOff = Math.min(Math.max(from.offsetM, 0), fromLen);
  for (let j = 0; j < m; j++) {
    const t = targets[j]!.snap;
    const e = t.edge;
    if (!(e >= 0 && e < g.edgeCount)) throw new RangeError(`target edge ${e} is not in the graph`);
    for (const node of [edgeSource[e]!, edgeTarget[e]!]) {
      const list = atNode.get(node);
      if (list) list.push(j);
      else atNode.set(node, [j]);
    }
    if (e === from.edge) net[j] = Math.abs(fromOff - Math.min(Math.max(t.offsetM, 0), edgeLength[e]!));
  }
  const total = (j: number) => from.distanceM + net[j]! + targets[j]!.snap.distanceM;
  // The limit-th smallest door-to-door total among the targets known so far (Infinity if fewer).
  let bound = Infinity;
  const updateBound = () => {
    const known: number[] = [];
    for (let j = 0; j < m; j++) if (net[j]! <= limitM) known.push(total(j));
    if (known.length < limit) return;
    known.sort((a, b) => a - b);
    bound = known[limit - 1]!;
  };
  updateBound();

  // Settling node u finalises the candidates through it of the targets on edges that end at u.
  const onSettle = (u: number, d: number): boolean => {
    if (from.distanceM + d > bound) return false;
    const here = atNode.get(u);
    if (!here) return true;
    let changed = false;
    for (const j of here) {
      const e = targets[j]!.snap.edge;
      const len = edgeLength[e]!;
      const off = Math.min(Math.max(targets[j]!.snap.offsetM, 0), len);
      // A self-loop has the node at both ends.
      if (edgeSource[e] === u && d + off < net[j]!) {
        net[j] = d + off;
        changed = true;
      }
      if (edgeTarget[e] === u && d + (len - off) < net[j]!) {
        net[j] = d + (len - off);
        changed = true;
      }
    }
    if (changed) updateBound();
    return true;
  };

  const scratch = scratchFor(g);
  try {
    const reach = search(g, [from], limitM, { onSettle, scratch });
    const exhausted = !reach.stopped;
    const order: number[] = [];
    for (let j = 0; j < m; j++) if (net[j]! <= limitM && (exhausted || total(j) <= bound)) order.push(j);
    order.sort((a, b) => total(a) - total(b)); // stable: ties keep the targets' order
    const hits: WalkHit[] = [];
    for (const j of order.slice(0, limit)) {
      const t = targets[j]!;
      const r = routeTo(g, reach, t.snap);
      if (!r) continue; // cannot happen: net[j] is one of routeTo's candidates and ≤ limitM
      hits.push({
        id: t.id,
        networkM: r.distanceM,
        totalM: from.distanceM + r.distanceM + t.snap.distanceM,
        route: [[query.lon, query.lat], ...r.coords, [t.lon, t.lat]],
      });
    }
    return { hits, reachable: order.length };
  } finally {
    releaseScratch(scratch);
  }
}
