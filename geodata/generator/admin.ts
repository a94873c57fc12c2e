/**
 * Administrative partition: grids are Voronoi cells of jittered seeds clipped to the city rectangle;
 * communities, streets and districts are grown over the cell adjacency graph (so every unit is
 * contiguous) and their boundaries are exact unions of grid cells (see topo.ts).
 */
import { featureCollection, point } from '@turf/helpers';
import voronoi from '@turf/voronoi';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { AdminProps, GridProps } from '../types.js';
import { dist, jitteredLattice, pointInRing, ringCentroid, signedArea, type Frame, type XY } from './geo.js';
import { MinHeap } from './heap.js';
import { COMMUNITY_STEMS, DISTRICT_NAMES, GIVEN_CHARS, STREET_STEMS, SURNAMES } from './names.js';
import type { River } from './river.js';
import { Rng } from './rng.js';
import { unionCells } from './topo.js';

export interface AdminConfig {
  districts: number;
  streets: number;
  communities: number;
  grids: number;
  /** Number of population centres. */
  centres: number;
}

export interface AdminUnit {
  code: string;
  name: string;
  /** Index of the parent unit in the parent level's array (-1 for districts). */
  parent: number;
  /** Centroid in the metric frame. */
  centroid: XY;
  geometry: Polygon | MultiPolygon;
}

export interface GridUnit {
  props: GridProps;
  /** Index into communities. */
  community: number;
  /** Closed counter-clockwise ring in lon/lat. */
  ring: XY[];
  centroid: XY;
}

export interface Admin {
  districts: AdminUnit[];
  streets: AdminUnit[];
  communities: AdminUnit[];
  grids: GridUnit[];
  districtFeatures: Feature<Polygon | MultiPolygon, AdminProps>[];
  streetFeatures: Feature<Polygon | MultiPolygon, AdminProps>[];
  communityFeatures: Feature<Polygon | MultiPolygon, AdminProps>[];
  gridFeatures: Feature<Polygon, GridProps>[];
}

const MOBILE_PREFIXES = ['138', '139', '135', '136', '137', '150', '151', '152', '158', '159', '186', '187', '188', '133', '153', '189', '180', '177'];

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

/**
 * Order units west → east, north → south: bands of height `band` metres counted from the city's north
 * edge (band = floor((H − y) / band)); bands north first, then x ascending within a band.
 */
export function bandedOrder(idx: number[], centroid: (i: number) => XY, height: number, band: number): number[] {
  const key = (i: number) => Math.floor((height - centroid(i)[1]) / band);
  return idx.slice().sort((a, b) => key(a) - key(b) || centroid(a)[0] - centroid(b)[0] || a - b);
}

/**
 * Grow `seeds.length` contiguous regions over a graph: a multi-source flood where an item's priority for a
 * region is its distance to the region's seed point (+ `penalty` when on the other river bank).
 */
function grow(centroid: readonly XY[], adj: readonly (readonly number[])[], seeds: readonly XY[], penalty: number, north: (p: XY) => boolean): Int32Array {
  const n = centroid.length;
  const assign = new Int32Array(n).fill(-1);
  const seedNorth = seeds.map(north);
  const itemNorth = centroid.map(north);
  const prio = (i: number, r: number) => dist(centroid[i]!, seeds[r]!) + (itemNorth[i] === seedNorth[r] ? 0 : penalty);
  const heap = new MinHeap();
  const taken = new Set<number>();
  seeds.forEach((_, r) => {
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < n; i++) {
      if (taken.has(i)) continue;
      const d = prio(i, r);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best < 0) throw new Error('grow: more seeds than items');
    taken.add(best);
    heap.push(-1, best, r);
  });
  while (heap.size > 0) {
    const [, i, r] = heap.pop();
    if (assign[i] !== -1) continue;
    assign[i] = r;
    for (const j of adj[i]!) if (assign[j] === -1) heap.push(prio(j, r), j, r);
  }
  return assign;
}

