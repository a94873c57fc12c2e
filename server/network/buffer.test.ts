import * as turf from '@turf/turf';
import polygonClipping from 'polygon-clipping';
import { describe, expect, it } from 'vitest';
import type { Position } from 'geojson';
import { generateSampleCity } from '../../geodata/generator/index.js';
import { metresPerDegree } from '../geo/measure.js';
import { bufferLines, outline } from './buffer.js';
import { buildWalkGraph, type LonLat } from './graph.js';
import { intervalsToLines, reachedIntervals } from './intervals.js';
import { walkFrom } from './search.js';
import { snapPoint } from './snap.js';
import { capsuleBuffer } from './testing/capsules.js';
import { river, RIVER, toLonLat, toXY } from './testing/fixtures.js';
import { distToLine, snapXY } from './testing/helpers.js';
import { expectValidPolygons, signedArea } from './testing/polygons.js';

/** The width's promise: never short, at most this far over. */
const OVER = 0.5;

/**
 * Distance in metres from a lon/lat point to the nearest of the lines, measured in the local
 * ellipsoidal metric at the point (server/geo), independently of the buffer's own frame.
 */
function distanceToLines(p: Position, lines: LonLat[][]): number {
  const k = metresPerDegree(p[1]!);
  const xy = (q: Position): [number, number] => [(q[0]! - p[0]!) * k.x, (q[1]! - p[1]!) * k.y];
  let best = Infinity;
  for (const l of lines) {
    if (l.length === 1) best = Math.min(best, Math.hypot(...xy(l[0]!)));
    best = Math.min(best, distToLine([0, 0], l.map(xy)));
  }
  return best;
}

/** Planar area in m² of MultiPolygon coordinates in the local frame at `lat` (holes negative). */
const planarArea = (polys: Position[][][], lat: number) => {
  const k = metresPerDegree(lat);
  return polys.reduce((a, poly) => a + poly.reduce((b, ring) => b + signedArea(ring), 0), 0) * k.x * k.y;
};

/** Valid (see expectValidPolygons) and not empty. */
function expectValid(polys: Position[][][]) {
  expect(polys.length).toBeGreaterThan(0);
  expectValidPolygons(polys);
}

/**
 * The width promise on `lines`: points at exactly `widthM` from the lines (round every vertex and
 * along both sides of every segment) are inside, and every polygon vertex lies within widthM + OVER.
 */
function expectWidth(lines: LonLat[][], widthM: number, polys: Position[][][]) {
  const mp = turf.multiPolygon(polys);
  let probes = 0;
  for (const l of lines) {
    const k = metresPerDegree(l[0]![1]);
    for (let i = 0; i < l.length; i++) {
      const [lon, lat] = l[i]!;
      expect(turf.booleanPointInPolygon([lon, lat], mp)).toBe(true); // the line itself
      for (let a = 0; a < 16; a++) {
        const ang = (2 * Math.PI * a) / 16;
        const q: Position = [lon + (widthM * Math.cos(ang)) / k.x, lat + (widthM * Math.sin(ang)) / k.y];
        expect(turf.booleanPointInPolygon(q, mp), `${widthM} m from a vertex at ${a * 22.5}°`).toBe(true);
        probes++;
      }
      if (i === 0) continue;
      const [lon0, lat0] = l[i - 1]!;
      const dx = (lon - lon0) * k.x;
      const dy = (lat - lat0) * k.y;
      const len = Math.hypot(dx, dy);
      if (len === 0) continue;
      for (const t of [0.25, 0.5, 0.75]) {
        for (const side of [-1, 1]) {
          const q: Position = [lon0 + t * (lon - lon0) + (side * -dy * widthM) / len / k.x, lat0 + t * (lat - lat0) + (side * dx * widthM) / len / k.y];
          expect(turf.booleanPointInPolygon(q, mp), `${widthM} m beside a segment`).toBe(true);
          probes++;
        }
      }
    }
  }
  let worst = 0;
  for (const poly of polys) for (const ring of poly) for (const v of ring) worst = Math.max(worst, distanceToLines(v, lines));
  expect(worst).toBeGreaterThanOrEqual(widthM);
  expect(worst).toBeLessThanOrEqual(widthM + OVER);
  return { probes, worst };
}

