import { describe, expect, it } from 'vitest';
import geographiclib from 'geographiclib-geodesic';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { CIRCLE_STEPS, circlePiece } from './pieces.js';
import { areaM2, geodesicDistanceM, localDistanceM } from '../geo/measure.js';

const WGS84 = geographiclib.Geodesic.WGS84;

/** The geodesic circle's area, from 4096 points of GeographicLib's Direct (edges 1.5 m: exact to 1e-7). */
function trueCircleArea(lon: number, lat: number, r: number): number {
  const p = WGS84.Polygon(false);
  for (let i = 0; i < 4096; i++) {
    const d = WGS84.Direct(lat, lon, (360 * i) / 4096, r);
    p.AddPoint(d.lat2!, d.lon2!);
  }
  return Math.abs(p.Compute(false, true).area!) * (1 + (1 - Math.cos(Math.PI / 4096)) / 1); // inscribed 4096-gon → circle
}

describe('circlePiece', () => {
  it.each([
    [121.6, 22.5, 1000],
    [121.6, 38.9, 1000],
    [126.6, 45.7, 1000],
    [126.6, 45.7, 3000],
    [10, 60, 500],
  ])('at (%s, %s), r = %s m: area within 0.01 %% of the geodesic circle, every vertex outside it', (lon, lat, r) => {
    const p = circlePiece('x', lon, lat, r);
    const ring = p.polygons[0]![0]!;
    expect(ring).toHaveLength(CIRCLE_STEPS + 1);
    const truth = trueCircleArea(lon, lat, r);
    expect(Math.abs(areaM2({ type: 'Polygon', coordinates: [ring] }) / truth - 1)).toBeLessThan(1e-4);
    // Never inscribed: every vertex lies outside the circle, by about the same distance.
    const out = ring.map(([x, y]) => geodesicDistanceM(lon, lat, x!, y!) - r);
    expect(Math.min(...out)).toBeGreaterThan(0);
    expect(Math.max(...out) - Math.min(...out)).toBeLessThan(0.005);
  });

  it('the same arguments give the same piece (packing.ts rebuilds circles from them)', () => {
    expect(circlePiece('a', 121.6, 38.9, 1000, 64)).toEqual(circlePiece('a', 121.6, 38.9, 1000, 64));
    expect(circlePiece('a', 121.6, 38.9, 1000, 64).polygons[0]![0]).toHaveLength(65);
  });

  it('every point within insideM of the centre is inside the polygon, and insideM is the inner radius to a few cm', () => {
    for (const steps of [16, 64, CIRCLE_STEPS]) {
      const p = circlePiece('a', 126.6, 45.7, 1000, steps);
      const poly = { type: 'Polygon' as const, coordinates: p.polygons[0]! };
      const inner = 1000 * Math.sqrt((2 * Math.PI) / (steps * Math.sin((2 * Math.PI) / steps))) * Math.cos(Math.PI / steps);
      expect(p.circle!.insideM).toBeLessThan(inner);
      expect(p.circle!.insideM).toBeGreaterThan(inner - 0.05);
      // Points on the inner circle, at many angles (edge midpoints included), measured as coverGrid does.
      for (let i = 0; i < 4 * steps; i++) {
        const az = (360 * (i + 0.5)) / (4 * steps);
        const d = WGS84.Direct(45.7, 126.6, az, p.circle!.insideM);
        expect(localDistanceM(d.lon2!, d.lat2!, 126.6, 45.7)).toBeLessThanOrEqual(p.circle!.insideM + 0.002);
        expect(booleanPointInPolygon([d.lon2!, d.lat2!], poly)).toBe(true);
      }
    }
  });
});
