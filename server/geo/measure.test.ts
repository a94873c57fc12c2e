import { describe, expect, it } from 'vitest';
import geographiclib from 'geographiclib-geodesic';
import turfArea from '@turf/area';
import { areaM2, frameStretch, geodesicDistanceM, localDistanceM, localFrame, metresPerDegree } from './measure.js';

describe('geodesicDistanceM', () => {
  it('is the WGS84 ellipsoidal distance (1° of latitude around 38.9° N = M(φ)·π/180 ≈ 111,013.5 m; a sphere says 111,195 m)', () => {
    expect(Math.abs(geodesicDistanceM(121.6, 38.4, 121.6, 39.4) - 111_013.5)).toBeLessThan(1);
    expect(geodesicDistanceM(121.6, 38.91, 121.6, 38.91)).toBe(0);
  });
});

describe('metresPerDegree', () => {
  // Independent check: GeographicLib over 0.001° (≈ 100 m) at several latitudes.
  it.each([0, 22.5, 38.91, 47.1, 60])('agrees with GeographicLib at %s°', (lat) => {
    const k = metresPerDegree(lat);
    const d = 0.001;
    expect(k.y * d).toBeCloseTo(geodesicDistanceM(10, lat - d / 2, 10, lat + d / 2), 3);
    expect(k.x * d).toBeCloseTo(geodesicDistanceM(10 - d / 2, lat, 10 + d / 2, lat), 3);
  });

  it('is the ellipsoid, not the sphere (≈ 0.3 % apart at 39° N)', () => {
    const sphere = (6371008.8 * Math.PI) / 180;
    expect(Math.abs(metresPerDegree(38.91).y / sphere - 1)).toBeGreaterThan(0.001);
  });
});

describe('localDistanceM', () => {
  it('is within 1 mm per km of the exact geodesic distance up to a few km', () => {
    let seed = 5;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 200; i++) {
      const lat = -60 + rnd() * 120;
      const lon = -180 + rnd() * 360;
      const [lon2, lat2] = [lon + (rnd() - 0.5) * 0.05, lat + (rnd() - 0.5) * 0.05];
      const exact = geodesicDistanceM(lon, lat, lon2, lat2);
      expect(Math.abs(localDistanceM(lon, lat, lon2, lat2) - exact)).toBeLessThanOrEqual(Math.max(0.001, exact * 1e-6) + exact * 1e-6);
    }
  });
});

describe('frameStretch', () => {
  it('bounds how much the frame overstates true distances across a latitude span', () => {
    const f = localFrame(121.6, 38.91);
    expect(frameStretch(f, 38.91, 38.91)).toBe(1);
    const s = frameStretch(f, 38.87, 38.95);
    // Measured: east–west 100 m at the span's ends, in the frame vs GeographicLib.
    for (const lat of [38.87, 38.95]) {
      const d = 100 / metresPerDegree(lat).x;
      const inFrame = d * f.kx;
      expect(inFrame / geodesicDistanceM(121.6, lat, 121.6 + d, lat)).toBeLessThanOrEqual(s + 1e-7);
    }
    expect(s).toBeGreaterThan(1);
    expect(s).toBeLessThan(1.001);
  });
});

describe('areaM2', () => {
  it('measures a 1 km square within 0.5 % of its planar area in the local frame', () => {
    const k = metresPerDegree(38.91);
    const [x, y] = [1000 / k.x, 1000 / k.y];
    const sq = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [121.6, 38.91],
          [121.6 + x, 38.91],
          [121.6 + x, 38.91 + y],
          [121.6, 38.91 + y],
          [121.6, 38.91],
        ],
      ],
    };
    expect(Math.abs(areaM2(sq) / 1e6 - 1)).toBeLessThan(0.005);
    expect(
      areaM2({ type: 'MultiPolygon', coordinates: [sq.coordinates, sq.coordinates.map((r) => r.map(([a, b]) => [a! + 2 * x, b!]))] }) / areaM2(sq),
    ).toBeCloseTo(2, 6);
  });
});

describe('areaM2 on the ellipsoid', () => {
  /** GeographicLib's PolygonArea (geodesic edges, exact): what PostGIS ST_Area(geography) computes. */
  const exact = (ring: number[][]) => {
    const p = geographiclib.Geodesic.WGS84.Polygon(false);
    for (const [lon, lat] of ring.slice(0, -1)) p.AddPoint(lat!, lon!);
    return Math.abs(p.Compute(false, true).area!);
  };
  let seed = 11;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  /** A star-shaped ring of 3–22 vertices of radius up to `deg` degrees (either winding). */
  const star = (lon: number, lat: number, deg: number) => {
    const n = 3 + Math.floor(rnd() * 20);
    const ccw = rnd() < 0.5;
    const ring: number[][] = [];
    for (let i = 0; i < n; i++) {
      const a = ((ccw ? 1 : -1) * 2 * Math.PI * i) / n;
      const r = deg * (0.5 + rnd() * 0.5);
      ring.push([lon + (r * Math.cos(a)) / Math.cos((lat * Math.PI) / 180), lat + r * Math.sin(a)]);
    }
    ring.push(ring[0]!);
    return ring;
  };

  it.each([0.0005, 0.003, 0.01, 0.1])('is within 0.001 %% of GeographicLib for polygons of ~%s° at latitudes up to ±70°', (deg) => {
    for (let k = 0; k < 150; k++) {
      const ring = star(-180 + rnd() * 360, -70 + rnd() * 140, deg);
      expect(Math.abs(areaM2({ type: 'Polygon', coordinates: [ring] }) / exact(ring) - 1)).toBeLessThan(1e-5);
    }
  });

  it('takes holes off, whatever their winding, and crosses the antimeridian', () => {
    const outer = star(179.999, 45.7, 0.01);
    const hole = star(179.999, 45.7, 0.002);
    const a = areaM2({ type: 'Polygon', coordinates: [outer, hole] });
    expect(Math.abs(a / (exact(outer) - exact(hole)) - 1)).toBeLessThan(1e-5);
    expect(areaM2({ type: 'Polygon', coordinates: [outer, [...hole].reverse()] })).toBe(a);
    expect(areaM2({ type: 'MultiPolygon', coordinates: [[outer, hole], [hole]] })).toBeCloseTo(exact(outer), 0);
  });

  it('gives a 1 km square at 45.7° N its ellipsoidal area, not the sphere’s (Turf is ~0.3 % off there)', () => {
    const k = metresPerDegree(45.7);
    const ring = [
      [10, 45.7],
      [10 + 1000 / k.x, 45.7],
      [10 + 1000 / k.x, 45.7 + 1000 / k.y],
      [10, 45.7 + 1000 / k.y],
      [10, 45.7],
    ];
    const sq = { type: 'Polygon' as const, coordinates: [ring] };
    expect(Math.abs(areaM2(sq) / exact(ring) - 1)).toBeLessThan(1e-6);
    expect(Math.abs(turfArea(sq) / exact(ring) - 1)).toBeGreaterThan(1e-3);
  });
});