function groupAdjacency(assign: Int32Array, k: number, adj: readonly (readonly number[])[]): number[][] {
  const sets = Array.from({ length: k }, () => new Set<number>());
  for (let i = 0; i < adj.length; i++) {
    for (const j of adj[i]!) if (assign[i] !== assign[j]) sets[assign[i]!]!.add(assign[j]!);
  }
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

function groupCentroids(assign: Int32Array, k: number, centroid: readonly XY[], weight: readonly number[]): { c: XY[]; w: number[] } {
  const sx = new Array<number>(k).fill(0);
  const sy = new Array<number>(k).fill(0);
  const sw = new Array<number>(k).fill(0);
  for (let i = 0; i < assign.length; i++) {
    const g = assign[i]!;
    sx[g] += centroid[i]![0] * weight[i]!;
    sy[g] += centroid[i]![1] * weight[i]!;
    sw[g] += weight[i]!;
  }
  return { c: sx.map((x, g) => [x / sw[g]!, sy[g]! / sw[g]!] as XY), w: sw };
}

export function buildAdmin(frame: Frame, river: River, cfg: AdminConfig, seed: number): Admin {
  const W = frame.width;
  const H = frame.height;
  const rng = Rng.derive(seed, 'admin');
  const rnd = () => rng.next();
  const north = (p: XY) => river.isNorth(p[0], p[1]);

  // ---- grid cells -------------------------------------------------------------------------------
  const seeds = jitteredLattice(cfg.grids, W, H, 0.35, rnd);
  const vor = voronoi(featureCollection(seeds.map((p) => point(p))), { bbox: [0, 0, W, H] });
  const vertIndex = new Map<string, number>();
  const verts: XY[] = [];
  const vid = (p: XY): number => {
    const k = `${p[0]},${p[1]}`;
    let id = vertIndex.get(k);
    if (id === undefined) {
      id = verts.length;
      vertIndex.set(k, id);
      verts.push(p);
    }
    return id;
  };
  const cellRings: number[][] = [];
  const cellCentroid: XY[] = [];
  const cellArea: number[] = [];
  const cellMetreRing: XY[][] = [];
  vor.features.forEach((f, i) => {
    if (!f?.geometry) throw new Error(`voronoi: no cell for seed ${i}`);
    const mRing = f.geometry.coordinates[0]! as XY[];
    const ids: number[] = [];
    for (const p of mRing) {
      const id = vid(frame.toLonLat(p));
      if (ids.length === 0 || ids[ids.length - 1] !== id) ids.push(id);
    }
    while (ids.length > 1 && ids[0] === ids[ids.length - 1]) ids.pop();
    if (ids.length < 3) throw new Error(`voronoi: degenerate cell ${i}`);
    if (signedArea(ids.map((v) => verts[v]!)) < 0) ids.reverse();
    cellRings.push(ids);
    cellCentroid.push(ringCentroid(mRing));
    cellArea.push(Math.abs(signedArea(mRing)));
    cellMetreRing.push(mRing);
  });
  const nCells = cellRings.length;

  // Adjacency from twin edges; every edge without a twin must lie on the city boundary.
  const nv = verts.length;
  const edgeOwner = new Map<number, number>();
  cellRings.forEach((r, c) => r.forEach((a, k) => edgeOwner.set(a * nv + r[(k + 1) % r.length]!, c)));
  const [bx0, by0, bx1, by1] = frame.bbox();
  const onBoundary = (a: XY, b: XY) =>
    (a[0] === bx0 && b[0] === bx0) || (a[0] === bx1 && b[0] === bx1) || (a[1] === by0 && b[1] === by0) || (a[1] === by1 && b[1] === by1);
  const cellAdj: number[][] = cellRings.map(() => []);
  cellRings.forEach((r, c) =>
    r.forEach((a, k) => {
      const b = r[(k + 1) % r.length]!;
      const twin = edgeOwner.get(b * nv + a);
      if (twin === undefined) {
        if (!onBoundary(verts[a]!, verts[b]!)) throw new Error('voronoi: unshared interior edge');
      } else if (!cellAdj[c]!.includes(twin)) cellAdj[c]!.push(twin);
    }),
  );
  cellAdj.forEach((l) => l.sort((a, b) => a - b));

  // ---- hierarchy by growth --------------------------------------------------------------------------
  const spacing = (k: number) => Math.sqrt((W * H) / k);
  const commSeeds = jitteredLattice(cfg.communities, W, H, 0.3, rnd);
  const cellComm = grow(cellCentroid, cellAdj, commSeeds, 0.5 * spacing(commSeeds.length), north);
  const nComm = commSeeds.length;
  const commAdj = groupAdjacency(cellComm, nComm, cellAdj);
  const comm = groupCentroids(cellComm, nComm, cellCentroid, cellArea);

  const streetSeeds = jitteredLattice(cfg.streets, W, H, 0.3, rnd);
  const commStreet = grow(comm.c, commAdj, streetSeeds, 0.5 * spacing(streetSeeds.length), north);
  const nStreet = streetSeeds.length;
  const streetAdj = groupAdjacency(commStreet, nStreet, commAdj);
  const street = groupCentroids(commStreet, nStreet, comm.c, comm.w);

  const distSeeds = jitteredLattice(cfg.districts, W, H, 0.25, rnd);
  const streetDist = grow(street.c, streetAdj, distSeeds, 0.5 * spacing(distSeeds.length), north);
  const nDist = distSeeds.length;
  if (nDist > 10) throw new Error('at most 10 districts (codes 210291..210299, 210290)');
  const distr = groupCentroids(streetDist, nDist, street.c, street.w);

  // ---- codes and names ------------------------------------------------------------------------------
  const districtNames = rng.shuffle(DISTRICT_NAMES);
  const streetStems = rng.shuffle(STREET_STEMS);
  const commStems = rng.shuffle(COMMUNITY_STEMS);
  if (nStreet > streetStems.length || nComm > commStems.length) throw new Error('not enough names');

  const districts: AdminUnit[] = [];
  const streets: AdminUnit[] = [];
  const communities: AdminUnit[] = [];
  const streetIndexOf = new Int32Array(nStreet); // original street id -> output index
  const commIndexOf = new Int32Array(nComm);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  const distOrder = bandedOrder(range(nDist), (i) => distr.c[i]!, H, spacing(nDist));
  distOrder.forEach((d, rank) => {
    const code = `2102${String(rank < 9 ? 91 + rank : 90)}000000`;
    const dIdx = districts.length;
    districts.push({ code, name: districtNames[rank]!, parent: -1, centroid: distr.c[d]!, geometry: null! });
    const sIds = range(nStreet).filter((s) => streetDist[s] === d);
    bandedOrder(sIds, (i) => street.c[i]!, H, spacing(nStreet)).forEach((s, k) => {
      const sCode = `${code.slice(0, 6) + pad3(k + 1)}000`;
      streetIndexOf[s] = streets.length;
      const sIdx = streets.length;
      streets.push({ code: sCode, name: `${streetStems[sIdx]!}街道`, parent: dIdx, centroid: street.c[s]!, geometry: null! });
      const cIds = range(nComm).filter((c) => commStreet[c] === s);
      bandedOrder(cIds, (i) => comm.c[i]!, H, spacing(nComm)).forEach((c, m) => {
        commIndexOf[c] = communities.length;
        const cIdx = communities.length;
        communities.push({ code: sCode.slice(0, 9) + pad3(m + 1), name: `${commStems[cIdx]!}社区`, parent: sIdx, centroid: comm.c[c]!, geometry: null! });
      });
    });
  });

  // ---- grids ----------------------------------------------------------------------------------------
  const centres: XY[] = [];
  for (let i = 0; i < cfg.centres; i++) centres.push([W * rng.range(0.25, 0.75), H * rng.range(0.25, 0.75)]);
  const rc = (0.3 * Math.sqrt(W * H)) / Math.sqrt(cfg.centres);
  const density = (p: XY) => 3500 + centres.reduce((s, c) => s + 30000 * Math.exp(-((dist(p, c) / rc) ** 2)), 0);

  const cellsByComm: number[][] = communities.map(() => []);
  for (let c = 0; c < nCells; c++) cellsByComm[commIndexOf[cellComm[c]!]!]!.push(c);
  const gridBand = spacing(nCells);
  const grids: GridUnit[] = [];
  const cellsOfGrid: number[] = [];
  communities.forEach((cu, ci) => {
    bandedOrder(cellsByComm[ci]!, (i) => cellCentroid[i]!, H, gridBand).forEach((c, k) => {
      const seq = k + 1;
      const name = `${cu.name}第${seq}网格`;
      // Population: density × land area (river excluded by sampling), ±20 %, clamped to 300–3,000.
      const mRing = cellMetreRing[c]!;
      const xs = mRing.map((p) => p[0]);
      const ys = mRing.map((p) => p[1]);
      const x0 = Math.min(...xs);
      const x1 = Math.max(...xs);
      const y0 = Math.min(...ys);
      const y1 = Math.max(...ys);
      let inPoly = 0;
      let inRiver = 0;
      for (let a = 0; a < 6; a++) {
        for (let b = 0; b < 6; b++) {
          const px = x0 + ((a + 0.5) / 6) * (x1 - x0);
          const py = y0 + ((b + 0.5) / 6) * (y1 - y0);
          if (!pointInRing(px, py, mRing)) continue;
          inPoly++;
          if (river.contains(px, py)) inRiver++;
        }
      }
      const land = inPoly ? 1 - inRiver / inPoly : 1;
      const raw = (cellArea[c]! / 1e6) * land * density(cellCentroid[c]!) * rng.range(0.8, 1.25);
      const population = Math.min(3000, Math.max(300, Math.round(raw)));
      const leaderName = rng.pick(SURNAMES) + rng.pick(GIVEN_CHARS) + (rng.chance(0.6) ? rng.pick(GIVEN_CHARS) : '');
      const leaderPhone = rng.pick(MOBILE_PREFIXES) + rng.digits(8);
      grids.push({
        props: {
          code: cu.code + pad3(seq),
          name,
          communityCode: cu.code,
          leaderName,
          leaderPhone,
          partyBranch: rng.chance(0.1) ? null : `${name}党支部`,
          population,
          households: Math.round(population / 2.6),
        },
        community: ci,
        ring: [...cellRings[c]!, cellRings[c]![0]!].map((v) => verts[v]!),
        centroid: cellCentroid[c]!,
      });
      cellsOfGrid.push(c);
    });
  });

  // ---- boundaries -------------------------------------------------------------------------------------
  const commCells: number[][] = communities.map(() => []);
  const streetCells: number[][] = streets.map(() => []);
  const distCells: number[][] = districts.map(() => []);
  grids.forEach((g, gi) => {
    const c = cellsOfGrid[gi]!;
    commCells[g.community]!.push(c);
    const s = communities[g.community]!.parent;
    streetCells[s]!.push(c);
    distCells[streets[s]!.parent]!.push(c);
  });
  const setGeometry = (units: AdminUnit[], cells: number[][]) =>
    units.forEach((u, i) => {
      u.geometry = unionCells(
        cells[i]!.map((c) => cellRings[c]!),
        verts,
      );
    });
  setGeometry(communities, commCells);
  setGeometry(streets, streetCells);
  setGeometry(districts, distCells);

  const adminFeature = (u: AdminUnit, parents: AdminUnit[] | null): Feature<Polygon | MultiPolygon, AdminProps> => ({
    type: 'Feature',
    properties: parents ? { code: u.code, name: u.name, parentCode: parents[u.parent]!.code } : { code: u.code, name: u.name },
    geometry: u.geometry,
  });

  return {
    districts,
    streets,
    communities,
    grids,
    districtFeatures: districts.map((u) => adminFeature(u, null)),
    streetFeatures: streets.map((u) => adminFeature(u, districts)),
    communityFeatures: communities.map((u) => adminFeature(u, streets)),
    gridFeatures: grids.map((g) => ({ type: 'Feature', properties: g.props, geometry: { type: 'Polygon', coordinates: [g.ring] } })),
  };
}
