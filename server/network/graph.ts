/**
 * The walking graph: a compact undirected graph of the walkable streets (CSR adjacency in typed
 * arrays on shared memory, so worker threads see it without a copy) and the geometry along its edges.
 * The rest of the street-network search builds on it: snap.ts (points onto streets), search.ts
 * (Dijkstra), intervals.ts (covered stretches), route.ts, buffer.ts and isochrone.ts.
 *
 * Pure: no I/O, inputs are never mutated. A city-sized network (~150k edges) builds in tens of
 * milliseconds.
 *
 * Distances are metres along the network. Each segment is measured in a local frame at its middle
 * (ellipsoidal metres per degree, server/geo: as localDistanceM, within 1 mm per km of the
 * geodesic) and the per-vertex cumulative distances are rescaled so the last one equals the edge's
 * stored ellipsoidal `lengthM` (geo lineLengthM at import), so graph distances and positions along
 * edges agree with the database and with PostGIS ST_Length(geography).
 */
import Flatbush from 'flatbush';
import { metresPerDegree } from '../geo/measure.js';
import type { StreetNetwork } from './types.js';

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
 * const snap = snapPoint(g, 121.6, 38.91); // snap.ts
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

    // Cumulative length (local ellipsoidal frame per segment) and the bbox in one sweep.
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
      const m = metresPerDegree((y0 + y1) / 2);
      const dx = (x1 - x0) * m.x;
      const dy = (y1 - y0) * m.y;
      acc += Math.sqrt(dx * dx + dy * dy);
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
// Geometry along edges

/** Point at `x` metres along edge e from its source (clamped), as lon/lat. */
export function pointAlongEdge(g: WalkGraph, e: number, x: number): LonLat {
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
export function edgeSlice(g: WalkGraph, e: number, a: number, b: number): LonLat[] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const out: LonLat[] = [pointAlongEdge(g, e, lo)];
  const first = g.coordOffsets[e]!;
  const last = g.coordOffsets[e + 1]! - 1;
  const cum = g.cumDist;
  for (let k = first; k <= last; k++) {
    const x = cum[k]!;
    if (x > lo && x < hi) out.push([g.coords[2 * k]!, g.coords[2 * k + 1]!]);
  }
  out.push(pointAlongEdge(g, e, hi));
  if (a > b) out.reverse();
  return out;
}
