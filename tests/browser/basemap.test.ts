/**
 * The optional raster basemap and the attribution line, in Chromium: with BASEMAP_TILES set the
 * map asks the tile server for tiles (intercepted here, nothing leaves the machine) and credits
 * it; an OSM-derived street network is credited "© OpenStreetMap contributors"; without a
 * basemap no request leaves the app's own origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { setMeta } from '../../server/db/dataset.repository.js';
import { ARTIFACTS, chromiumAvailable, serveAnotherApp, startBrowserApp, type BrowserApp } from '../helpers/browser.js';

// A valid 1×1 PNG (grey): enough for MapLibre to decode a raster tile.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN4+PAhAAXNAuRhYZ0WAAAAAElFTkSuQmCC', 'base64');
const TILES = 'https://tiles.example.test/{z}/{x}/{y}.png';

async function openMap(page: Page, url: string) {
  await page.goto(url);
  await page.waitForFunction(() => window.__map?.isStyleLoaded(), null, { timeout: 60_000 });
  // The attribution control is added once /api/map/config has answered.
  await page.waitForSelector('.maplibregl-ctrl-attrib', { timeout: 30_000 });
}

describe.skipIf(!chromiumAvailable('basemap and attribution'))('basemap and attribution in Chromium', () => {
  // One database copy and one Chromium for both configurations. "Without a basemap" runs first:
  // the other block then records an OSM street network in the same database (blocks run in order).
  let shared: BrowserApp;
  beforeAll(async () => {
    shared = await startBrowserApp();
  }, 120_000);
  afterAll(() => shared?.close());

  describe('without a basemap', () => {
    let b: BrowserApp;
    beforeAll(() => {
      b = shared;
    });

    it('asks nothing of other origins and credits only Lifecircle', async () => {
      const page = await b.browser.newPage({ viewport: { width: 375, height: 812 } });
      const foreign: string[] = [];
      page.on('request', (r) => {
        if (/^https?:/.test(r.url()) && !r.url().startsWith(b.base)) foreign.push(r.url());
      });
      await openMap(page, `${b.base}/`);
      await page.waitForLoadState('networkidle');
      expect(foreign).toEqual([]);
      expect(await page.evaluate(() => !!window.__map?.getLayer('basemap'))).toBe(false);
      await page.evaluate(() => document.querySelector('.maplibregl-ctrl-attrib')?.classList.add('maplibregl-compact-show'));
      const text = await page.locator('.maplibregl-ctrl-attrib-inner').textContent();
      expect(text).toContain('生活圈 Lifecircle');
      expect(text).not.toContain('OpenStreetMap');
      await page.close();
    });
  });

  describe('with BASEMAP_TILES and an OSM street network', () => {
    let b: BrowserApp;
    beforeAll(async () => {
      b = await serveAnotherApp(shared, { basemap: { tiles: [TILES], attribution: 'Example Tiles ©', maxzoom: 18 } });
      await b.app.db.kysely.transaction().execute((tx) => setMeta(tx, 'network', { attribution: '© OpenStreetMap contributors (ODbL)' }));
    }, 120_000);
    afterAll(() => b?.close());

    it('draws the tiles under our layers and credits both', async () => {
      const page = await b.browser.newPage({ viewport: { width: 1280, height: 800 } });
      const tileRequests: string[] = [];
      await page.route('https://tiles.example.test/**', (route) => {
        tileRequests.push(route.request().url());
        return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
      });
      await openMap(page, `${b.base}/`);
      await page.waitForFunction(() => !!window.__map?.getLayer('basemap'), null, { timeout: 30_000 });
      await expect.poll(() => tileRequests.length, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(tileRequests[0]).toMatch(/^https:\/\/tiles\.example\.test\/\d+\/\d+\/\d+\.png$/);
      // Just above the background, under the streets and every data layer.
      const order = await page.evaluate(() => window.__map!.getStyle().layers.map((l) => l.id));
      expect(order.indexOf('basemap')).toBe(1);
      await page.evaluate(() => document.querySelector('.maplibregl-ctrl-attrib')?.classList.add('maplibregl-compact-show'));
      const text = await page.locator('.maplibregl-ctrl-attrib-inner').textContent();
      expect(text).toContain('生活圈 Lifecircle');
      expect(text).toContain('© OpenStreetMap contributors');
      expect(text).toContain('Example Tiles ©');
      await page.screenshot({ path: join(ARTIFACTS, 'basemap-planner-1280.png') });
      await page.close();
    });
  });
});
