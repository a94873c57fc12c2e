import { describe, expect, it } from 'vitest';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { generateSampleCity } from '../../geodata/generator/index.js';
import { GridLocator } from './locator.js';

describe('GridLocator', () => {
  const city = generateSampleCity({ size: 'small', seed: 2 });
  const grids = city.grids.map((f, i) => ({ id: i + 1, polygon: f.geometry }));
  const locator = new GridLocator(grids);

  it('finds the grid containing a point as a brute-force point-in-polygon does, or says it is unsure near a boundary', () => {
    const [x0, y0, x1, y1] = city.meta.bbox;
    let seed = 5;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let sure = 0;
    for (let i = 0; i < 3000; i++) {
      const lon = x0 - 0.01 + rnd() * (x1 - x0 + 0.02);
      const lat = y0 - 0.01 + rnd() * (y1 - y0 + 0.02);
      const got = locator.locate(lon, lat);
      const containing = grids.filter((g) => booleanPointInPolygon([lon, lat], g.polygon));
      if (got === 'unsure') continue;
      sure++;
      expect(got?.id ?? null).toBe(containing.length ? Math.min(...containing.map((g) => g.id)) : null);
    }
    expect(sure).toBeGreaterThan(2900);
  });

  it('is unsure on vertices and shared borders, and for non-finite input', () => {
    for (const g of grids.slice(0, 20)) {
      const ring = g.polygon.coordinates[0]!;
      expect(locator.locate(ring[0]![0], ring[0]![1])).toBe('unsure');
      const [a, b] = [ring[1]!, ring[2]!];
      expect(locator.locate((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)).toBe('unsure');
    }
    expect(locator.locate(NaN, 38.9)).toBe('unsure');
    expect(new GridLocator([]).locate(121.6, 38.9)).toBe('unsure');
  });

  it('excludes holes', () => {
    const sq = (x: number, y: number, s: number) => [
      [x, y],
      [x + s, y],
      [x + s, y + s],
      [x, y + s],
      [x, y],
    ];
    const donut = new GridLocator([{ id: 1, polygon: { type: 'Polygon', coordinates: [sq(0, 0, 1), sq(0.25, 0.25, 0.5)] } }]);
    expect(donut.locate(0.1, 0.1)?.valueOf()).toMatchObject({ id: 1 });
    expect(donut.locate(0.5, 0.5)).toBeNull();
    expect(donut.locate(2, 2)).toBeNull();
  });
});
