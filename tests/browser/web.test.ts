/**
 * The web map in a real Chromium against the real app on a real (seeded) database:
 * planner map, summary, table and popups; courier list in walking order, route and navigation
 * hand-off; language switch. Prints first-paint time and bytes transferred; saves screenshots to
 * tests/artifacts/. Skips (with a message) when Chromium is not installed.
 *
 * Over 500 lines on purpose: one Chromium session drives the planner's and courier's flows in
 * order; split across files, each file would start its own app, database copy and browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { build } from '../../server/app.js';
import { openTestDb, testConfig, type TestDb } from '../helpers/db.js';
import { amapUrl, appleUrl, baiduUrls } from '../../web/src/courier/navigate.js';
import { ensureWebBuild } from '../../web/ensure-build.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[browser] SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)`);

const repo = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = join(repo, 'tests/artifacts');

/** Console errors and uncaught exceptions of a page, plus bytes received (CDP, compressed). */
async function watch(context: BrowserContext, page: Page) {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const net = { bytes: 0, requests: 0 };
  const http = new Set<string>();
  cdp.on('Network.requestWillBeSent', (e: { requestId: string; request: { url: string } }) => {
    if (/^https?:/.test(e.request.url)) http.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    if (!http.has(e.requestId)) return; // data: and blob: URLs
    net.bytes += e.encodedDataLength;
    net.requests += 1;
  });
  return { errors, net };
}

const kB = (n: number) => `${(n / 1024).toFixed(0)} kB`;

