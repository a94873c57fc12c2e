import { describe, expect, it } from 'vitest';
import { generateSampleCity } from '../../geodata/generator/index.js';
import { buildWalkGraph, type LonLat, type WalkGraph } from '../network/graph.js';
import { routeTo } from '../network/route.js';
import { walkFrom } from '../network/search.js';
import { snapPoint, type Snap } from '../network/snap.js';
import { jitteredLattice, makeNetwork, toLonLat } from '../network/testing/fixtures.js';
import { nearestAlongStreets, type WalkTarget } from './walk.js';

/** What the nearest route did before: walk the whole radius, route to every target, sort. */
function reference(g: WalkGraph, query: { lon: number; lat: number }, from: Snap, targets: WalkTarget[], limit: number, radius: number) {
  const reach = walkFrom(g, from, radius);
  const found: { id: number; networkM: number; totalM: number; route: LonLat[] }[] = [];
  for (const t of targets) {
    const r = routeTo(g, reach, t.snap);
    if (!r) continue;
    found.push({ id: t.id, networkM: r.distanceM, totalM: from.distanceM + r.distanceM + t.snap.distanceM, route: [[query.lon, query.lat], ...r.coords, [t.lon, t.lat]] });
  }
  const reachable = found.length;
  found.sort((a, b) => a.totalM - b.totalM);
  return { hits: found.slice(0, limit), reachable };
}

function check(g: WalkGraph, bbox: [number, number, number, number], seed: number, runs: number, radii: number[]) {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const at = () => ({ lon: bbox[0] + rnd() * (bbox[2] - bbox[0]), lat: bbox[1] + rnd() * (bbox[3] - bbox[1]) });
  let stopped = 0;
  for (let i = 0; i < runs; i++) {
    const query = at();
    const from = snapPoint(g, query.lon, query.lat, 500);
    if (!from) continue;
    const targets: WalkTarget[] = [];
    const n = 1 + Math.floor(rnd() * 40);
    for (let j = 0; j < n; j++) {
      // Some targets on the query's own edge, some at the same place as another target, many
      // exactly at junctions (reached at the very moment a node is settled: the stop must wait).
      const r = rnd();
      const node = Math.floor(rnd() * g.nodeCount);
      const p =
        r < 0.1 ? { lon: query.lon + (rnd() - 0.5) * 1e-4, lat: query.lat }
        : r < 0.15 && targets.length ? { lon: targets[0]!.lon, lat: targets[0]!.lat }
        : r < 0.5 ? { lon: g.nodeLon[node]!, lat: g.nodeLat[node]! }
        : at();
      const snap = snapPoint(g, p.lon, p.lat, 500);
      if (snap) targets.push({ id: 1000 + j, snap, ...p });
    }
    const limit = 1 + Math.floor(rnd() * 8);
    const radius = radii[Math.floor(rnd() * radii.length)]!;
    const got = nearestAlongStreets(g, query, from, targets, limit, radius);
    const want = reference(g, query, from, targets, limit, radius);
    expect(got.hits).toEqual(want.hits);
    // Exact when the search ran to the end, else at least `limit` (all the caller needs).
    if (got.reachable === want.reachable) continue;
    stopped++;
    expect(got.reachable).toBeGreaterThanOrEqual(limit);
    expect(want.reachable).toBeGreaterThanOrEqual(got.reachable);
  }
  return stopped;
}

describe('nearestAlongStreets', () => {
  it('gives the same stations, distances and routes as walking the whole radius (sample city: river, bridges)', () => {
    const city = generateSampleCity({ size: 'small', seed: 3 });
    const g = buildWalkGraph(city.network);
    const stopped = check(g, city.meta.bbox as [number, number, number, number], 11, 500, [300, 2000, 8000]);
    expect(stopped).toBeGreaterThan(50); // the early stop is exercised
  });

  it('the same on a jittered lattice (many near-equal paths)', () => {
    const g = buildWalkGraph(jitteredLattice(30, 80, 5));
    const [x0, y0] = toLonLat(0, 0);
    const [x1, y1] = toLonLat(29 * 80, 29 * 80);
    check(g, [x0, y0, x1, y1], 5, 200, [500, 2000, Infinity]);
  });

  it('leaves no state behind between calls, and handles no targets and unreachable ones', () => {
    // Two separate streets: a target on the other one is never reached.
    const net = makeNetwork(
      { 1: [0, 0], 2: [100, 0], 3: [0, 500], 4: [100, 500] },
      [
        { id: 1, source: 1, target: 2 },
        { id: 2, source: 3, target: 4 },
      ],
    );
    const g = buildWalkGraph(net);
    const q = { lon: toLonLat(10, 0)[0], lat: toLonLat(10, 0)[1] };
    const from = snapPoint(g, q.lon, q.lat)!;
    const mk = (id: number, x: number, y: number): WalkTarget => {
      const [lon, lat] = toLonLat(x, y);
      return { id, snap: snapPoint(g, lon, lat)!, lon, lat };
    };
    expect(nearestAlongStreets(g, q, from, [], 3, 1000)).toEqual({ hits: [], reachable: 0 });
    const targets = [mk(1, 90, 0), mk(2, 50, 500), mk(3, 40, 0)];
    const a = nearestAlongStreets(g, q, from, targets, 5, 1000);
    expect(a.hits.map((h) => h.id)).toEqual([3, 1]);
    expect(a.reachable).toBe(2);
    expect(a.hits).toEqual(reference(g, q, from, targets, 5, 1000).hits);
    expect(nearestAlongStreets(g, q, from, targets, 5, 1000)).toEqual(a);
    expect(() => nearestAlongStreets(g, q, from, targets, 1, -1)).toThrow(RangeError);
  });
});
