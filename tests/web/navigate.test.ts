/** The navigation hand-off converts WGS84 to each app's datum (GCJ-02 / BD-09) and builds its URL. */
import { describe, expect, it } from 'vitest';
import { amapUrl, appleUrl, baiduUrls, navigationLinks, toBd09, toGcj02 } from '../../web/src/courier/navigate.js';

/** Metres east/north from a to b (local flat approximation, fine for < 1 km). */
function offsetM(a: [number, number], b: [number, number]): { east: number; north: number } {
  const R = 6371008.8;
  const rad = Math.PI / 180;
  return { east: (b[0] - a[0]) * rad * R * Math.cos(a[1] * rad), north: (b[1] - a[1]) * rad * R };
}

const DALIAN: [number, number] = [121.6, 38.91];

describe('datum conversion', () => {
  it('WGS84 → GCJ-02 in Dalian shifts about 427 m east and 85 m north', () => {
    const { east, north } = offsetM(DALIAN, toGcj02(DALIAN));
    expect(east).toBeGreaterThan(417);
    expect(east).toBeLessThan(437);
    expect(north).toBeGreaterThan(80);
    expect(north).toBeLessThan(90);
  });

  it('BD-09 differs from GCJ-02 by about 0.0065° lon / 0.006° lat', () => {
    const gcj = toGcj02(DALIAN);
    const bd = toBd09(DALIAN);
    expect(bd[0] - gcj[0]).toBeCloseTo(0.0065, 3);
    expect(bd[1] - gcj[1]).toBeCloseTo(0.006, 3);
  });

  it('leaves points outside China unchanged (GCJ-02 applies in China only)', () => {
    expect(toGcj02([2.35, 48.85])).toEqual([2.35, 48.85]);
  });

  it('does not mutate its input', () => {
    const p: [number, number] = [121.6, 38.91];
    toGcj02(p);
    toBd09(p);
    expect(p).toEqual([121.6, 38.91]);
  });
});

describe('navigation URLs', () => {
  const name = '泰福社区爱心驿站';

  const HERE: [number, number] = [121.59, 38.9];
  const origin = { at: HERE, name: '我的位置' };

  it('Amap: GCJ-02 lon,lat,name, riding (e-bike), coordinate=gaode; from the rider when known', () => {
    const [lon, lat] = toGcj02(DALIAN);
    const url = new URL(amapUrl(DALIAN, name));
    expect(url.origin + url.pathname).toBe('https://uri.amap.com/navigation');
    expect(url.searchParams.get('to')).toBe(`${lon.toFixed(6)},${lat.toFixed(6)},${name}`);
    expect(url.searchParams.get('mode')).toBe('ride');
    expect(url.searchParams.get('coordinate')).toBe('gaode');
    expect(url.searchParams.has('from')).toBe(false);
    const [olon, olat] = toGcj02(HERE);
    const withFrom = new URL(amapUrl(DALIAN, name, origin));
    expect(withFrom.searchParams.get('from')).toBe(`${olon.toFixed(6)},${olat.toFixed(6)},我的位置`);
    expect(withFrom.searchParams.get('to')).toBe(url.searchParams.get('to'));
  });

  it('Baidu: BD-09 lat,lng, riding, in the app scheme and (with an origin, which it needs) the web page', () => {
    const [lng, lat] = toBd09(DALIAN);
    const [olng, olat] = toBd09(HERE);
    expect(baiduUrls(DALIAN, name).web).toBeNull();
    expect(new URLSearchParams(baiduUrls(DALIAN, name).app.split('?')[1]).has('origin')).toBe(false);
    const { app, web } = baiduUrls(DALIAN, name, origin);
    expect(app.startsWith('baidumap://map/direction?')).toBe(true);
    for (const u of [app, web!]) {
      const q = new URLSearchParams(u.split('?')[1]);
      expect(q.get('destination')).toBe(`latlng:${lat.toFixed(6)},${lng.toFixed(6)}|name:${name}`);
      expect(q.get('origin')).toBe(`latlng:${olat.toFixed(6)},${olng.toFixed(6)}|name:我的位置`);
      expect(q.get('coord_type')).toBe('bd09ll');
      expect(q.get('mode')).toBe('riding');
    }
    expect(new URL(web!).searchParams.get('output')).toBe('html');
    expect(web!.startsWith('https://api.map.baidu.com/direction?')).toBe(true);
  });

  it('Apple: daddr=lat,lon in GCJ-02 inside China, WGS84 outside', () => {
    const [lon, lat] = toGcj02(DALIAN);
    const url = new URL(appleUrl(DALIAN));
    expect(url.searchParams.get('daddr')).toBe(`${lat.toFixed(6)},${lon.toFixed(6)}`);
    expect(url.searchParams.get('dirflg')).toBe('w');
    expect(new URL(appleUrl([2.35, 48.85])).searchParams.get('daddr')).toBe('48.850000,2.350000');
    const [olon, olat] = toGcj02(HERE);
    expect(new URL(appleUrl(DALIAN, origin)).searchParams.get('saddr')).toBe(`${olat.toFixed(6)},${olon.toFixed(6)}`);
  });

  it('keeps separators in names from breaking the URL fields', () => {
    const url = new URL(amapUrl(DALIAN, 'A,B|C'));
    expect(url.searchParams.get('to')!.split(',')).toHaveLength(3);
    expect(navigationLinks(DALIAN, 'x').map((l) => l.app)).toEqual(['amap', 'baidu', 'apple']);
  });
});