describe('bufferLines (Clipper outlines, the street buffer)', () => {
  const g = buildWalkGraph(river());
  const lines = intervalsToLines(g, reachedIntervals(g, walkFrom(g, snapXY(g, 500, RIVER.northY)!, 700)));

  it('holds every point within the width, no vertex beyond width + 0.5 m, valid rings (river fixture)', () => {
    for (const widthM of [30, 50]) {
      const polys = bufferLines(lines, widthM);
      expectValid(polys);
      const { probes } = expectWidth(lines, widthM, polys);
      expect(probes).toBeGreaterThan(200);
    }
  });

  it('contains everything within widthM, nothing beyond widthM + 0.5 m (grid of points)', () => {
    const widthM = 30;
    const poly = turf.multiPolygon(bufferLines(lines, widthM));
    const xy = lines.map((l) => l.map(([lon, lat]) => toXY(lon, lat)));
    let checked = 0;
    for (let x = -100; x <= 1100; x += 13) {
      for (let y = -150; y <= 150; y += 3) {
        const d = Math.min(...xy.map((l) => distToLine([x, y], l)));
        if (d > widthM - 0.01 && d < widthM + OVER + 0.01) continue;
        expect(turf.booleanPointInPolygon(turf.point(toLonLat(x, y)), poly), `(${x}, ${y}) at ${d.toFixed(2)} m`).toBe(d <= widthM);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('a 15-minute walk on the sample city (crossings, bends, holes): width promise, validity, holes clockwise', () => {
    const city = generateSampleCity({ size: 'small', seed: 3 });
    const cg = buildWalkGraph(city.network);
    const [x0, y0, x1, y1] = city.meta.bbox as number[];
    const start = snapPoint(cg, (x0! + x1!) / 2, (y0! + y1!) / 2)!;
    const cl = intervalsToLines(cg, reachedIntervals(cg, walkFrom(cg, start, 1200)));
    const polys = bufferLines(cl, 50);
    expectValid(polys);
    expect(polys.some((p) => p.length > 1)).toBe(true); // blocks wider than 100 m leave holes
    const { worst } = expectWidth(cl, 50, polys);
    expect(worst).toBeGreaterThan(50.1); // arcs are circumscribed: some vertices lie outside the circle
  });

  it('agrees with the polygon-clipping capsule oracle: neither holds more than a thin band the other lacks', () => {
    const widthM = 50;
    const ours = bufferLines(lines, widthM);
    // Oracle: 64-gon discs, no simplification: at most 50/cos(π/64) − 50 ≈ 0.06 m (+ 1 cm) over.
    const oracle = capsuleBuffer(lines, widthM, { segments: 64, simplifyM: 0 });
    const lat = RIVER.northY;
    const perimeter = oracle.flat().reduce((a, ring) => a + turf.length(turf.lineString(ring), { units: 'meters' }), 0);
    const onlyOracle = planarArea(polygonClipping.difference(oracle as any, ours as any) as Position[][][], toLonLat(0, lat)[1]);
    const onlyOurs = planarArea(polygonClipping.difference(ours as any, oracle as any) as Position[][][], toLonLat(0, lat)[1]);
    expect(onlyOracle).toBeLessThan(perimeter * 0.08);
    expect(onlyOurs).toBeLessThan(perimeter * OVER);
    expect(onlyOurs).toBeGreaterThan(0);
  });

  it('buffers a single point as a disc, nothing as nothing', () => {
    const p = toLonLat(0, 0);
    const disc = bufferLines([[p, p]], 50);
    expect(disc.length).toBe(1);
    const a = planarArea(disc, p[1]);
    expect(a).toBeGreaterThan(Math.PI * 50 * 50);
    expect(a).toBeLessThan(Math.PI * 50.5 * 50.5);
    expect(bufferLines([], 50)).toEqual([]);
    expect(bufferLines(lines, 0)).toEqual([]);
  });

  it('a straight segment becomes one capsule of the expected area (between the exact one and one 0.5 m wider)', () => {
    const seg: LonLat[] = [toLonLat(0, 0), toLonLat(500, 0)];
    const poly = bufferLines([seg], 50);
    expect(poly.length).toBe(1);
    expect(poly[0]!.length).toBe(1);
    const a = planarArea(poly, seg[0]![1]);
    expect(a).toBeGreaterThan(500 * 100 + Math.PI * 50 * 50);
    expect(a).toBeLessThan(500 * 101 + Math.PI * 50.5 * 50.5);
  });
});

describe('outline', () => {
  it('a counter-clockwise ring whose sides lie at the radius and arcs circumscribe it', () => {
    const ring: number[] = [];
    outline([0, 0, 100, 0], 50, 32, ring);
    let s = 0;
    const n = ring.length / 2;
    for (let i = 0, j = n - 1; i < n; j = i++) s += ring[2 * j]! * ring[2 * i + 1]! - ring[2 * i]! * ring[2 * j + 1]!;
    expect(s / 2).toBeGreaterThan(0);
    // Area between the exact capsule (2·50·100 + π·50²) and that of circumscribed 32-gon caps.
    const exact = 100 * 100 + Math.PI * 2500;
    expect(s / 2).toBeGreaterThan(exact);
    expect(s / 2).toBeLessThan(100 * 100 + 32 * Math.tan(Math.PI / 32) * 2500 + 1e-6);
    for (let i = 0; i < n; i++) {
      const x = ring[2 * i]!;
      const y = ring[2 * i + 1]!;
      const d = x < 0 ? Math.hypot(x, y) : x > 100 ? Math.hypot(x - 100, y) : Math.abs(y);
      expect(d).toBeGreaterThanOrEqual(50 - 1e-9);
      expect(d).toBeLessThanOrEqual(50 / Math.cos(Math.PI / 32) + 1e-9);
    }
  });
});

describe('capsuleBuffer (the polygon-clipping oracle)', () => {
  const g = buildWalkGraph(river());
  const lines = intervalsToLines(g, reachedIntervals(g, walkFrom(g, snapXY(g, 500, RIVER.northY)!, 700)));

  it.each([
    ['defaults', {}],
    ['no simplification, no joining', { simplifyM: 0, joinLines: false }],
    ['octagons, coarse simplification', { segments: 8, simplifyM: 15 }],
  ])('contains everything within widthM, nothing beyond 2×widthM (%s)', (_name, options) => {
    const widthM = 30;
    const poly = turf.multiPolygon(capsuleBuffer(lines, widthM, options));
    const xy = lines.map((l) => l.map(([lon, lat]) => toXY(lon, lat)));
    for (let x = -100; x <= 1100; x += 13) {
      for (let y = -150; y <= 150; y += 3) {
        const d = Math.min(...xy.map((l) => distToLine([x, y], l)));
        if (d > widthM && d < 2 * widthM) continue;
        expect(turf.booleanPointInPolygon(turf.point(toLonLat(x, y)), poly), `(${x}, ${y}) at ${d.toFixed(1)} m`).toBe(d <= widthM);
      }
    }
  });

  it('buffers a single point as a disc and nothing as nothing', () => {
    const p = toLonLat(0, 0);
    const disc = capsuleBuffer([[p, p]], 50, { simplifyM: 0 });
    expect(disc.length).toBe(1);
    const area = turf.area(turf.multiPolygon(disc));
    expect(area).toBeGreaterThan(Math.PI * 50 * 50);
    expect(area).toBeLessThan(Math.PI * 50 * 50 * 1.1);
    expect(capsuleBuffer([], 50)).toEqual([]);
    expect(capsuleBuffer(lines, 0)).toEqual([]);
  });

  it('a straight segment becomes one capsule of the expected area', () => {
    const poly = capsuleBuffer([[toLonLat(0, 0), toLonLat(500, 0)]], 50, { simplifyM: 0 });
    const area = turf.area(turf.multiPolygon(poly));
    const exact = 500 * 100 + Math.PI * 50 * 50;
    expect(area / exact).toBeGreaterThan(1);
    expect(area / exact).toBeLessThan(1.05);
  });
});
