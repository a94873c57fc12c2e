import { describe, expect, it } from 'vitest';
import { buildWalkGraph } from './graph.js';
import { geodesicDistanceM } from '../geo/measure.js';
import { jitteredLattice, straightLine, toLonLat, toXY } from './testing/fixtures.js';
import { distToLine, edge, snapXY } from './testing/helpers.js';

describe('snapPoint', () => {
  const g = buildWalkGraph(straightLine());

  it('projects onto the nearest edge, offset measured from that edge’s source', () => {
    const s = snapXY(g, 150, 10)!;
    expect(s.edge).toBe(edge(g, 2)); // drawn 3 → 2, so x = 150 is 50 m from its source
    expect(s.offsetM).toBeCloseTo(50, 6);
    expect(s.distanceM).toBeCloseTo(10, 6);
    expect(toXY(s.lon, s.lat)[0]).toBeCloseTo(150, 6);
    expect(toXY(s.lon, s.lat)[1]).toBeCloseTo(0, 6);
  });

  it('interpolates along multi-vertex edges', () => {
    const s = snapXY(g, 255, -3)!;
    expect(s.edge).toBe(edge(g, 3));
    expect(s.offsetM).toBeCloseTo(55, 6);
  });

  it('grows its search box up to maxDistanceM, then gives up', () => {
    // 300 m north in the fixture's frame (scales at y = 0); the snap measures at the query's
    // latitude, so compare with the exact geodesic distance (GeographicLib) to the snapped point.
    const far = snapXY(g, 150, 300)!;
    expect(toXY(far.lon, far.lat)[0]).toBeCloseTo(150, 6);
    expect(toXY(far.lon, far.lat)[1]).toBeCloseTo(0, 6);
    expect(Math.abs(far.distanceM - geodesicDistanceM(...toLonLat(150, 300), far.lon, far.lat))).toBeLessThan(1e-3);
    expect(far.distanceM).toBeCloseTo(300, 3);
    expect(snapXY(g, 150, 300, 250)).toBeNull();
    expect(snapXY(g, 150, 600)).toBeNull(); // default 500 m
  });

  it('matches a brute-force nearest search on a jittered lattice', () => {
    const net = jitteredLattice(30, 80, 7);
    const lg = buildWalkGraph(net);
    const segs = net.edges.flatMap((e) => e.coords.slice(1).map((c, i) => [toXY(...e.coords[i]!), toXY(...c)] as [number, number][]));
    for (let i = 0; i < 25; i++) {
      const p: [number, number] = [((i * 37) % 29) * 80 + 13.3, ((i * 53) % 31) * 75 + 7.1];
      const s = snapXY(lg, ...p)!;
      const brute = Math.min(...segs.map((seg) => distToLine(p, seg)));
      expect(s.distanceM).toBeCloseTo(brute, 2);
    }
  });
});
