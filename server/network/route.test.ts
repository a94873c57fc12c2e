import { describe, expect, it } from 'vitest';
import { buildWalkGraph } from './graph.js';
import { routeTo } from './route.js';
import { walkFrom } from './search.js';
import { snapPoint } from './snap.js';
import { detourLoop, river, RIVER, straightLine, twoComponents } from './testing/fixtures.js';
import { lineLength, lineXY, snapXY } from './testing/helpers.js';

describe('routeTo', () => {
  it('follows the line through nodes, partial start and end edges included', () => {
    const g = buildWalkGraph(straightLine());
    const r = walkFrom(g, snapXY(g, 150, 10)!, 200);
    const route = routeTo(g, r, snapXY(g, 280, 5)!)!;
    expect(route.distanceM).toBeCloseTo(130, 9);
    expect(lineXY(route.coords)).toEqual([
      [150, 0],
      [200, 0],
      [210, 0],
      [280, 0],
    ]);
  });

  it('walks directly along a shared edge', () => {
    const g = buildWalkGraph(straightLine());
    const r = walkFrom(g, snapXY(g, 150, 10)!, 200);
    const route = routeTo(g, r, snapXY(g, 120, -5)!)!;
    expect(route.distanceM).toBeCloseTo(30, 6);
    expect(lineXY(route.coords)).toEqual([
      [150, 0],
      [120, 0],
    ]);
  });

  it('on the same edge, goes round when that is shorter', () => {
    const net = detourLoop();
    const g = buildWalkGraph(net);
    const arc = net.edges[0]!.coords;
    const from = snapPoint(g, ...arc[1]!)!;
    const to = snapPoint(g, ...arc[arc.length - 2]!)!;
    expect(from.edge).toBe(to.edge);
    const r = walkFrom(g, from, 2000);
    const route = routeTo(g, r, to)!;
    const expected = from.offsetM + 100 + (g.edgeLength[to.edge]! - to.offsetM);
    expect(route.distanceM).toBeCloseTo(expected, 9);
    expect(route.distanceM).toBeLessThan(to.offsetM - from.offsetM);
    expect(lineLength(route.coords)).toBeCloseTo(route.distanceM, 0);
    // ...and directly when that is shorter.
    const near = snapPoint(g, ...arc[2]!)!;
    expect(routeTo(g, r, near)!.distanceM).toBeCloseTo(near.offsetM - from.offsetM, 9);
  });

  it('crosses the river by the bridge; length and ends match', () => {
    const g = buildWalkGraph(river());
    const from = snapXY(g, 100, RIVER.northY + 10)!;
    const to = snapXY(g, 900, RIVER.southY - 10)!;
    const route = routeTo(g, walkFrom(g, from, 1200), to)!;
    expect(route.distanceM).toBeGreaterThan(1100);
    expect(route.distanceM).toBeLessThan(1200);
    expect(Math.abs(lineLength(route.coords) - route.distanceM) / route.distanceM).toBeLessThan(0.01);
    expect(route.coords[0]).toEqual([from.lon, from.lat]);
    expect(route.coords[route.coords.length - 1]).toEqual([to.lon, to.lat]);
    const xs = lineXY(route.coords);
    expect(Math.max(...xs.map((p) => p[0]!))).toBeCloseTo(1000, 3); // via the bridge
  });

  it('returns null beyond the limit (the bounded search cannot vouch for it)', () => {
    const g = buildWalkGraph(river());
    const r = walkFrom(g, snapXY(g, 100, RIVER.northY)!, 1200);
    expect(routeTo(g, r, snapXY(g, 100, RIVER.southY)!)).toBeNull();
  });

  it('starts from the nearest of several sources', () => {
    const g = buildWalkGraph(river());
    const north = snapXY(g, 100, RIVER.northY)!;
    const south = snapXY(g, 0, RIVER.southY)!;
    const route = routeTo(g, walkFrom(g, [north, south], 1200), snapXY(g, 300, RIVER.southY)!)!;
    expect(route.coords[0]).toEqual([south.lon, south.lat]);
    expect(route.distanceM).toBeCloseTo(lineLength(route.coords), 0);
    expect(route.distanceM).toBeLessThan(310);
  });
});

describe('two components', () => {
  const g = buildWalkGraph(twoComponents());
  const r = walkFrom(g, snapXY(g, 0, 0)!, Infinity);

  it('has no route there', () => {
    expect(routeTo(g, r, snapXY(g, 50, 1000)!)).toBeNull();
  });
});
