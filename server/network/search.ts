/**
 * The one shortest-path search over the walking graph: bounded multi-source Dijkstra (binary heap,
 * lazy deletion). {@link walkFrom} runs it to the limit (isochrones, coverage); walking-nearest
 * (server/nearest/walk.ts) runs it with an early-stop callback and reusable scratch arrays.
 */
import FlatQueue from 'flatqueue';
import type { WalkGraph } from './graph.js';
import type { Snap } from './snap.js';

/** Result of a bounded walk from one or more snapped points. */
export interface Reach {
  /** Network distance from the nearest source, metres; Infinity when not reached within limitM. */
  dist: Float64Array;
  /** Predecessor node index on the shortest path, -1 for seed nodes and unreached nodes. */
  pred: Int32Array;
  /** Edge used to arrive at each node; for seed nodes the edge of the seeding snap; -1 when unreached. */
  predEdge: Int32Array;
  /** Index into `snaps` of the source each node is reached from, -1 when unreached. */
  origin: Int32Array;
  /** Settled node indices, in order of increasing distance. */
  reachedNodes: number[];
  limitM: number;
  snaps: Snap[];
}

/**
 * Per-node arrays kept between searches on one graph, so a search that settles a few hundred nodes
 * does not allocate and fill arrays for the whole city. Between searches every entry holds its
 * initial value (dist Infinity, the others -1 / 0); {@link releaseScratch} restores the entries a
 * search touched.
 */
export interface SearchScratch {
  dist: Float64Array;
  pred: Int32Array;
  predEdge: Int32Array;
  origin: Int32Array;
  settled: Uint8Array;
  /** Nodes whose entries the last search changed. */
  touched: number[];
}

export interface SearchOptions {
  /**
   * Called as each node is about to be settled, nearest first, with its final distance. Returning
   * false stops the search there: that node and every farther one stay unsettled (the early stop).
   */
  onSettle?: (node: number, distM: number) => boolean;
  /**
   * Arrays to search in instead of new ones (from {@link scratchFor}). The result's arrays are then
   * the scratch's: read it, then call {@link releaseScratch} before the next search.
   */
  scratch?: SearchScratch;
}

function freshArrays(n: number): SearchScratch {
  return {
    dist: new Float64Array(n).fill(Infinity),
    pred: new Int32Array(n).fill(-1),
    predEdge: new Int32Array(n).fill(-1),
    origin: new Int32Array(n).fill(-1),
    settled: new Uint8Array(n),
    touched: [],
  };
}

const scratches = new WeakMap<WalkGraph, SearchScratch>();

/** The graph's scratch arrays (made on first use, one set per graph: searches must not overlap). */
export function scratchFor(g: WalkGraph): SearchScratch {
  let s = scratches.get(g);
  if (!s) {
    s = freshArrays(g.nodeCount);
    scratches.set(g, s);
  }
  return s;
}

/** Puts back the initial values in every entry the last search on `s` changed. */
export function releaseScratch(s: SearchScratch): void {
  const { dist, pred, predEdge, origin, settled, touched } = s;
  for (const v of touched) {
    dist[v] = Infinity;
    pred[v] = -1;
    predEdge[v] = -1;
    origin[v] = -1;
    settled[v] = 0;
  }
  touched.length = 0;
}

/**
 * Bounded multi-source Dijkstra. Each snap seeds its edge's source node with `offsetM` and its
 * target node with `length − offsetM`; `dist` is the minimum over all sources. Nodes farther than
 * `limitM` are never settled (nor even queued). Ties between equal distances are broken the same
 * way whatever the options, so a search stopped early has settled exactly a prefix of what the full
 * search settles, with the same distances and predecessors.
 *
 * @param g the graph
 * @param snaps the sources
 * @param limitM walking limit in metres (Infinity walks the whole component)
 * @param options early stop and scratch arrays
 * @returns the reach, and `stopped`: whether `onSettle` ended the search before the limit did.
 * @throws RangeError when limitM is negative or NaN, or a snap's edge is not in the graph.
 */
export function search(g: WalkGraph, snaps: Snap[], limitM: number, options: SearchOptions = {}): Reach & { stopped: boolean } {
  if (!(limitM >= 0)) throw new RangeError(`limitM must be >= 0, got ${limitM}`);
  const { onSettle, scratch } = options;
  const { dist, pred, predEdge, origin, settled } = scratch ?? freshArrays(g.nodeCount);
  // Only a reused scratch needs to know what to put back.
  const touched = scratch ? scratch.touched : null;
  const reachedNodes: number[] = [];
  const queue = new FlatQueue<number>();
  const { adjOffsets, adjNode, adjEdge, edgeLength } = g;

  for (let s = 0; s < snaps.length; s++) {
    const sn = snaps[s]!;
    if (!(sn.edge >= 0 && sn.edge < g.edgeCount)) throw new RangeError(`snap ${s}: edge ${sn.edge} is not in the graph`);
    const len = edgeLength[sn.edge]!;
    const off = Math.min(Math.max(sn.offsetM, 0), len);
    // Source end first, then target end.
    for (let end = 0; end < 2; end++) {
      const node = end === 0 ? g.edgeSource[sn.edge]! : g.edgeTarget[sn.edge]!;
      const d = end === 0 ? off : len - off;
      if (d <= limitM && d < dist[node]!) {
        if (touched && dist[node] === Infinity) touched.push(node);
        dist[node] = d;
        pred[node] = -1;
        predEdge[node] = sn.edge;
        origin[node] = s;
        queue.push(node, d);
      }
    }
  }

  let stopped = false;
  while (queue.length > 0) {
    const d = queue.peekValue()!;
    const u = queue.pop()!;
    if (settled[u]) continue; // stale entry (lazy deletion)
    if (onSettle && !onSettle(u, d)) {
      stopped = true;
      break;
    }
    settled[u] = 1;
    reachedNodes.push(u);
    const end = adjOffsets[u + 1]!;
    for (let k = adjOffsets[u]!; k < end; k++) {
      const e = adjEdge[k]!;
      const nd = d + edgeLength[e]!;
      const w = adjNode[k]!;
      if (nd <= limitM && nd < dist[w]!) {
        if (touched && dist[w] === Infinity) touched.push(w);
        dist[w] = nd;
        pred[w] = u;
        predEdge[w] = e;
        origin[w] = origin[u]!;
        queue.push(w, nd);
      }
    }
  }
  return { dist, pred, predEdge, origin, reachedNodes, limitM, snaps, stopped };
}

/**
 * The whole bounded walk from one or more snapped points (fresh arrays, no early stop): one call
 * gives the coverage of a whole station type, which is what keeps an isochrone cheap on a
 * city-sized graph.
 *
 * @param g the graph
 * @param snaps one snapped source or several
 * @param limitM walking limit in metres (Infinity walks the whole component)
 * @returns distances, shortest-path tree and reached nodes.
 * @throws RangeError when limitM is negative or NaN, or a snap's edge is not in the graph.
 * @example
 * const reach = walkFrom(g, snapPoint(g, 121.6, 38.91)!, 1200);
 * reach.reachedNodes.length // nodes within 1,200 m
 */
export function walkFrom(g: WalkGraph, snaps: Snap[] | Snap, limitM: number): Reach {
  const { stopped: _, ...reach } = search(g, Array.isArray(snaps) ? snaps.slice() : [snaps], limitM);
  return reach;
}