describe.skipIf(!hasChromium)('web map in Chromium', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  const plannerPath = '/';

  beforeAll(async () => {
    ensureWebBuild((m) => console.log(`[browser] ${m}`));
    mkdirSync(artifacts, { recursive: true });
    t = await openTestDb();
    app = await build({ config: testConfig(), db: t.db });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // The app serves the built map at `/` (server/app.ts registers server/plugins/web.ts).
    expect((await app.inject({ url: '/' })).body).toContain('src="/assets/');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--enable-unsafe-swiftshader',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  it('serves the planner and courier pages and their pre-compressed assets', async () => {
    const html = await app.inject({ url: plannerPath });
    expect(html.statusCode).toBe(200);
    expect(html.headers['cache-control']).toBe('no-cache');
    const courier = await app.inject({ url: '/courier' });
    expect(courier.statusCode).toBe(200);
    expect(courier.body).toContain('爱心驿站');
    const asset = html.body.match(/src="(\/assets\/[^"]+\.js)"/)![1];
    const js = await app.inject({ url: asset, headers: { 'accept-encoding': 'br, gzip' } });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-encoding']).toBe('br');
    expect(js.headers['cache-control']).toContain('immutable');
    // The API is untouched by the static files.
    expect((await app.inject({ url: '/api/health' })).json().status).toBe('ok');
  });

  it('planner: map with grids, gaps and stations; summary; table row fits the map; popups; language switch', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const { errors, net } = await watch(context, page);
    const t0 = Date.now();
    await page.goto(base + plannerPath);
    // First paint with data: grids coloured by coverage (share known) and stations on screen, map idle.
    await page.waitForFunction(
      () => {
        const m = window.__map;
        if (!m?.loaded() || !m.getLayer('grids-fill')) return false;
        const grids = m.queryRenderedFeatures({ layers: ['grids-fill'] });
        // The covered share is a feature state (no re-tiling when coverage arrives).
        return grids.length > 0 && grids.every((f) => (f.state.share as number) >= 0) && m.queryRenderedFeatures({ layers: ['stations'] }).length > 0;
      },
      undefined,
      { timeout: 30_000, polling: 100 },
    );
    const firstPaintMs = Date.now() - t0;
    const firstBytes = net.bytes;

    const rendered = await page.evaluate(() => {
      const m = window.__map!;
      const q = (layer: string) => m.queryRenderedFeatures({ layers: [layer] });
      return {
        grids: new Set(q('grids-fill').map((f) => f.properties.id)).size,
        stations: q('stations').length,
        stationTypes: new Set(q('stations').map((f) => f.properties.type)).size,
      };
    });
    // The planner opens on one type (党群服务中心): its figures, only its stations.
    const stats = (await app.inject({ url: '/api/coverage?types=party_service_center&format=stats' })).json();
    expect(rendered.grids).toBeGreaterThan(stats.grids.length * 0.8);
    expect(rendered.stations).toBeGreaterThan(2);
    expect(rendered.stationTypes).toBe(1);
    // The streets are asked for after the first colours (or 4 s), so they may still be on their way.
    await expect.poll(() => page.evaluate(() => window.__map!.queryRenderedFeatures({ layers: ['network'] }).length), { timeout: 15_000 }).toBeGreaterThan(0);
    // Gaps may be drawn a moment after the colours (they can come from a later request).
    if (stats.units.find((u: { level: string }) => u.level === 'city').gap_area_m2 > 0)
      await expect
        .poll(() => page.evaluate(() => window.__map!.queryRenderedFeatures({ layers: ['gaps-fill'] }).length), { timeout: 15_000 })
        .toBeGreaterThan(0);

    // Summary shows the city's coverage by population, as the API computes it.
    const city = stats.units.find((u: { level: string }) => u.level === 'city');
    await expect.poll(() => page.textContent('#summary .kpi.primary .kpi-value')).toBe(`${(city.covered_share_by_population * 100).toFixed(1)}%`);
    await page.screenshot({ path: join(artifacts, 'planner-1280x800.png') });

    // Street table: one row per street; clicking a row fits the map to that street.
    const rows = page.locator('table.units tbody tr');
    expect(await rows.count()).toBe(stats.units.filter((u: { level: string }) => u.level === 'street').length);
    const before = await page.evaluate(() => ({ zoom: window.__map!.getZoom(), center: window.__map!.getCenter().toArray() }));
    await rows.first().click();
    await page.waitForFunction((z) => !window.__map!.isMoving() && Math.abs(window.__map!.getZoom() - z) > 0.2, before.zoom, { timeout: 10_000 });
    const after = await page.evaluate(() => ({ zoom: window.__map!.getZoom(), center: window.__map!.getCenter().toArray() }));
    expect(after.zoom).toBeGreaterThan(before.zoom);
    await expect.poll(() => rows.first().getAttribute('class')).toContain('selected');
    await page.waitForFunction(() => window.__map!.loaded());
    await page.screenshot({ path: join(artifacts, 'planner-1280x800-street.png') });

    // Sorting: by name ascending puts the smallest code first.
    await page.click('table.units th button[data-sort="name"]');
    const codes = await page.$$eval('table.units tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-code')!));
    expect(codes).toEqual([...codes].sort());

    // Community tab and gap list.
    await page.click('.tabs [data-tab="community"]');
    expect(await page.locator('table.units[data-level="community"] tbody tr').count()).toBe(
      stats.units.filter((u: { level: string }) => u.level === 'community').length,
    );
    await page.click('.tabs [data-tab="gaps"]');
    const gaps = (await app.inject({ url: '/api/coverage/gaps?types=party_service_center&limit=30' })).json();
    if (gaps.features.length) {
      await page.waitForSelector('.gap-list li');
      const listed = await page.$$eval('.gap-list li', (lis) => lis.map((li) => li.getAttribute('data-grid')));
      expect(listed).toEqual(gaps.features.map((f: { properties: { grid_code: string } }) => f.properties.grid_code));
    }

    // Search: a community by name → fly to its grids.
    const community = stats.units.find((u: { level: string }) => u.level === 'community');
    const z0 = await page.evaluate(() => window.__map!.getZoom());
    await page.fill('#search', community.name);
    await page.click('#search-results li button');
    await page.waitForFunction((z) => !window.__map!.isMoving() && Math.abs(window.__map!.getZoom() - z) > 0.2, z0, { timeout: 10_000 });
    expect(await page.evaluate(() => window.__map!.getFilter('grids-selected'))).toEqual(['==', ['get', 'community_code'], community.code]);

    // Click a grid (away from stations): popup with its name, code and leader.
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 16 }));
    await page.waitForFunction(() => !window.__map!.isMoving() && window.__map!.loaded());
    const target = await page.evaluate(() => {
      const m = window.__map!;
      const canvas = m.getCanvas().getBoundingClientRect();
      for (const f of m.queryRenderedFeatures({ layers: ['grids-fill'] })) {
        const ring = (f.geometry as GeoJSON.Polygon).coordinates[0];
        const cx = ring.reduce((s, c) => s + c[0], 0) / ring.length;
        const cy = ring.reduce((s, c) => s + c[1], 0) / ring.length;
        const p = m.project([cx, cy]);
        if (p.x < 40 || p.y < 40 || p.x > canvas.width - 300 || p.y > canvas.height - 220) continue;
        const box: [[number, number], [number, number]] = [
          [p.x - 12, p.y - 12],
          [p.x + 12, p.y + 12],
        ];
        if (m.queryRenderedFeatures(box, { layers: ['stations'] }).length) continue;
        const hit = m.queryRenderedFeatures([p.x, p.y], { layers: ['grids-fill'] })[0];
        if (hit) return { x: canvas.left + p.x, y: canvas.top + p.y, name: hit.properties.name as string, code: hit.properties.code as string };
      }
      return null;
    });
    expect(target).not.toBeNull();
    await page.mouse.click(target!.x, target!.y);
    await page.waitForSelector('.grid-popup');
    expect(await page.textContent('.grid-popup h3')).toBe(target!.name);
    expect(await page.textContent('.grid-popup')).toContain(target!.code);
    await page.waitForSelector('.grid-popup .nearest li .dot');

    // Language switch: visible text changes, and the choice survives a reload.
    expect(await page.textContent('.brand .sub')).toBe('服务覆盖规划');
    await page.click('#lang');
    expect(await page.textContent('.brand .sub')).toBe('Service coverage planner');
    expect(await page.textContent('#summary h2')).toBe('City coverage');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#summary .kpi'));
    expect(await page.textContent('.brand .sub')).toBe('Service coverage planner');
    await page.screenshot({ path: join(artifacts, 'planner-1280x800-en.png') });

    console.log(
      `[browser] planner first paint (grids coloured + stations, map loaded): ${firstPaintMs} ms, ${kB(firstBytes)} transferred in ${net.requests} requests so far`,
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('planner: grid labels at high zoom (not blocking clicks, capped); custom radius and walking minutes', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const { errors } = await watch(context, page);
    const coverageUrls: string[] = [];
    page.on('request', (r) => r.url().includes('/api/coverage') && coverageUrls.push(r.url()));
    await page.goto(base + plannerPath);
    await page.waitForFunction(
      () => {
        const m = window.__map;
        return (
          !!m && m.loaded() && !!m.getLayer('grids-fill') && m.queryRenderedFeatures({ layers: ['grids-fill'] }).some((f) => (f.state.share as number) >= 0)
        );
      },
      undefined,
      { timeout: 30_000, polling: 100 },
    );
    const visibleLabels = () => page.$$eval('.grid-label', (els) => els.filter((e) => getComputedStyle(e).display !== 'none').map((e) => e.textContent));
    expect(await visibleLabels()).toEqual([]); // zoomed out

    // Zoom in on a grid: labels appear for the grids in view, named after them.
    const grids = (await app.inject({ url: '/api/grids?simplify=5' })).json();
    const g = grids.features[Math.floor(grids.features.length / 2)];
    const ring: number[][] = g.geometry.type === 'Polygon' ? g.geometry.coordinates[0] : g.geometry.coordinates[0][0];
    const c = [ring.reduce((s2, p) => s2 + p[0], 0) / ring.length, ring.reduce((s2, p) => s2 + p[1], 0) / ring.length];
    await page.evaluate((center) => window.__map!.jumpTo({ center: center as [number, number], zoom: 16 }), c);
    await expect.poll(async () => (await visibleLabels()).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const texts = await visibleLabels();
    expect(texts.length).toBeLessThanOrEqual(150);
    const shortNames = new Set(
      grids.features.map((f: { properties: { name: string; community_name: string } }) => f.properties.name.replace(f.properties.community_name, '')),
    );
    expect(texts.every((x) => shortNames.has(x!))).toBe(true);
    expect(await page.$eval('.grid-label:not([hidden])', (e) => getComputedStyle(e).pointerEvents)).toBe('none');
    await page.waitForFunction(() => !window.__map!.isMoving() && window.__map!.loaded());
    await page.screenshot({ path: join(artifacts, 'planner-labels-z16.png') });

    // A click on a label reaches the map: the grid under it opens its popup.
    const hit = await page.evaluate(() => {
      const m = window.__map!;
      const r = m.getCanvas().getBoundingClientRect();
      for (const el of Array.from(document.querySelectorAll<HTMLElement>('.grid-label'))) {
        const b = el.getBoundingClientRect();
        const x = b.left + b.width / 2;
        const y = b.top + b.height / 2;
        if (x < r.left + 250 || x > r.right - 300 || y < r.top + 60 || y > r.bottom - 200) continue;
        if (
          m.queryRenderedFeatures(
            [
              [x - r.left - 12, y - r.top - 12],
              [x - r.left + 12, y - r.top + 12],
            ],
            { layers: ['stations'] },
          ).length
        )
          continue;
        return { x, y, id: el.dataset.grid };
      }
      return null;
    });
    expect(hit).not.toBeNull();
    await page.mouse.click(hit!.x, hit!.y);
    await page.waitForSelector('.grid-popup');
    await page.click('.maplibregl-popup-close-button');

    // Zoomed out again: hidden.
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 13 }));
    await expect.poll(async () => (await visibleLabels()).length).toBe(0);

    // Custom radius: a bad entry gets a Chinese message and no request.
    await page.click('#mode label:has(input[value="radius"])');
    await expect.poll(() => coverageUrls.some((u) => /mode=radius&radius=1000/.test(u))).toBe(true);
    const before = coverageUrls.length;
    await page.fill('#radius', '5');
    await page.press('#radius', 'Enter');
    expect(await page.textContent('#standard-error')).toBe('半径须为 10–20000 之间的整数（米）');
    expect(await page.getAttribute('#radius', 'aria-invalid')).toBe('true');
    await page.screenshot({ path: join(artifacts, 'planner-radius-invalid.png') });
    // (The top gaps of the 1000 m question may still arrive after the colours: count radius=5 only.)
    expect(coverageUrls.slice(before).filter((u) => /[?&]radius=5(&|$)/.test(u))).toEqual([]);

    // 300 m: the request carries it, the map is recoloured with the API's shares, the hash keeps it.
    const responded = page.waitForResponse((r) => r.url().includes('/api/coverage?') && r.url().includes('format=stats') && r.url().includes('radius=300'));
    await page.fill('#radius', '300');
    await page.press('#radius', 'Enter');
    await responded;
    expect(await page.isHidden('#standard-error')).toBe(true);
    expect(coverageUrls.slice(before).some((u) => /[?&]mode=radius&radius=300(&|$)/.test(u))).toBe(true);
    const want = (await app.inject({ url: '/api/coverage?types=party_service_center&format=stats&mode=radius&radius=300' })).json();
    // Zoomed out (z13): communities carry their rolled-up share (by population, as the table) as feature state.
    const communities = want.units.filter((u: { level: string }) => u.level === 'community');
    await expect
      .poll(() =>
        page.evaluate(
          (codes: string[]) => codes.map((c) => window.__map!.getFeatureState({ source: 'boundaries', id: Number(c) }).share as number),
          communities.map((u: { code: string }) => u.code),
        ),
      )
      .toEqual(communities.map((u: { covered_share_by_population: number }) => u.covered_share_by_population));
    // Grid zoom: the grids in view carry the API's share for the 300 m standard.
    const share = new Map<number, number>(want.grids.map((x: { id: number; covered_share: number }) => [x.id, x.covered_share]));
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 15 }));
    const inView = async () =>
      page.evaluate(() => {
        const m = window.__map!;
        if (m.isMoving() || !m.loaded()) return null;
        const f = m.queryRenderedFeatures({ layers: ['grids-fill'] });
        return f.length ? f.map((x) => [x.properties.id as number, x.state.share as number] as const) : null;
      });
    await expect.poll(async () => (await inView())?.every(([id, s]) => s === share.get(id)) ?? false, { timeout: 15_000 }).toBe(true);
    expect(await page.evaluate(() => location.hash)).toBe('#mode=radius&radius=300');
    await page.waitForFunction(() => !window.__map!.isMoving() && window.__map!.loaded());
    await page.screenshot({ path: join(artifacts, 'planner-radius-300.png') });

    // Reload keeps the custom standard; walking minutes go out as mode=walk&minutes=.
    await page.reload();
    await page.waitForSelector('#summary .kpi');
    expect(await page.isChecked('#mode input[value="radius"]')).toBe(true);
    expect(await page.inputValue('#radius')).toBe('300');
    await page.click('#mode label:has(input[value="walk"])');
    await page.fill('#minutes', '10');
    const walk = page.waitForRequest((r) => /\/api\/coverage\?.*mode=walk&minutes=10(&|$)/.test(r.url()));
    await page.press('#minutes', 'Enter');
    await walk;
    await page.waitForSelector('#summary .kpi');
    expect(await page.evaluate(() => location.hash)).toBe('#mode=walk&minutes=10');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('planner by zoom: communities coloured by their roll-up when zoomed out (no grids asked for); zoomed in, only the grids of the view', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const { errors, net } = await watch(context, page);
    const apiUrls: string[] = [];
    page.on('request', (r) => r.url().includes('/api/') && apiUrls.push(decodeURIComponent(r.url().replace(base, ''))));
    // Open zoomed out on the city centre (the small sample city fits at grid zoom, so jump at once).
    await page.goto(base + plannerPath);
    await page.waitForFunction(() => !!window.__map?.getLayer('communities-fill'), undefined, { timeout: 30_000 });
    const gridMin = 13.5; // GRID_MIN_ZOOM in web/src/planner/layers.ts
    const stats = (await app.inject({ url: '/api/coverage?types=party_service_center&format=stats' })).json();
    // Coloured by population, the measure the table shows by default (one choice drives both).
    const communities = new Map<string, number>(
      stats.units
        .filter((u: { level: string }) => u.level === 'community')
        .map((u: { code: string; covered_share_by_population: number }) => [u.code, u.covered_share_by_population]),
    );
    const gridShare = new Map<number, number>(stats.grids.map((g: { id: number; covered_share: number }) => [g.id, g.covered_share]));

    await page.evaluate(() => window.__map!.jumpTo({ zoom: 12 }));
    const before = apiUrls.length;
    const cityView = () =>
      page.evaluate(() => {
        const m = window.__map!;
        if (m.isMoving() || !m.loaded()) return null;
        return {
          communities: m.queryRenderedFeatures({ layers: ['communities-fill'] }).map((f) => [f.properties.code as string, f.state.share as number] as const),
          grids: m.queryRenderedFeatures({ layers: ['grids-fill'] }).length,
          gaps: m.queryRenderedFeatures({ layers: ['gaps-fill'] }).length,
          legend: document.querySelector('#legend .legend-title')?.textContent,
        };
      });
    // The top gaps arrive after the colours (a second request), so wait for both.
    const gapsExpected = stats.units.find((u: { level: string }) => u.level === 'city').gap_area_m2 > 0;
    let city: Awaited<ReturnType<typeof cityView>> = null;
    await expect
      .poll(async () => ((city = await cityView()) && city.communities.length > 0 && (!gapsExpected || city.gaps > 0) ? 'ready' : 'waiting'), {
        timeout: 20_000,
      })
      .toBe('ready');
    city = city!;
    // Every community of the small city is in view, each coloured with the API's roll-up; no grid drawn.
    expect(new Set(city.communities.map(([c]) => c)).size).toBe(communities.size);
    for (const [code, share] of city.communities) expect(share).toBe(communities.get(code));
    expect(city.grids).toBe(0);
    expect(city.legend).toBe('社区覆盖率（按人口）');
    if (gapsExpected) expect(city.gaps).toBeGreaterThan(0);
    // Major roads at city zoom: each road merged into one line (overview), not every edge.
    // (Only merged roads carry `edges`, the number of edges joined.)
    const roads = () => page.evaluate(() => window.__map!.queryRenderedFeatures({ layers: ['network'] }).map((f) => f.properties.edges as number | undefined));
    await expect
      .poll(
        async () => {
          const r = await roads();
          return r.length > 0 && r.every((n) => typeof n === 'number' && n >= 1);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    const networkUrls = apiUrls.slice(before).filter((u) => u.startsWith('/api/network?'));
    expect(networkUrls.length).toBeGreaterThan(0);
    for (const u of networkUrls) expect(u).toContain('overview=true');
    await page.screenshot({ path: join(artifacts, 'planner-1280x800-city-zoom.png') });
    // Zooming out asked for no grids, shares or gaps of the view.
    expect(apiUrls.slice(before).filter((u) => u.startsWith('/api/grids') || u.includes('format=shares') || /gaps\?.*bbox/.test(u))).toEqual([]);

    // A click on a community: its figures and a way in to its grids.
    const pt = await page.evaluate(() => {
      const m = window.__map!;
      const r = m.getCanvas().getBoundingClientRect();
      const c = m.project(m.getCenter());
      for (let dx = 0; dx < 200; dx += 15) {
        const p: [number, number] = [c.x + dx, c.y];
        if (
          m.queryRenderedFeatures(
            [
              [p[0] - 10, p[1] - 10],
              [p[0] + 10, p[1] + 10],
            ],
            { layers: ['stations'] },
          ).length
        )
          continue;
        const f = m.queryRenderedFeatures(p, { layers: ['communities-fill'] })[0];
        if (f) return { x: r.left + p[0], y: r.top + p[1], name: f.properties.name as string };
      }
      return null;
    });
    expect(pt).not.toBeNull();
    await page.mouse.click(pt!.x, pt!.y);
    await page.waitForSelector('.community-popup');
    expect(await page.textContent('.community-popup h3')).toBe(pt!.name);
    await page.click('.community-popup .zoom-to-grids');
    await page.waitForFunction((z) => !window.__map!.isMoving() && window.__map!.getZoom() >= z, gridMin, { timeout: 10_000 });

    // Grid zoom: the grids of the view only, each with the API's share; requests carry the bbox.
    const gridView = () =>
      page.evaluate(() => {
        const m = window.__map!;
        if (m.isMoving() || !m.loaded()) return null;
        const f = m.queryRenderedFeatures({ layers: ['grids-fill'] });
        if (!f.length || f.some((x) => typeof x.state.share !== 'number')) return null;
        const src = m.getSource('grids') as unknown as { _data?: { features?: unknown[] } };
        return {
          rendered: f.map((x) => [x.properties.id as number, x.state.share as number] as const),
          loaded: (src._data?.features ?? []).length,
          communities: m.queryRenderedFeatures({ layers: ['communities-fill'] }).length,
        };
      });
    let grid: Awaited<ReturnType<typeof gridView>> = null;
    await expect.poll(async () => (grid = await gridView()) !== null, { timeout: 15_000 }).toBe(true);
    grid = grid!;
    const ids = new Set(grid.rendered.map(([id]) => id));
    expect(ids.size).toBeGreaterThan(0);
    expect(ids.size).toBeLessThan(gridShare.size);
    for (const [id, share] of grid.rendered) expect(share).toBe(gridShare.get(id));
    expect(grid.communities).toBe(0);
    const gridRequests = apiUrls.filter((u) => u.startsWith('/api/grids?'));
    expect(gridRequests.length).toBeGreaterThan(0);
    for (const u of gridRequests) expect(u).toMatch(/bbox=/);
    await page.waitForFunction(() => !window.__map!.isMoving() && window.__map!.loaded());
    await page.screenshot({ path: join(artifacts, 'planner-1280x800-grid-zoom.png') });

    // "Grids in view" CSV: the link takes the view's bbox when clicked; its rows are the view's grids.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exports a[data-export="coverage-grid-view.csv"]')]);
    const csvUrl = decodeURIComponent(download.url().replace(base, ''));
    expect(csvUrl).toMatch(/^\/api\/coverage\?.*format=csv&level=grid&bbox=[-\d.]+,[-\d.]+,[-\d.]+,[-\d.]+/);
    const csvRows = (await (await app.inject({ url: csvUrl })).body).trim().split('\n').length - 1;
    expect(csvRows).toBeGreaterThan(0);
    expect(csvRows).toBeLessThan(gridShare.size);

    // From zoom 14 every station also shows its type's symbol (white glyph on the type's colour).
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 15 }));
    const symbols = () =>
      page.evaluate(() => {
        const m = window.__map!;
        if (m.isMoving() || !m.loaded()) return null;
        const icons = m.queryRenderedFeatures({ layers: ['stations-icons'] });
        const dots = m.queryRenderedFeatures({ layers: ['stations'] });
        const iconIds = new Set(icons.map((f) => f.properties.id));
        // A symbol is larger than its dot, so one at the edge may be in view while its dot is not.
        return {
          icons: icons.map((f) => f.properties.type as string),
          dotsWithIcon: dots.every((f) => iconIds.has(f.properties.id)),
          images: icons.every((f) => m.hasImage(`station-${f.properties.type}`)),
        };
      });
    let sym: Awaited<ReturnType<typeof symbols>> = null;
    await expect.poll(async () => (sym = await symbols())?.icons.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(sym!.dotsWithIcon).toBe(true);
    expect(sym!.images).toBe(true);
    await page.screenshot({ path: join(artifacts, 'planner-1280x800-station-symbols.png') });

    // Search finds a grid that is not loaded (zoomed out again: no grids in the browser).
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 12 }));
    const far = stats.grids[stats.grids.length - 1];
    await page.fill('#search', far.name);
    await page.waitForSelector(`#search-results li button:has(small:text-matches("${far.code}"))`, { timeout: 10_000 });
    await page.click(`#search-results li button:has(small:text-matches("${far.code}"))`);
    await page.waitForFunction((z) => !window.__map!.isMoving() && window.__map!.getZoom() >= z, gridMin, { timeout: 10_000 });
    expect(await page.evaluate(() => window.__map!.getFilter('grids-selected'))).toEqual(['==', ['get', 'code'], far.code]);

    // No request of the session asked for every grid's stats or for thousands of gaps city-wide.
    for (const u of apiUrls.filter((x) => x.startsWith('/api/coverage'))) {
      if (u.startsWith('/api/coverage?')) expect(u).toMatch(/format=stats&level=community|format=shares&bbox=|format=csv&level=grid&bbox=/);
      else expect(u).toMatch(/limit=200(&|$)|bbox=/);
    }
    console.log(
      `[browser] planner by zoom: ${city.communities.length} communities at zoom 12, ${ids.size} grids in view at grid zoom; ${kB(net.bytes)} in ${net.requests} requests`,
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('courier: nearest stations by walking distance from GPS, route, navigation hand-off, filters (375 px)', async () => {
    const here = { longitude: 121.6, latitude: 38.91 };
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      geolocation: { ...here, accuracy: 20 },
      permissions: ['geolocation'],
    });
    const page = await context.newPage();
    const { errors, net } = await watch(context, page);
    const t0 = Date.now();
    await page.goto(`${base}/courier`);
    await page.waitForSelector('.card');
    const firstResultMs = Date.now() - t0;
    const firstResultBytes = net.bytes;

    const api = (
      await app.inject({ url: `/api/stations/nearest?lon=${here.longitude}&lat=${here.latitude}&type=courier_station&open_now=true&limit=5` })
    ).json();
    const ids = await page.$$eval('.card', (cards) => cards.map((c) => Number(c.getAttribute('data-id'))));
    expect(ids).toEqual(api.features.map((f: { properties: { id: number } }) => f.properties.id));
    const dists = api.features.map((f: { properties: { distance_m: number } }) => f.properties.distance_m);
    expect(dists).toEqual([...dists].sort((a: number, b: number) => a - b));
    const first = api.features[0].properties;
    const card = page.locator('.card').first();
    expect(await card.textContent()).toContain(first.name);
    expect(await card.textContent()).toContain(`${Math.max(1, Math.ceil(first.walk_minutes))} 分钟`);
    expect(await card.locator('.badge').count()).toBe(1);

    // Big tap targets, nothing wider than the phone.
    const small = await page.$$eval('button, a.nav-link', (els) =>
      els.filter((e) => (e as HTMLElement).offsetParent && e.getBoundingClientRect().height < 44 && !e.closest('.maplibregl-ctrl')).map((e) => e.textContent),
    );
    expect(small.filter((s) => s && !/English|中文/.test(s))).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // The map shows the walking route to the first (selected) station.
    await page.waitForFunction(
      () => {
        const m = window.__map;
        return !!m && m.loaded() && !m.isMoving() && !!m.getLayer('route') && m.queryRenderedFeatures({ layers: ['route'] }).length > 0;
      },
      undefined,
      { timeout: 20_000, polling: 100 },
    );
    const loadedMs = Date.now() - t0;
    await page.screenshot({ path: join(artifacts, 'courier-375x812.png') });

    // Navigate: Amap / Baidu / Apple with converted coordinates.
    await card.locator('[data-action="navigate"]').click();
    await page.waitForSelector('#nav-sheet[open]');
    const [lon, lat] = api.features[0].geometry.coordinates;
    const hrefs = Object.fromEntries(await page.$$eval('#nav-sheet a[data-app]', (as) => as.map((a) => [a.getAttribute('data-app'), a.getAttribute('href')])));
    // Riding (e-bike) directions from the rider's position, which the page knows from GPS.
    const from = { at: [here.longitude, here.latitude] as [number, number], name: '当前位置' };
    expect(hrefs.amap).toBe(amapUrl([lon, lat], first.name, from));
    expect(hrefs.baidu).toBe(baiduUrls([lon, lat], first.name, from).app);
    expect(hrefs['baidu-web']).toBe(baiduUrls([lon, lat], first.name, from).web);
    expect(hrefs.apple).toBe(appleUrl([lon, lat], from));
    expect(new URL(hrefs.amap).searchParams.get('mode')).toBe('ride');
    await page.screenshot({ path: join(artifacts, 'courier-375x812-navigate.png') });
    await page.click('#nav-sheet .close');

    // Filter: water → the list matches the API with amenity=water.
    await page.click('[data-filter="water"]');
    const water = (
      await app.inject({ url: `/api/stations/nearest?lon=${here.longitude}&lat=${here.latitude}&type=courier_station&amenity=water&open_now=true&limit=5` })
    ).json();
    const wantIds = water.features.map((f: { properties: { id: number } }) => f.properties.id);
    await expect.poll(() => page.$$eval('.card', (cards) => cards.map((c) => Number(c.getAttribute('data-id'))))).toEqual(wantIds);

    // English.
    await page.click('#lang');
    expect(await page.textContent('#locate')).toContain('Where am I');
    await expect.poll(() => page.textContent('.card')).toContain('min');

    // Without GPS permission: tap the map to set the position.
    const denied = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    const p2 = await denied.newPage();
    await p2.goto(`${base}/courier`);
    await p2.waitForFunction(() => document.querySelector('#where')?.textContent?.includes('地图上点'), undefined, { timeout: 15_000 });
    await p2.waitForFunction(() => !!window.__map?.loaded(), undefined, { timeout: 15_000 });
    const box = (await p2.locator('#map').boundingBox())!;
    await p2.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await p2.waitForSelector('.card');
    expect(await p2.textContent('#where')).toBe('地图选点');
    await denied.close();

    console.log(
      `[browser] courier first result: ${firstResultMs} ms, ${kB(firstResultBytes)} transferred before it; map with route: ${loadedMs} ms; total ${kB(net.bytes)} in ${net.requests} requests`,
    );
    expect(errors).toEqual([]);
    await context.close();
  });
});
