/**
 * OpenStreetMap .osm.pbf → walkable StreetNetwork.
 *
 * Two steps, so that the graph building can be tested without files:
 *   1. `readOsmPbf(path)` streams the file twice with osm-pbf-parser-node: pass 1 keeps the ways whose
 *      `highway` is walkable (id, refs, a handful of tags); pass 2 keeps the coordinates of only the
 *      nodes those ways use (and stops as soon as all of them were seen). Memory is proportional to the
 *      walkable ways, not to the whole extract.
 *   2. `buildWalkNetwork(ways, nodeCoords)` (pure) splits the ways at shared nodes into edges.
 *
 * Walkability (matches the reference counts in /work/shared/geodata/osm/README.md):
 *   - highway ∈ WALKABLE_HIGHWAYS; motorway, trunk and their links are not walkable.
 *   - `area=yes` ways (pedestrian plazas etc.) are walkable along their outline like any other way.
 *   - Access tags are IGNORED by default (`respectAccess: false`), because that is how the reference
 *     counts were made: on Monaco, dropping access=private/no and foot=no/private ways removes
 *     83 ways and changes the network to 5,156 edges / 3,984 vertices / 34 parts (largest 3,841). Pass
 *     `{ respectAccess: true }` to drop them: a way is then excluded when foot ∈ {no, private}, or
 *     access ∈ {no, private} unless foot ∈ {yes, designated, permissive}.
 *
 * Graph rules:
 *   - A node is a vertex if it is the first/last node of a kept way or occurs more than once among all
 *     kept ways (in two ways, or twice in one way, e.g. a closed loop or a figure-of-eight).
 *   - Consecutive duplicate refs in a way (A,A) are collapsed first (none in the three test extracts).
 *   - Self-loops (a closed way touching nothing else: one edge from its first node back to itself) are
 *     KEPT, as in the reference (Monaco has 17; dropping them would give 5,310 edges, 4,090 vertices,
 *     20 parts). Zero-length edges (two distinct nodes at identical coordinates) are kept too (Monaco: 1).
 *   - Ways with fewer than 2 refs, or with any ref whose coordinates are missing, are skipped and counted.
 *   - lengthM is the length on the WGS84 ellipsoid (server/geo lineLengthM; PostGIS
 *     ST_Length(geography) agrees to millimetres).
 *
 * Data © OpenStreetMap contributors (ODbL 1.0) — attribute wherever an imported network is shown.
 */
import { createReadStream, statSync } from 'node:fs';
import type { TransformCallback } from 'node:stream';
import { OSMTransform } from 'osm-pbf-parser-node';
import type { NetworkEdge, NetworkNode, StreetNetwork } from '../network/types.js';
import { lineLengthM } from '../geo/measure.js';

export const WALKABLE_HIGHWAYS: ReadonlySet<string> = new Set([
  'footway',
  'path',
  'pedestrian',
  'steps',
  'living_street',
  'residential',
  'service',
  'unclassified',
  'tertiary',
  'secondary',
  'primary',
  'track',
  'cycleway',
  'primary_link',
  'secondary_link',
  'tertiary_link',
]);

/** Tags kept from each way (everything else is dropped while reading). */
export const OSM_WAY_TAGS = ['highway', 'name', 'area', 'access', 'foot'] as const;

export interface OsmWay {
  id: number;
  /** Node ids in way order. */
  refs: number[];
  /** Only the OSM_WAY_TAGS keys are kept by readOsmPbf; hand-written fixtures may carry more. */
  tags: Record<string, string>;
}

/** OSM node id → [lon, lat] (WGS84). A Map, or a plain object keyed by id (handy in fixtures). */
export type NodeCoords = ReadonlyMap<number, readonly [number, number]> | Readonly<Record<number, readonly [number, number]>>;

export interface WalkabilityOptions {
  /** Drop access=private/no and foot=no/private ways (see file header). Default false (= reference counts). */
  respectAccess?: boolean;
}

const FOOT_ALLOWED = new Set(['yes', 'designated', 'permissive']);
const ACCESS_DENIED = new Set(['no', 'private']);

