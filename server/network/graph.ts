/**
 * Walking-network search: a compact undirected graph of the walkable streets, snapping points onto
 * it, bounded multi-source Dijkstra, the covered parts of every street, shortest routes and
 * buffered "service area" polygons (isochrones).
 *
 * Pure: no I/O, inputs are never mutated. Everything hot lives in typed arrays (CSR adjacency) so a
 * city-sized network (~150k edges) builds in tens of milliseconds and a 1.2 km walk runs in a few.
 *
 * Distances are metres along the network. Each edge's geometry is measured in a local equirectangular
 * frame and the per-vertex cumulative distances are rescaled so the last one equals the edge's stored
 * geodesic `lengthM`, so graph distances and positions along edges agree with the database.
 */
import Flatbush from 'flatbush';
import FlatQueue from 'flatqueue';
import polygonClipping from 'polygon-clipping';
import type { MultiLineString, MultiPolygon } from 'geojson';
import type { StreetNetwork } from './types.js';

/** Metres per degree of latitude on the mean-radius sphere (the radius Turf uses). */
const M_PER_DEG = (6371008.8 * Math.PI) / 180;
const RAD = Math.PI / 180;

/** A [lon, lat] pair. */
export type LonLat = [number, number];

/**
 * Compact undirected walking graph. Node `i` is `network.nodes[i]`; edge `e` is the `e`-th walkable
 * edge of the network (its original id is `edgeIds[e]`).
 */
export interface WalkGraph {
  nodeCount: number;
  edgeCount: number;
  /** Original node ids, by node index. */
  nodeIds: Float64Array;
  nodeLon: Float64Array;
  nodeLat: Float64Array;
  /** Node index by original node id. */
  nodeIndex: Map<number, number>;
  /** CSR adjacency: the neighbours of node i are adjNode[adjOffsets[i] .. adjOffsets[i+1]). */
  adjOffsets: Int32Array;
  /** Neighbouring node index for each adjacency entry. */
  adjNode: Int32Array;
  /** Edge index for each adjacency entry (every edge appears once from each end). */
  adjEdge: Int32Array;
  /** Source node index of each edge. */
  edgeSource: Int32Array;
  /** Target node index of each edge. */
  edgeTarget: Int32Array;
  /** Length of each edge in metres (the network's `lengthM`). */
  edgeLength: Float64Array;
  /** Original edge ids, by edge index. */
  edgeIds: Float64Array;
  /** Vertices of edge e are vertex indices coordOffsets[e] .. coordOffsets[e+1]-1 (source → target). */
  coordOffsets: Int32Array;
  /** Interleaved lon, lat of every vertex: vertex v is coords[2v], coords[2v+1]. */
  coords: Float64Array;
  /** Distance of each vertex from its edge's source, in metres; the last vertex of an edge = its length. */
  cumDist: Float64Array;
  /** Spatial index over the edges' lon/lat bounding boxes; item i is edge i. */
  index: Flatbush;
}

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
  /** Reached node indices, in order of increasing distance. */
  reachedNodes: number[];
  limitM: number;
  snaps: Snap[];
}

/** Covered intervals [fromM, toM] along each edge, by edge index. */
export type EdgeIntervals = Map<number, [number, number][]>;

/** Result of {@link isochrone}. */
export interface Isochrone {
  snap: Snap;
  /** Number of network nodes reached within the limit. */
  reachedNodes: number;
  /** Buffered reached streets. */
  polygon: MultiPolygon;
  /** The reached parts of the streets. */
  lines: MultiLineString;
}

// ---------------------------------------------------------------------------------------------
// Building

