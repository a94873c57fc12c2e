import type { Geometry, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { convertPosition, fromWgs84, parseCrs, toWgs84, type Crs } from './crs.js';
import { haversineM } from './osm.js';

const DALIAN: [number, number] = [121.6, 38.91];
const dist = (a: Position, b: Position) => haversineM([a[0], a[1]], [b[0], b[1]]);

/** Every position of a geometry, in order. */
function positions(g: Geometry): Position[] {
  if (g.type === 'GeometryCollection') return g.geometries.flatMap(positions);
  const out: Position[] = [];
  const walk = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push(c as Position);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(g.coordinates);
  return out;
}

/** East / north offset in metres from a to b (local flat approximation, fine for < 1 km). */
function offsetM(a: Position, b: Position): { east: number; north: number } {
  const east = haversineM([a[0], a[1]], [b[0], a[1]]) * Math.sign(b[0] - a[0]);
  const north = haversineM([a[0], a[1]], [a[0], b[1]]) * Math.sign(b[1] - a[1]);
  return { east, north };
}

describe('WGS84 ↔ GCJ-02 / BD-09 with gcoord', () => {
  it('moves a point in Dalian ≈ 430 m east and ≈ 85 m north from WGS84 to GCJ-02', () => {
    const gcj = fromWgs84({ type: 'Point', coordinates: DALIAN }, 'gcj02');
    const { east, north } = offsetM(DALIAN, gcj.coordinates);
    console.info(`[crs.test] WGS84→GCJ-02 at 121.60, 38.91: ${east.toFixed(1)} m east, ${north.toFixed(1)} m north`);
    expect(east).toBeGreaterThan(300);
    expect(east).toBeLessThan(700);
    expect(north).toBeGreaterThan(40);
    expect(north).toBeLessThan(150);
  });

  it('round-trips GCJ-02 → WGS84 within 1 m (measured: < 0.15 m; gcoord iterates to a 1e-6° residual)', () => {
    const gcj = convertPosition(DALIAN, 'wgs84', 'gcj02');
    const back = toWgs84({ type: 'Point', coordinates: gcj }, 'gcj02').coordinates;
    expect(dist(DALIAN, back)).toBeLessThan(1);

    // Over the Dalian area on a ~1 km lattice, and over all of China on a 1° lattice.
    let maxDalian = 0;
    for (let lon = 121.2; lon <= 122.2; lon += 0.01) {
      for (let lat = 38.7; lat <= 39.5; lat += 0.01) {
        const p: Position = [lon, lat];
        maxDalian = Math.max(maxDalian, dist(p, convertPosition(convertPosition(p, 'wgs84', 'gcj02'), 'gcj02', 'wgs84')));
      }
    }
    let maxChina = 0;
    let maxBd = 0;
    for (let lon = 74; lon <= 134; lon += 1) {
      for (let lat = 19; lat <= 53; lat += 1) {
        const p: Position = [lon, lat];
        maxChina = Math.max(maxChina, dist(p, convertPosition(convertPosition(p, 'wgs84', 'gcj02'), 'gcj02', 'wgs84')));
        maxBd = Math.max(maxBd, dist(p, convertPosition(convertPosition(p, 'wgs84', 'bd09'), 'bd09', 'wgs84')));
      }
    }
    console.info(
      `[crs.test] round-trip error: at Dalian point ${dist(DALIAN, back).toExponential(2)} m; ` +
        `max over Dalian ${maxDalian.toFixed(3)} m; max over China GCJ-02 ${maxChina.toFixed(3)} m, BD-09 ${maxBd.toFixed(3)} m`,
    );
    expect(maxDalian).toBeLessThan(1);
    expect(maxChina).toBeLessThan(1);
    expect(maxBd).toBeLessThan(1);
  });

  it('shifts BD-09 further than GCJ-02 (Baidu adds its own offset)', () => {
    const gcj = convertPosition(DALIAN, 'wgs84', 'gcj02');
    const bd = convertPosition(DALIAN, 'wgs84', 'bd09');
    expect(dist(DALIAN, bd)).toBeGreaterThan(dist(DALIAN, gcj) + 300);
    // bd09 → gcj02 directly agrees with going through WGS84.
    expect(dist(convertPosition(bd, 'bd09', 'gcj02'), gcj)).toBeLessThan(0.5);
  });

  it('leaves positions outside China unchanged (gcoord only shifts inside its China bounding box)', () => {
    expect(convertPosition([7.42, 43.73], 'wgs84', 'gcj02')).toEqual([7.42, 43.73]);
  });

  it('converts every position of every geometry type, keeps Z, and never mutates the input', () => {
    const geometries: Geometry[] = [
      { type: 'Point', coordinates: [121.6, 38.91, 12] },
      { type: 'MultiPoint', coordinates: [DALIAN, [121.61, 38.92]] },
      { type: 'LineString', coordinates: [DALIAN, [121.61, 38.92]] },
      { type: 'MultiLineString', coordinates: [[DALIAN, [121.61, 38.92]]] },
      { type: 'Polygon', coordinates: [[DALIAN, [121.61, 38.91], [121.61, 38.92], DALIAN]] },
      { type: 'MultiPolygon', coordinates: [[[DALIAN, [121.61, 38.91], [121.61, 38.92], DALIAN]]] },
      { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: DALIAN }] },
    ];
    for (const crs of ['gcj02', 'bd09'] as Crs[]) {
      for (const g of geometries) {
        const before = JSON.stringify(g);
        const out = fromWgs84(g, crs);
        expect(JSON.stringify(g)).toBe(before); // input untouched
        expect(out).not.toBe(g);
        expect(out.type).toBe(g.type);
        const pin = positions(g);
        const pout = positions(out);
        expect(pout).toHaveLength(pin.length);
        pout.forEach((p, i) => {
          const d = dist(pin[i], p);
          expect(d).toBeGreaterThan(300);
          expect(d).toBeLessThan(1500);
        });
        const back = toWgs84(out, crs);
        positions(back).forEach((p, i) => expect(dist(pin[i], p)).toBeLessThan(1));
      }
    }
    const z = fromWgs84({ type: 'Point', coordinates: [121.6, 38.91, 12] }, 'gcj02');
    expect(z.coordinates[2]).toBe(12);
    expect(toWgs84({ type: 'Point', coordinates: DALIAN }, 'wgs84').coordinates).toEqual(DALIAN);
  });

  it('parses CRS names and aliases', () => {
    expect(parseCrs('WGS84')).toBe('wgs84');
    expect(parseCrs('EPSG:4326')).toBe('wgs84');
    expect(parseCrs('GCJ-02')).toBe('gcj02');
    expect(parseCrs('amap')).toBe('gcj02');
    expect(parseCrs('BD-09')).toBe('bd09');
    expect(parseCrs('baidu')).toBe('bd09');
    expect(parseCrs('EPSG:3857')).toBeNull();
  });
});
