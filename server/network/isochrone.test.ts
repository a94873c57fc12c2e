import * as turf from '@turf/turf';
import { describe, expect, it } from 'vitest';
import type { StreetNetwork } from './types.js';
import { buildWalkGraph, type LonLat } from './graph.js';
import { bufferLines } from './buffer.js';
import { intervalsToLines, reachedIntervals } from './intervals.js';
import { isochrone } from './isochrone.js';
import { routeTo } from './route.js';
import { walkFrom } from './search.js';
import type { Snap } from './snap.js';
import { river, RIVER, straightLine, toLonLat, toXY } from './testing/fixtures.js';
import { distToLine, edge, lineXY, node, snapXY } from './testing/helpers.js';

describe('river: no crossing except at the bridge', () => {
  const g = buildWalkGraph(river());
  const start = snapXY(g, 100, RIVER.northY + 10)!;
  const reach = walkFrom(g, start, 1200);

  it('reaches the far bank only near the bridge', () => {
    for (let i = 0; i <= 8; i++) expect(reach.dist[node(g, 200 + i)]).toBe(Infinity);
    expect(reach.dist[node(g, 210)]).toBeLessThan(1100);
    const lines = intervalsToLines(g, reachedIntervals(g, reach)).map(lineXY);
    const south = lines.filter((l) => l.every((p) => p[1]! < 0));
    expect(south.length).toBeGreaterThan(0);
    for (const l of south) for (const p of l) expect(p[0]).toBeGreaterThan(800);
  });

  it('buffers the reached streets: inside within widthM, outside beyond 2×widthM', () => {
    const widthM = 50;
    const iso = isochrone(g, ...toLonLat(100, RIVER.northY + 10), 1200, widthM)!;
    expect(iso.polygon.type).toBe('MultiPolygon');
    expect(iso.lines.type).toBe('MultiLineString');
    expect(iso.reachedNodes).toBe(reach.reachedNodes.length);
    const lines = (iso.lines.coordinates as LonLat[][]).map((l) => l.map(([lon, lat]) => toXY(lon, lat)));
    const poly = turf.multiPolygon(iso.polygon.coordinates);
    let inside = 0;
    let outside = 0;
    for (let x = -150; x <= 1150; x += 17) {
      for (let y = -200; y <= 200; y += 7) {
        const d = Math.min(...lines.map((l) => distToLine([x, y], l)));
        const isIn = turf.booleanPointInPolygon(turf.point(toLonLat(x, y)), poly);
        if (d <= widthM) {
          expect(isIn, `(${x}, ${y}) is ${d.toFixed(1)} m from a reached street`).toBe(true);
          inside++;
        } else if (d >= 2 * widthM) {
          expect(isIn, `(${x}, ${y}) is ${d.toFixed(1)} m from every reached street`).toBe(false);
          outside++;
        }
      }
    }
    expect(inside).toBeGreaterThan(500);
    expect(outside).toBeGreaterThan(500);
    // The south bank opposite the start is only 120 m away across the water, but not covered.
    expect(turf.booleanPointInPolygon(turf.point(toLonLat(100, RIVER.southY)), poly)).toBe(false);
  });
});

describe('isochrone', () => {
  it('returns null when the point cannot be snapped', () => {
    const g = buildWalkGraph(straightLine());
    expect(isochrone(g, ...toLonLat(0, 5000), 1200)).toBeNull();
  });

  it('chains snap, walk, intervals, lines and polygon', () => {
    const g = buildWalkGraph(straightLine());
    const iso = isochrone(g, ...toLonLat(150, 10), 120, 20)!;
    expect(iso.snap.edge).toBe(edge(g, 2));
    expect(iso.reachedNodes).toBe(2);
    expect(iso.lines.coordinates.length).toBe(3);
    expect(iso.polygon.coordinates.length).toBe(1); // one connected stretch from x=30 to x=270
    const poly = turf.multiPolygon(iso.polygon.coordinates);
    expect(turf.booleanPointInPolygon(turf.point(toLonLat(35, 15)), poly)).toBe(true);
    expect(turf.booleanPointInPolygon(turf.point(toLonLat(0, 0)), poly)).toBe(false);
  });
});

describe('purity', () => {
  it('does not mutate its inputs', () => {
    const net = river();
    const before: StreetNetwork = structuredClone(net);
    const g = buildWalkGraph(net);
    const snaps: Snap[] = [snapXY(g, 100, 70)!, snapXY(g, 900, -70)!];
    const snapsBefore = structuredClone(snaps);
    const reach = walkFrom(g, snaps, 800);
    const iv = reachedIntervals(g, reach);
    const ivBefore = structuredClone(iv);
    const lines = intervalsToLines(g, iv);
    const linesBefore = structuredClone(lines);
    bufferLines(lines, 40);
    routeTo(g, reach, snapXY(g, 500, 60)!);
    isochrone(g, ...toLonLat(300, 60), 500);
    expect(net).toEqual(before);
    expect(snaps).toEqual(snapsBefore);
    expect(iv).toEqual(ivBefore);
    expect(lines).toEqual(linesBefore);
  });
});