type TypedArrayOf<T> = { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
/** A typed array on shared memory: worker threads see the graph without a copy. */
function shared<T>(Ctor: TypedArrayOf<T>, length: number): T {
  return new Ctor(new SharedArrayBuffer(Math.max(0, length) * Ctor.BYTES_PER_ELEMENT));
}

/** The graph as plain typed arrays on shared memory, to post to a worker thread (nothing is copied). */
export type SharedWalkGraph = Omit<WalkGraph, 'nodeIndex' | 'index'> & { indexData: ArrayBuffer | SharedArrayBuffer };

/** The graph's arrays for a worker thread; see {@link walkGraphFromShared}. */
export function shareWalkGraph(g: WalkGraph): SharedWalkGraph {
  const { nodeIndex: _n, index, ...arrays } = g;
  return { ...arrays, indexData: index.data };
}

/** The graph again, on the same shared memory (the node-id map is rebuilt). */
export function walkGraphFromShared(s: SharedWalkGraph): WalkGraph {
  const { indexData, ...arrays } = s;
  const nodeIndex = new Map<number, number>();
  for (let i = 0; i < s.nodeCount; i++) nodeIndex.set(s.nodeIds[i]!, i);
  return { ...arrays, nodeIndex, index: Flatbush.from(indexData) };
}

/**
 * Builds the compact walking graph of a street network: only `walkable` edges, both directions.
 * Built once per network and shared by every search.
 *
 * @param network nodes and edges; edges must reference existing node ids.
 * @returns the graph; edge indices follow the order of the walkable edges in `network.edges`.
 * @throws Error when an edge references a node id that is not in `network.nodes`.
 * @example
 * const g = buildWalkGraph(network);
 * const snap = snapPoint(g, 121.6, 38.91);
 */
export function buildWalkGraph(network: StreetNetwork): WalkGraph {
  const nodes = network.nodes;
  const nodeCount = nodes.length;
  const nodeIds = shared(Float64Array, nodeCount);
  const nodeLon = shared(Float64Array, nodeCount);
  const nodeLat = shared(Float64Array, nodeCount);
  const nodeIndex = new Map<number, number>();
  for (let i = 0; i < nodeCount; i++) {
    const n = nodes[i]!;
    nodeIds[i] = n.id;
    nodeLon[i] = n.lon;
    nodeLat[i] = n.lat;
    nodeIndex.set(n.id, i);
  }

  // First pass: count walkable edges and vertices so every array is allocated once.
  const edges = network.edges;
  let edgeCount = 0;
  let vertexCount = 0;
  for (const e of edges) {
    if (!e.walkable) continue;
    edgeCount++;
    vertexCount += e.coords && e.coords.length >= 2 ? e.coords.length : 2;
  }

  const edgeSource = shared(Int32Array, edgeCount);
  const edgeTarget = shared(Int32Array, edgeCount);
  const edgeLength = shared(Float64Array, edgeCount);
  const edgeIds = shared(Float64Array, edgeCount);
  const coordOffsets = shared(Int32Array, edgeCount + 1);
  const coords = shared(Float64Array, vertexCount * 2);
  const cumDist = shared(Float64Array, vertexCount);
  const degree = new Int32Array(nodeCount + 1);
  const index = new Flatbush(Math.max(edgeCount, 1), 16, Float64Array, SharedArrayBuffer);

  let ei = 0;
  let v = 0;
  for (const e of edges) {
    if (!e.walkable) continue;
    const s = nodeIndex.get(e.source);
    const t = nodeIndex.get(e.target);
    if (s === undefined || t === undefined) {
      throw new Error(`edge ${e.id}: node ${s === undefined ? e.source : e.target} is not in the network`);
    }
    edgeSource[ei] = s;
    edgeTarget[ei] = t;
    edgeIds[ei] = e.id;
    degree[s]++;
    degree[t]++;
    coordOffsets[ei] = v;

    // Missing geometry falls back to the straight line between the end nodes.
    const c = e.coords;
    const first = v;
    if (c && c.length >= 2) {
      for (let k = 0; k < c.length; k++) {
        coords[2 * v] = c[k]![0];
        coords[2 * v + 1] = c[k]![1];
        v++;
      }
    } else {
      coords[2 * v] = nodeLon[s]!;
      coords[2 * v + 1] = nodeLat[s]!;
      coords[2 * v + 2] = nodeLon[t]!;
      coords[2 * v + 3] = nodeLat[t]!;
      v += 2;
    }

    // Cumulative planar length (equirectangular per segment) and the bbox in one sweep.
    let minX = coords[2 * first]!;
    let minY = coords[2 * first + 1]!;
    let maxX = minX;
    let maxY = minY;
    let acc = 0;
    cumDist[first] = 0;
    for (let k = first + 1; k < v; k++) {
      const x0 = coords[2 * k - 2]!;
      const y0 = coords[2 * k - 1]!;
      const x1 = coords[2 * k]!;
      const y1 = coords[2 * k + 1]!;
      const dx = (x1 - x0) * Math.cos(((y0 + y1) / 2) * RAD);
      const dy = y1 - y0;
      acc += Math.sqrt(dx * dx + dy * dy) * M_PER_DEG;
      cumDist[k] = acc;
      if (x1 < minX) minX = x1;
      if (x1 > maxX) maxX = x1;
      if (y1 < minY) minY = y1;
      if (y1 > maxY) maxY = y1;
    }
    // The stored geodesic length is authoritative; rescale so positions along the edge agree with it.
    const len = Number.isFinite(e.lengthM) && e.lengthM >= 0 ? e.lengthM : acc;
    edgeLength[ei] = len;
    const last = v - 1;
    if (acc > 0) {
      const f = len / acc;
      for (let k = first + 1; k < last; k++) cumDist[k] = cumDist[k]! * f;
    } else {
      // Degenerate geometry (all vertices equal): spread the length evenly over the vertices.
      for (let k = first + 1; k < last; k++) cumDist[k] = (len * (k - first)) / (last - first);
    }
    cumDist[last] = len; // exact, whatever the rounding above
    index.add(minX, minY, maxX, maxY);
    ei++;
  }
  coordOffsets[edgeCount] = v;
  // Flatbush refuses an empty index; a single far-away dummy box keeps the type simple.
  if (edgeCount === 0) index.add(Infinity, Infinity, Infinity, Infinity);
  index.finish();

  // CSR adjacency: prefix sums of degrees, then fill both directions of every edge.
  const adjOffsets = shared(Int32Array, nodeCount + 1);
  for (let i = 0; i < nodeCount; i++) adjOffsets[i + 1] = adjOffsets[i]! + degree[i]!;
  const fill = adjOffsets.slice(0, nodeCount);
  const adjNode = shared(Int32Array, 2 * edgeCount);
  const adjEdge = shared(Int32Array, 2 * edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const s = edgeSource[e]!;
    const t = edgeTarget[e]!;
    let k = fill[s]!;
    fill[s] = k + 1;
    adjNode[k] = t;
    adjEdge[k] = e;
    k = fill[t]!;
    fill[t] = k + 1;
    adjNode[k] = s;
    adjEdge[k] = e;
  }

  return {
    nodeCount,
    edgeCount,
    nodeIds,
    nodeLon,
    nodeLat,
    nodeIndex,
    adjOffsets,
    adjNode,
    adjEdge,
    edgeSource,
    edgeTarget,
    edgeLength,
    edgeIds,
    coordOffsets,
    coords,
    cumDist,
    index,
  };
}

// ---------------------------------------------------------------------------------------------
// Snapping

/**
 * Nearest point on any walkable edge, measured exactly (point-to-segment) in a local equirectangular
 * metre frame at the query latitude. Candidates come from the edge index with a search box that
 * doubles from 25 m up to `maxDistanceM`; ties go to the lower edge index.
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
  const ky = M_PER_DEG;
  const kx = M_PER_DEG * Math.cos(lat * RAD);
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

// ---------------------------------------------------------------------------------------------
// Search

/**
 * Bounded multi-source Dijkstra over the walking graph. Each snap seeds its edge's source node with
 * `offsetM` and its target node with `length − offsetM`; `dist` is the minimum over all sources, so
 * one call gives the coverage of a whole station type. Nodes farther than `limitM` are never settled
 * (nor even queued), which is what keeps an isochrone cheap on a city-sized graph.
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
  if (!(limitM >= 0)) throw new RangeError(`limitM must be >= 0, got ${limitM}`);
  const list = Array.isArray(snaps) ? snaps.slice() : [snaps];
  const n = g.nodeCount;
  const dist = new Float64Array(n).fill(Infinity);
  const pred = new Int32Array(n).fill(-1);
  const predEdge = new Int32Array(n).fill(-1);
  const origin = new Int32Array(n).fill(-1);
  const settled = new Uint8Array(n);
  const reachedNodes: number[] = [];
  const queue = new FlatQueue<number>();
  const { adjOffsets, adjNode, adjEdge, edgeLength } = g;

  const seed = (node: number, d: number, edge: number, src: number) => {
    if (d <= limitM && d < dist[node]!) {
      dist[node] = d;
      pred[node] = -1;
      predEdge[node] = edge;
      origin[node] = src;
      queue.push(node, d);
    }
  };
  for (let s = 0; s < list.length; s++) {
    const sn = list[s]!;
    if (!(sn.edge >= 0 && sn.edge < g.edgeCount)) throw new RangeError(`snap ${s}: edge ${sn.edge} is not in the graph`);
    const len = edgeLength[sn.edge]!;
    const off = Math.min(Math.max(sn.offsetM, 0), len);
    seed(g.edgeSource[sn.edge]!, off, sn.edge, s);
    seed(g.edgeTarget[sn.edge]!, len - off, sn.edge, s);
  }

  while (queue.length > 0) {
    const d = queue.peekValue()!;
    const u = queue.pop()!;
    if (settled[u]) continue; // stale entry (lazy deletion)
    settled[u] = 1;
    reachedNodes.push(u);
    const end = adjOffsets[u + 1]!;
    for (let k = adjOffsets[u]!; k < end; k++) {
      const e = adjEdge[k]!;
      const nd = d + edgeLength[e]!;
      const w = adjNode[k]!;
      if (nd <= limitM && nd < dist[w]!) {
        dist[w] = nd;
        pred[w] = u;
        predEdge[w] = e;
        origin[w] = origin[u]!;
        queue.push(w, nd);
      }
    }
  }

  return { dist, pred, predEdge, origin, reachedNodes, limitM, snaps: list };
}

/**
 * The covered parts of every edge, in metres along the edge from its source: from a reached source
 * end `[0, limit − dist(source)]`, from a reached target end `[len − (limit − dist(target)), len]`,
 * and around each snap on its own edge `[offset − limit, offset + limit]`; clamped to the edge,
 * merged where they overlap or touch, sorted (edges ascending). Zero-length intervals (a node
 * reached exactly at the limit) are left out.
 *
 * @param g the graph
 * @param reach a result of {@link walkFrom}
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

/** Point at `x` metres along edge e (clamped), as lon/lat. */
function pointAt(g: WalkGraph, e: number, x: number): LonLat {
  const first = g.coordOffsets[e]!;
  const last = g.coordOffsets[e + 1]! - 1;
  const cum = g.cumDist;
  if (x <= 0) return [g.coords[2 * first]!, g.coords[2 * first + 1]!];
  if (x >= cum[last]!) return [g.coords[2 * last]!, g.coords[2 * last + 1]!];
  // Binary search for the segment [k, k+1] with cum[k] <= x < cum[k+1].
  let lo = first;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const span = cum[hi]! - cum[lo]!;
  const t = span > 0 ? (x - cum[lo]!) / span : 0;
  const c = g.coords;
  return [c[2 * lo]! + t * (c[2 * hi]! - c[2 * lo]!), c[2 * lo + 1]! + t * (c[2 * hi + 1]! - c[2 * lo + 1]!)];
}

/**
 * Geometry of edge e between `a` and `b` metres from its source; reversed when a > b. Always at
 * least two points.
 */
function slice(g: WalkGraph, e: number, a: number, b: number): LonLat[] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const out: LonLat[] = [pointAt(g, e, lo)];
  const first = g.coordOffsets[e]!;
  const last = g.coordOffsets[e + 1]! - 1;
  const cum = g.cumDist;
  for (let k = first; k <= last; k++) {
    const x = cum[k]!;
    if (x > lo && x < hi) out.push([g.coords[2 * k]!, g.coords[2 * k + 1]!]);
  }
  out.push(pointAt(g, e, hi));
  if (a > b) out.reverse();
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
    for (const [a, b] of list) lines.push(slice(g, e, a, b));
  }
  return lines;
}

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
 * @param reach a result of {@link walkFrom}
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
    const coords = slice(g, e, Math.min(Math.max(src.offsetM, 0), len), off);
    return { distanceM: best, coords: pinEnds(coords, src, target) };
  }

  // Last piece: from the entry node along the target edge to the target point. A self-loop target
  // edge is entered at its source when off is the shorter way round, else at its target.
  const enterAtSource = s === t ? off <= len - off : via === s;
  const pieces: LonLat[][] = [slice(g, e, enterAtSource ? 0 : len, off)];
  // Walk the shortest-path tree back to the seed node.
  let v = via;
  for (let guard = 0; reach.pred[v]! >= 0; guard++) {
    if (guard > g.nodeCount) throw new Error('routeTo: predecessor cycle (reach does not belong to this graph?)');
    const u = reach.pred[v]!;
    const pe = reach.predEdge[v]!;
    const forward = g.edgeSource[pe] === u && g.edgeTarget[pe] === v;
    pieces.push(forward ? slice(g, pe, 0, g.edgeLength[pe]!) : slice(g, pe, g.edgeLength[pe]!, 0));
    v = u;
  }
  // First piece: from the source snap point along its edge to the seed node.
  const sn = reach.snaps[reach.origin[v]!]!;
  const se = sn.edge;
  const slen = g.edgeLength[se]!;
  const soff = Math.min(Math.max(sn.offsetM, 0), slen);
  const seedAtSource =
    g.edgeSource[se] === g.edgeTarget[se] ? soff <= slen - soff : g.edgeSource[se] === v;
  pieces.push(slice(g, se, soff, seedAtSource ? 0 : slen));

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