/** Whether a way with these tags belongs in the walking network. */
export function isWalkableWay(tags: Readonly<Record<string, string | undefined>>, opts: WalkabilityOptions = {}): boolean {
  const highway = tags.highway;
  if (!highway || !WALKABLE_HIGHWAYS.has(highway)) return false;
  if (opts.respectAccess) {
    const foot = tags.foot;
    if (foot && ACCESS_DENIED.has(foot)) return false;
    if (tags.access && ACCESS_DENIED.has(tags.access) && !(foot && FOOT_ALLOWED.has(foot))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export interface OsmReadProgress {
  /** 1: collecting walkable ways, 2: collecting the coordinates of their nodes. */
  pass: 1 | 2;
  bytesRead: number;
  totalBytes: number;
  /** Walkable ways kept so far (pass 1) / in total (pass 2). */
  ways: number;
  /** Needed node coordinates found so far (pass 2). */
  nodesFound: number;
  /** Distinct nodes referenced by the walkable ways (known after pass 1). */
  nodesNeeded: number;
}

export interface OsmReadResult {
  /** Ways whose highway tag is in WALKABLE_HIGHWAYS (access tags kept; filtering happens in buildWalkNetwork). */
  ways: OsmWay[];
  nodeCoords: Map<number, [number, number]>;
  stats: {
    /** Distinct nodes referenced by the kept ways. */
    nodesNeeded: number;
    /** How many of them were present in the file. */
    nodesFound: number;
    /** Node / way entities seen in pass 1 (pass 2 may stop early). */
    nodesInFile: number;
    waysInFile: number;
    /** Whether pass 2 stopped before the end of the file because every needed node had been found. */
    pass2StoppedEarly: boolean;
    ms: { pass1: number; pass2: number };
  };
}

interface RawOsmItem {
  type?: string;
  id: number;
  lat?: number;
  lon?: number;
  refs?: number[];
  tags?: Record<string, string>;
}

/**
 * OSMTransform throws synchronously from _transform/_flush on malformed input (assert → Error), which
 * under pipe() becomes an uncaught exception and leaves the consumer waiting forever. Route those
 * throws into the stream's error channel instead.
 */
class SafeOSMTransform extends OSMTransform {
  override _transform(chunk: Buffer, encoding: BufferEncoding, next: TransformCallback): void {
    try {
      super._transform(chunk, encoding, next);
    } catch (err) {
      next(err instanceof Error ? err : new Error(String(err)));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      super._flush(callback);
    } catch (err) {
      callback(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Streams the file once; `onBatch` returns false to stop early. Resolves to whether it stopped early. */
async function scanPbf(
  path: string,
  osmOpts: ConstructorParameters<typeof OSMTransform>[0],
  // biome-ignore lint/suspicious/noConfusingVoidType: a batch callback may return nothing (keep going) or false (stop)
  onBatch: (items: RawOsmItem[], bytesRead: number) => boolean | void,
): Promise<boolean> {
  const rs = createReadStream(path);
  const tr = new SafeOSMTransform(osmOpts);
  rs.on('error', (err) => tr.destroy(err));
  rs.pipe(tr);
  try {
    for await (const batch of tr as AsyncIterable<RawOsmItem[]>) {
      if (onBatch(batch, rs.bytesRead) === false) return true;
    }
    return false;
  } catch (err) {
    if (err instanceof Error && 'code' in err) throw err; // file-system errors (ENOENT, EACCES…) as they are
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${path}: not a valid .osm.pbf file, or truncated (${msg})`, { cause: err });
  } finally {
    rs.unpipe(tr);
    rs.destroy();
    tr.destroy();
  }
}

/**
 * Reads the walkable ways of an .osm.pbf extract and the coordinates of the nodes they use.
 * `onProgress` is called once per decoded block (a few thousand entities); throttle in the caller.
 */
export async function readOsmPbf(path: string, onProgress?: (p: OsmReadProgress) => void): Promise<OsmReadResult> {
  const totalBytes = statSync(path).size;
  const ways: OsmWay[] = [];
  let nodesInFile = 0;
  let waysInFile = 0;

  // Pass 1: walkable ways. Node tags are not decoded.
  let t0 = performance.now();
  await scanPbf(path, { withTags: { node: false, way: [...OSM_WAY_TAGS], relation: false }, withInfo: false }, (items, bytesRead) => {
    for (const it of items) {
      if (it.type === 'node') nodesInFile++;
      else if (it.type === 'way') {
        waysInFile++;
        const tags = it.tags;
        if (tags && isWalkableWay(tags) && it.refs) ways.push({ id: it.id, refs: it.refs, tags });
      }
    }
    onProgress?.({ pass: 1, bytesRead, totalBytes, ways: ways.length, nodesFound: 0, nodesNeeded: 0 });
  });
  const pass1 = performance.now() - t0;

  // Pass 2: coordinates of the referenced nodes only.
  const needed = new Set<number>();
  for (const w of ways) for (const r of w.refs) needed.add(r);
  const nodeCoords = new Map<number, [number, number]>();
  t0 = performance.now();
  let stoppedEarly = false;
  if (needed.size > 0) {
    stoppedEarly = await scanPbf(path, { withTags: false, withInfo: false }, (items, bytesRead) => {
      for (const it of items) {
        if (it.type === 'node' && needed.has(it.id) && !nodeCoords.has(it.id)) {
          nodeCoords.set(it.id, [it.lon as number, it.lat as number]);
        }
      }
      onProgress?.({ pass: 2, bytesRead, totalBytes, ways: ways.length, nodesFound: nodeCoords.size, nodesNeeded: needed.size });
      // Files are usually sorted nodes→ways→relations, but not always (liechtenstein.osm.pbf has a
      // node block after the relations), so stop only once every needed node has been found.
      return nodeCoords.size < needed.size;
    });
  }
  const pass2 = performance.now() - t0;

  return {
    ways,
    nodeCoords,
    stats: {
      nodesNeeded: needed.size,
      nodesFound: nodeCoords.size,
      nodesInFile,
      waysInFile,
      pass2StoppedEarly: stoppedEarly,
      ms: { pass1, pass2 },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Graph building (pure)
// ---------------------------------------------------------------------------------------------

const EARTH_RADIUS_M = 6371008.8; // turf's earthRadius
const RAD = Math.PI / 180;

/**
 * Haversine distance in metres on Turf's sphere (up to ~0.5 % off the ellipsoid): a rough check
 * for tests only; lengths are measured with server/geo (lineLengthM).
 */
export function haversineM(a: readonly [number, number], b: readonly [number, number]): number {
  const dLat = (b[1] - a[1]) * RAD;
  const dLon = (b[0] - a[0]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h));
}

export interface BuildWalkNetworkStats {
  /** Ways given to the builder. */
  waysIn: number;
  /** Ways dropped because their highway is not walkable (or access tags forbid it, with respectAccess). */
  waysNotWalkable: number;
  /** Ways dropped because one or more of their nodes has no coordinates. */
  waysMissingNodes: number;
  /** Ways dropped because they have fewer than 2 distinct consecutive nodes. */
  waysDegenerate: number;
  /** Ways that made it into the network. */
  waysUsed: number;
  /** Consecutive duplicate refs removed. */
  duplicateRefsRemoved: number;
  selfLoops: number;
  zeroLengthEdges: number;
  /** Total length of all edges, metres. */
  lengthM: number;
}

function coordsGetter(nodeCoords: NodeCoords): (id: number) => readonly [number, number] | undefined {
  if (nodeCoords instanceof Map) return (id) => nodeCoords.get(id);
  const rec = nodeCoords as Readonly<Record<number, readonly [number, number]>>;
  return (id) => (Object.hasOwn(rec, id) ? rec[id] : undefined);
}

/** Like buildWalkNetwork, but also returns what was skipped and why. */
export function buildWalkNetworkWithStats(
  ways: readonly OsmWay[],
  nodeCoords: NodeCoords,
  opts: WalkabilityOptions = {},
): { network: StreetNetwork; stats: BuildWalkNetworkStats } {
  const getCoord = coordsGetter(nodeCoords);
  const stats: BuildWalkNetworkStats = {
    waysIn: ways.length,
    waysNotWalkable: 0,
    waysMissingNodes: 0,
    waysDegenerate: 0,
    waysUsed: 0,
    duplicateRefsRemoved: 0,
    selfLoops: 0,
    zeroLengthEdges: 0,
    lengthM: 0,
  };

  // 1. Keep walkable ways with complete coordinates; collapse consecutive duplicate refs.
  const kept: { way: OsmWay; refs: number[] }[] = [];
  for (const way of ways) {
    if (!isWalkableWay(way.tags, opts)) {
      stats.waysNotWalkable++;
      continue;
    }
    if (way.refs.some((r) => getCoord(r) === undefined)) {
      stats.waysMissingNodes++;
      continue;
    }
    const refs: number[] = [];
    for (const r of way.refs) {
      if (refs.length > 0 && refs[refs.length - 1] === r) stats.duplicateRefsRemoved++;
      else refs.push(r);
    }
    if (refs.length < 2) {
      stats.waysDegenerate++;
      continue;
    }
    kept.push({ way, refs });
  }
  stats.waysUsed = kept.length;

  // 2. Vertices: way endpoints and nodes occurring more than once among the kept ways.
  const uses = new Map<number, number>();
  const vertex = new Set<number>();
  for (const { refs } of kept) {
    for (const r of refs) uses.set(r, (uses.get(r) ?? 0) + 1);
    vertex.add(refs[0]);
    vertex.add(refs[refs.length - 1]);
  }
  for (const [id, n] of uses) if (n > 1) vertex.add(id);

  // 3. Cut each way at its vertices.
  const nodes: NetworkNode[] = [];
  const nodeSeen = new Set<number>();
  const addNode = (id: number) => {
    if (nodeSeen.has(id)) return;
    nodeSeen.add(id);
    const c = getCoord(id)!;
    nodes.push({ id, lon: c[0], lat: c[1] });
  };
  const edges: NetworkEdge[] = [];
  for (const { way, refs } of kept) {
    let start = 0;
    for (let i = 1; i < refs.length; i++) {
      if (i < refs.length - 1 && !vertex.has(refs[i])) continue;
      const coords: [number, number][] = [];
      for (let k = start; k <= i; k++) {
        const c = getCoord(refs[k])!;
        coords.push([c[0], c[1]]);
      }
      const lengthM = lineLengthM(coords);
      const source = refs[start];
      const target = refs[i];
      addNode(source);
      addNode(target);
      if (source === target) stats.selfLoops++;
      if (lengthM === 0) stats.zeroLengthEdges++;
      stats.lengthM += lengthM;
      edges.push({
        id: edges.length + 1,
        source,
        target,
        coords,
        lengthM,
        highway: way.tags.highway as string,
        walkable: true,
        name: way.tags.name ?? null,
        wayId: way.id,
      });
      start = i;
    }
  }
  return { network: { nodes, edges }, stats };
}

/**
 * Splits walkable ways into a node/edge network at shared nodes (see the file header for the rules).
 * Pure: no I/O, inputs are not modified. Edge ids are 1..n in way order; node ids are OSM node ids.
 */
export function buildWalkNetwork(ways: readonly OsmWay[], nodeCoords: NodeCoords, opts: WalkabilityOptions = {}): StreetNetwork {
  return buildWalkNetworkWithStats(ways, nodeCoords, opts).network;
}

// ---------------------------------------------------------------------------------------------
// Summary helpers
// ---------------------------------------------------------------------------------------------

/** Sizes (vertex counts) of the connected components, largest first. Isolated nodes count as components. */
export function componentSizes(network: StreetNetwork): number[] {
  const index = new Map<number, number>();
  network.nodes.forEach((n, i) => index.set(n.id, i));
  const parent = new Int32Array(network.nodes.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const e of network.edges) {
    const a = index.get(e.source);
    const b = index.get(e.target);
    if (a === undefined || b === undefined) throw new Error(`edge ${e.id} references a missing node`);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < parent.length; i++) {
    const r = find(i);
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return [...counts.values()].sort((x, y) => y - x);
}

export interface OsmImportResult {
  network: StreetNetwork;
  read: OsmReadResult['stats'];
  build: BuildWalkNetworkStats;
  components: number[];
  ms: { read: number; build: number; total: number };
}

/** readOsmPbf + buildWalkNetwork + component summary, for CLIs and tests. */
export async function importOsmPbf(path: string, opts: WalkabilityOptions & { onProgress?: (p: OsmReadProgress) => void } = {}): Promise<OsmImportResult> {
  const t0 = performance.now();
  const { ways, nodeCoords, stats: read } = await readOsmPbf(path, opts.onProgress);
  const t1 = performance.now();
  const { network, stats: build } = buildWalkNetworkWithStats(ways, nodeCoords, { respectAccess: opts.respectAccess });
  const t2 = performance.now();
  return { network, read, build, components: componentSizes(network), ms: { read: t1 - t0, build: t2 - t1, total: t2 - t0 } };
}
