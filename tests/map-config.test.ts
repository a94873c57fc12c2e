/**
 * The map configuration: an optional raster basemap from BASEMAP_* variables (checked at start,
 * GCJ-02/BD-09 tile servers refused) and the data attributions the map must show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.js';
import { setMeta } from '../server/db/dataset.repository.js';
import { openTestApp } from './helpers/db.js';

describe('BASEMAP_* configuration', () => {
  it('is off unless BASEMAP_TILES is set', () => {
    expect(loadConfig({}).basemap).toBeNull();
  });

  it('takes comma-separated XYZ templates with an attribution', () => {
    const c = loadConfig({
      BASEMAP_TILES: 'https://a.tile.openstreetmap.org/{z}/{x}/{y}.png, https://b.tile.openstreetmap.org/{z}/{x}/{y}.png',
      BASEMAP_ATTRIBUTION: '© OpenStreetMap contributors',
      BASEMAP_MAXZOOM: '17',
    });
    expect(c.basemap).toEqual({
      tiles: ['https://a.tile.openstreetmap.org/{z}/{x}/{y}.png', 'https://b.tile.openstreetmap.org/{z}/{x}/{y}.png'],
      attribution: '© OpenStreetMap contributors',
      maxzoom: 17,
    });
  });

  it.each([
    [{ BASEMAP_TILES: 'ftp://x/{z}/{x}/{y}.png', BASEMAP_ATTRIBUTION: 'x' }, /http\(s\)/],
    [{ BASEMAP_TILES: 'https://x/{z}/{x}.png', BASEMAP_ATTRIBUTION: 'x' }, /\{y\}/],
    [{ BASEMAP_TILES: 'https://x/{z}/{x}/{y}.png' }, /BASEMAP_ATTRIBUTION/],
    [{ BASEMAP_TILES: 'https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}', BASEMAP_ATTRIBUTION: '高德' }, /GCJ-02/],
    [{ BASEMAP_TILES: 'https://x/{z}/{x}/{y}.png', BASEMAP_ATTRIBUTION: 'x', BASEMAP_MAXZOOM: 'high' }, /BASEMAP_MAXZOOM/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('GET /api/map/config', () => {
  let t: Awaited<ReturnType<typeof openTestApp>>;
  beforeAll(async () => {
    t = await openTestApp({ basemap: { tiles: ['https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}'], attribution: '天地图', maxzoom: 18 } });
  });
  afterAll(() => t?.close());

  it('gives the basemap, and no data attribution for the generated sample network', async () => {
    const res = await t.app.inject('/api/map/config');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      basemap: { tiles: ['https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}'], attribution: '天地图', maxzoom: 18, tileSize: 256 },
      attributions: [],
    });
  });

  it('names OpenStreetMap once the network comes from it', async () => {
    await t.db.kysely.transaction().execute((tx) => setMeta(tx, 'network', { attribution: '© OpenStreetMap contributors (ODbL)' }));
    const res = await t.app.inject('/api/map/config');
    expect(res.json().attributions).toEqual(['© OpenStreetMap contributors (ODbL)']);
  });
});