// ---------------------------------------------------------------------------------------------
// Buffering

/** Options for {@link serviceAreaPolygon}. */
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

/** Douglas–Peucker on an interleaved x,y array; returns kept vertex indices (iterative). */
export function simplifyIdx(xy: ArrayLike<number>, n: number, tol: number): number[] {
  if (n <= 2 || tol <= 0) return Array.from({ length: n }, (_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: number[] = [0, n - 1];
  const tol2 = tol * tol;
  while (stack.length) {
    const b = stack.pop()!;
    const a = stack.pop()!;
    const ax = xy[2 * a]!;
    const ay = xy[2 * a + 1]!;
    const dx = xy[2 * b]! - ax;
    const dy = xy[2 * b + 1]! - ay;
    const l2 = dx * dx + dy * dy;
    let maxD = -1;
    let idx = -1;
    for (let i = a + 1; i < b; i++) {
      const x = xy[2 * i]!;
      const y = xy[2 * i + 1]!;
      let t = l2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / l2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const px = x - (ax + t * dx);
      const py = y - (ay + t * dy);
      const d2 = px * px + py * py;
      if (d2 > maxD) {
        maxD = d2;
        idx = i;
      }
    }
    if (maxD > tol2) {
      keep[idx] = 1;
      stack.push(a, idx, idx, b);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

/**
 * Unit direction leaving a line at one end (start: towards the next distinct vertex; end: towards
 * the previous one), or null for a line of coincident points.
 */
function endDirection(xy: number[], atEnd: boolean): [number, number] | null {
  const n = xy.length / 2;
  const i0 = atEnd ? n - 1 : 0;
  const stepI = atEnd ? -1 : 1;
  for (let i = i0 + stepI; i >= 0 && i < n; i += stepI) {
    const dx = xy[2 * i]! - xy[2 * i0]!;
    const dy = xy[2 * i + 1]! - xy[2 * i0 + 1]!;
    const l = Math.hypot(dx, dy);
    if (l > 0) return [dx / l, dy / l];
  }
  return null;
}

/** A point's key to 1 cm: one exact number within ±335 km of the frame's origin, else a string. */
function endKey(x: number, y: number): number | string {
  const cx = Math.round(x * 100);
  const cy = Math.round(y * 100);
  return Math.abs(cx) < 2 ** 25 && Math.abs(cy) < 2 ** 25 ? (cx + 2 ** 25) * 2 ** 26 + (cy + 2 ** 25) : `${cx},${cy}`;
}

/**
 * Joins metre-frame polylines that share an end point (to 1 cm) into chains. At each junction the
 * line ends are paired greedily, straightest continuation first; unpaired ends start chains, and
 * closed loops are walked last. The union of the chains' buffers equals the union of the lines'.
 */
export function joinAtEnds(lines: number[][]): number[][] {
  const endsAt = new Map<number | string, number[]>(); // key → end ids (2·line + 0 start / 1 end)
  const dirs: ([number, number] | null)[] = [];
  for (let i = 0; i < lines.length; i++) {
    const xy = lines[i]!;
    const n = xy.length / 2;
    for (const atEnd of [false, true]) {
      const dir = endDirection(xy, atEnd);
      dirs.push(dir);
      if (!dir) continue; // a point joins nothing
      const k = atEnd ? n - 1 : 0;
      const key = endKey(xy[2 * k]!, xy[2 * k + 1]!);
      const list = endsAt.get(key);
      if (list) list.push(2 * i + (atEnd ? 1 : 0));
      else endsAt.set(key, [2 * i + (atEnd ? 1 : 0)]);
    }
  }

  const partner = new Int32Array(2 * lines.length).fill(-1);
  for (const ends of endsAt.values()) {
    if (ends.length < 2) continue;
    // Straight on means the two directions leaving the junction are opposite: most negative dot first.
    const pairs: [number, number, number][] = [];
    for (let a = 0; a < ends.length; a++) {
      for (let b = a + 1; b < ends.length; b++) {
        const da = dirs[ends[a]!]!;
        const db = dirs[ends[b]!]!;
        pairs.push([da[0] * db[0] + da[1] * db[1], ends[a]!, ends[b]!]);
      }
    }
    pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
    for (const [, a, b] of pairs) {
      if (partner[a]! >= 0 || partner[b]! >= 0) continue;
      partner[a] = b;
      partner[b] = a;
    }
  }

  const used = new Uint8Array(lines.length);
  const chains: number[][] = [];
  const walk = (startEnd: number) => {
    const chain: number[] = [];
    let end = startEnd;
    while (end >= 0 && !used[end >> 1]) {
      const li = end >> 1;
      used[li] = 1;
      const xy = lines[li]!;
      const n = xy.length / 2;
      const reverse = (end & 1) === 1; // entering at the line's end: walk it backwards
      for (let j = chain.length ? 1 : 0; j < n; j++) {
        const k = reverse ? n - 1 - j : j;
        chain.push(xy[2 * k]!, xy[2 * k + 1]!);
      }
      end = partner[end ^ 1]!; // leave by the opposite end, continue into its partner
    }
    chains.push(chain);
  };
  for (let e = 0; e < partner.length; e++) if (partner[e] === -1 && !used[e >> 1]) walk(e);
  for (let i = 0; i < lines.length; i++) if (!used[i]) walk(2 * i); // closed loops
  return chains;
}

function capsulesLocal(lines: LonLat[][], widthM: number, options: BufferOptions): { polys: [number, number][][][]; lon0: number; lat0: number; kx: number; ky: number } | null {
  if (!(widthM > 0) || lines.length === 0) return null;
  const n = Math.max(4, Math.round(options.segments ?? 12));
  const tol = Math.max(0, options.simplifyM ?? widthM / 10);

  // One frame for all lines, centred on their bounding box (isochrones span a few km at most).
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const l of lines) {
    for (const p of l) {
      if (p[0] < minX) minX = p[0];
      if (p[0] > maxX) maxX = p[0];
      if (p[1] < minY) minY = p[1];
      if (p[1] > maxY) maxY = p[1];
    }
  }
  if (!Number.isFinite(minX)) return null;
  const lon0 = (minX + maxX) / 2;
  const lat0 = (minY + maxY) / 2;
  const ky = M_PER_DEG;
  const kx = M_PER_DEG * Math.cos(lat0 * RAD);

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
 * @param lines lon/lat polylines, e.g. from {@link intervalsToLines}; not modified
 * @param widthM buffer radius in metres (default 50)
 * @param options disc resolution, simplification and joining
 * @returns MultiPolygon coordinates (outer rings counter-clockwise); [] for no lines.
 * @example
 * serviceAreaPolygon([[[121.6, 38.91], [121.601, 38.91]]], 50) // [[[[…], …]]]
 */
export function serviceAreaPolygon(lines: LonLat[][], widthM = 50, options: BufferOptions = {}): LonLat[][][] {
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
      if (grid === 100) throw new Error(`serviceAreaPolygon: union failed (${(err as Error).message})`);
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
 * The pieces {@link serviceAreaPolygon} unions — one convex "capsule" per (simplified) segment —
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

// ---------------------------------------------------------------------------------------------
// Convenience

/**
 * Walking isochrone around a point: snap → walkFrom → reachedIntervals → intervalsToLines →
 * serviceAreaPolygon. The limit counts network distance from the snapped point; the walk from the
 * query point to the street is not subtracted.
 *
 * @param g the graph
 * @param lon start longitude
 * @param lat start latitude
 * @param limitM walking distance in metres (e.g. 1,200 m ≈ 15 minutes)
 * @param widthM buffer width around reached streets (default 50)
 * @param maxSnapM farthest the point may be from a walkable street (default 500)
 * @returns snap, reached node count, polygon and lines; null when the point cannot be snapped.
 * @example
 * const iso = isochrone(g, 121.6, 38.91, 1200);
 * iso?.polygon // { type: 'MultiPolygon', coordinates: … }
 */
export function isochrone(
  g: WalkGraph,
  lon: number,
  lat: number,
  limitM: number,
  widthM = 50,
  maxSnapM = 500,
): Isochrone | null {
  const snap = snapPoint(g, lon, lat, maxSnapM);
  if (!snap) return null;
  const reach = walkFrom(g, snap, limitM);
  const lines = intervalsToLines(g, reachedIntervals(g, reach));
  return {
    snap,
    reachedNodes: reach.reachedNodes.length,
    polygon: { type: 'MultiPolygon', coordinates: serviceAreaPolygon(lines, widthM) },
    lines: { type: 'MultiLineString', coordinates: lines },
  };
}
