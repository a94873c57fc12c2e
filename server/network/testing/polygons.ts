/** Test helpers for polygons: orientation and validity as RFC 7946 and OGC want them. */
import kinks from '@turf/kinks';
import { expect } from 'vitest';
import type { Polygon, Position } from 'geojson';

/** Signed shoelace area of a lon/lat ring in degrees² (> 0: counter-clockwise). */
export const signedArea = (ring: Position[]) => {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return s / 2;
};

/** Every ring closed, ≥ 4 positions, outer counter-clockwise / holes clockwise (RFC 7946), no self-intersection. */
export function expectValidPolygons(polys: Position[][][]) {
  for (const poly of polys) {
    poly.forEach((ring, i) => {
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      if (i === 0) expect(signedArea(ring)).toBeGreaterThan(0);
      else expect(signedArea(ring)).toBeLessThan(0);
    });
    expect(kinks({ type: 'Polygon', coordinates: poly } as Polygon).features).toHaveLength(0);
  }
}
