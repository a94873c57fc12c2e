/**
 * The planner with several station types in a real Chromium against the real app: it opens on
 * one type (党群服务中心) with the 覆盖口径 panel; a second type brings the 任一类型 / 全部齐全
 * choice, and the figures shown equal the API's for each; the measure (按人口 / 按面积) drives the
 * table and the map; a grid's popup names the missing types; the gap list too. At 390 px the
 * legend, the layer switcher and the 覆盖口径 panel start folded. Screenshots in tests/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { FastifyInstance } from 'fastify';
import { ARTIFACTS as artifacts, chromiumAvailable, startBrowserApp, type BrowserApp } from '../helpers/browser.js';
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
const TWO = 'courier_station,party_service_center';

describe.skipIf(!chromiumAvailable('planner: several types'))('planner: several types, any / all, missing types', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  const api = async (url: string) => (await app.inject({ url })).json();
  const city = (stats: any) => stats.units.find((u: { level: string }) => u.level === 'city');

  let s: BrowserApp;

  beforeAll(async () => {
    s = await startBrowserApp();
    ({ app, base, browser } = s);
  });

  afterAll(async () => {
    await s?.close();
  });

  const ready = (page: Page) =>
    page.waitForFunction(
      () => {
        const m = window.__map;
        return !!m && m.loaded() && !!m.getLayer('grids-fill') && !!document.querySelector('#summary .kpi');
      },
      undefined,
      { timeout: 30_000, polling: 100 },
    );

  it('one type first; two types: any and all show the API figures; the popup and the gap list name the missing type (1280 px)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base);
    await ready(page);

    // One type: 党群服务中心 only, no any/all choice, its standard in the 覆盖口径 panel.
    const checked = await page.$$eval('#type-list input:checked', (els) => els.map((e) => (e as HTMLInputElement).value));
    expect(checked).toEqual(['party_service_center']);
    expect(await page.isHidden('#combine-block')).toBe(true);
    await page.waitForSelector('#basis-body .basis-row[data-type="party_service_center"]');
    expect(await page.textContent('#basis-body .basis-row[data-type="party_service_center"]')).toContain('直线半径 1,000 米');
    expect(await page.getAttribute('#basis', 'open')).not.toBeNull();
    const one = await api('/api/coverage?types=party_service_center&format=stats&level=community');
    await expect.poll(() => page.textContent('#summary .kpi.primary .kpi-value')).toBe(pct(city(one).covered_share_by_population));

    console.log(`[browser] A second type`);
    // A second type: the choice appears, "any" first, with the API's figure for any.
    await page.check('#type-list input[value="courier_station"]');
    expect(await page.isVisible('#combine-block')).toBe(true);
    expect(await page.isChecked('#combine input[value="any"]')).toBe(true);
    const any = await api(`/api/coverage?types=${TWO}&format=stats&level=community`);
    const all = await api(`/api/coverage?types=${TWO}&combine=all&format=stats&level=community`);
    expect(city(all).covered_share_by_population).toBeLessThan(city(any).covered_share_by_population);
    await expect.poll(() => page.textContent('#summary .kpi.primary .kpi-value'), { timeout: 20_000 }).toBe(pct(city(any).covered_share_by_population));
    expect(await page.textContent('#summary .summary-basis')).toContain('任一类型');
    expect(await page.locator('#basis-body .basis-row[data-type]').count()).toBe(2);

    console.log(`[browser] All of them`);
    // All of them: the request says so and the figures are the API's "all".
    const asked = page.waitForRequest((r) => r.url().includes('/api/coverage?') && r.url().includes('combine=all'));
    await page.click('#combine label:has(input[value="all"])');
    await asked;
    await expect.poll(() => page.textContent('#summary .kpi.primary .kpi-value'), { timeout: 20_000 }).toBe(pct(city(all).covered_share_by_population));
    expect(await page.textContent('#summary .summary-basis')).toContain('全部齐全');
    expect(await page.textContent('#basis-body .basis-row[data-combine]')).toContain('全部齐全');
    // The street table by population (default), each row the API's share, the missing types named.
    const streets = all.units.filter((u: { level: string }) => u.level === 'street');
    await page.waitForSelector('table.units[data-level="street"] tbody tr');
    expect(await page.textContent('table.units thead')).toContain('覆盖率（按人口）');
    const shown = await page.$$eval('table.units tbody tr', (trs) =>
      trs.map(
        (tr) =>
          [
            tr.getAttribute('data-code'),
            Number(tr.querySelector('td[data-share]')!.getAttribute('data-share')),
            tr.querySelector('.type-dots')?.getAttribute('data-missing') ?? '',
          ] as const,
      ),
    );
    for (const [code, share, missing] of shown) {
      const u = streets.find((x: { code: string }) => x.code === code);
      expect(share).toBe(u.covered_share_by_population);
      expect(missing).toBe(u.missing_types.join(','));
    }

    console.log(`[browser] 按面积`);
    // 按面积: the table and the community colours switch together.
    await page.click('#measure label:has(input[value="area"])');
    expect(await page.textContent('table.units thead')).toContain('覆盖率（按面积）');
    const firstRow = await page.$eval(
      'table.units tbody tr',
      (tr) => [tr.getAttribute('data-code'), Number(tr.querySelector('td[data-share]')!.getAttribute('data-share'))] as const,
    );
    expect(firstRow[1]).toBe(streets.find((x: { code: string }) => x.code === firstRow[0]).covered_share_by_area);
    const community = all.units.find((u: { level: string }) => u.level === 'community');
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 12 }));
    await expect
      .poll(() => page.evaluate((c) => window.__map!.getFeatureState({ source: 'boundaries', id: Number(c) }).share, community.code))
      .toBe(community.covered_share_by_area);
    expect(await page.textContent('#legend .legend-title')).toBe('社区覆盖率（按面积）');
    await page.click('#measure label:has(input[value="population"])');
    await expect
      .poll(() => page.evaluate((c) => window.__map!.getFeatureState({ source: 'boundaries', id: Number(c) }).share, community.code))
      .toBe(community.covered_share_by_population);

    console.log(`[browser] A grid where one type is missing`);
    // A grid where one type is missing: its popup names it (and gives each type's share).
    const grids = (await api(`/api/coverage?types=${TWO}&combine=all&format=stats`)).grids as {
      id: number;
      covered_share: number;
      missing_types: string[];
      by_type: Record<string, number>;
    }[];
    const byId = new Map(grids.map((g) => [g.id, g]));
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 15.5 }));
    const candidates = grids.filter((g) => g.missing_types.length === 1 && g.covered_share < 0.9).map((g) => g.id);
    expect(candidates.length).toBeGreaterThan(0);
    // A point inside one of those grids (the mean of its vertices, when it falls inside), centred at zoom 16.
    const features = (await api(`/api/coverage?types=${TWO}&combine=all`)).features as GeoJSON.Feature<GeoJSON.Polygon, { id: number }>[];
    let target: { id: number; lon: number; lat: number } | undefined;
    for (const f of features.filter((x) => candidates.includes(x.properties.id))) {
      const ring = f.geometry.coordinates[0]!.slice(0, -1);
      const c: [number, number] = [ring.reduce((s, p) => s + p[0]!, 0) / ring.length, ring.reduce((s, p) => s + p[1]!, 0) / ring.length];
      if (booleanPointInPolygon(c, f.geometry)) {
        target = { id: f.properties.id, lon: c[0], lat: c[1] };
        break;
      }
    }
    expect(target).toBeDefined();
    await page.evaluate((c) => window.__map!.jumpTo({ center: c, zoom: 16 }), [target!.lon, target!.lat] as [number, number]);
    await page.waitForFunction(
      (id) => {
        const m = window.__map!;
        if (m.isMoving() || !m.loaded()) return false;
        const p = m.project(m.getCenter());
        const hit = m.queryRenderedFeatures([p.x, p.y], { layers: ['grids-fill'] })[0];
        return hit?.properties.id === id && typeof hit.state.share === 'number';
      },
      target!.id,
      { timeout: 20_000 },
    );
    // Stations on top would take the click: hide them for this one.
    await page.uncheck('#layers input[data-layer="stations"]');
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('.grid-popup .missing-line');
    const want = byId.get(target!.id)!;
    expect(await page.getAttribute('.grid-popup .missing-line', 'data-missing')).toBe(want.missing_types.join(','));
    const missingName = want.missing_types[0] === 'courier_station' ? '爱心驿站' : '党群服务中心';
    expect(await page.textContent('.grid-popup .missing-line')).toBe(`缺少：${missingName}`);
    expect(await page.getAttribute('.grid-popup .grid-share', 'data-share')).toBe(String(want.covered_share));
    for (const [type, share] of Object.entries(want.by_type))
      expect(await page.textContent(`.grid-popup .by-type li[data-type="${type}"] .share`)).toBe(pct(share));
    await page.screenshot({ path: join(artifacts, 'planner-combine-all-popup-1280.png') });

    console.log(`[browser] The gap list names`);
    // The gap list names the missing types of each gap, as the API does.
    await page.click('.maplibregl-popup-close-button');
    await page.click('.tabs [data-tab="gaps"]');
    const gaps = await api(`/api/coverage/gaps?types=${TWO}&combine=all&limit=30`);
    await page.waitForSelector('.gap-list li');
    const listed = await page.$$eval('.gap-list li', (lis) => lis.map((li) => li.querySelector('.gap-missing')?.getAttribute('data-missing') ?? ''));
    expect(listed).toEqual(gaps.features.slice(0, listed.length).map((f: { properties: { missing_types: string[] } }) => f.properties.missing_types.join(',')));
    expect(await page.textContent('.gap-list li .gap-missing')).toMatch(/^缺少：/);
    await page.evaluate(() => window.__map!.jumpTo({ zoom: 13 }));
    await page.waitForFunction(() => !window.__map!.isMoving() && window.__map!.loaded());
    await page.screenshot({ path: join(artifacts, 'planner-combine-all-gaps-1280.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('at 390 px the map is seen first: legend, layers and 覆盖口径 start folded and open on a tap', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(base);
    await ready(page);
    expect(await page.getAttribute('#legend details', 'open')).toBeNull();
    expect(await page.getAttribute('#layers details', 'open')).toBeNull();
    expect(await page.getAttribute('#basis', 'open')).toBeNull();
    // Folded overlays leave most of the map visible.
    const map = (await page.locator('#map').boundingBox())!;
    const legend = (await page.locator('#legend').boundingBox())!;
    const layers = (await page.locator('#layers').boundingBox())!;
    expect(legend.width * legend.height + layers.width * layers.height).toBeLessThan(0.1 * map.width * map.height);
    await page.waitForFunction(() => !window.__map!.isMoving() && window.__map!.loaded());
    await page.screenshot({ path: join(artifacts, 'planner-390-start.png') });
    await page.tap('#basis summary');
    await page.waitForSelector('#basis-body .basis-row[data-type]', { state: 'visible' });
    await page.tap('#legend summary');
    expect(await page.getAttribute('#legend details', 'open')).not.toBeNull();
    await page.screenshot({ path: join(artifacts, 'planner-390-basis-legend.png') });
    // Two types on a phone: the any / all choice, then the summary and the table below it.
    await page.tap('#type-list input[value="courier_station"]');
    await page.tap('#combine label:has(input[value="all"])');
    await expect.poll(() => page.textContent('#summary .summary-basis'), { timeout: 30_000 }).toContain('全部齐全');
    await page.locator('#combine-block').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'planner-390-combine-all.png') });
    await page.locator('#summary').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'planner-390-combine-summary.png') });
    await context.close();
  }, 180_000);
});
