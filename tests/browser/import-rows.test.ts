/**
 * The upload page's row-by-row results (issue 13) in a real Chromium against the real app: a
 * small Chinese station CSV (UTF-8, 编码 only on one row) with a new station, one matched on its
 * code, one matched on name + position, and a bad row. The dry run's table must show, for every
 * row, what the API's report says (asked for separately here): created / updated / rejected, how
 * the row matched, and its hours as written → as stored. Screenshots at 1280 and 390 px wide:
 * tests/artifacts/import-rows-*.png. Skips (with a message) without Chromium.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, chromiumAvailable, startBrowserApp } from '../helpers/browser.js';
import { DEMO_PASSWORD } from '../../server/db/demo-accounts.js';
import type { ImportReport } from '../../server/import/pipeline/types.js';

const hasChromium = chromiumAvailable('import rows test');
/** Before logging in, /api/auth/me answers 401. */
const expectedError = (m: string) => /Failed to load resource: the server responded with a status of 401/.test(m);

interface StationProps {
  code: string;
  name: string;
  type_name_zh: string;
}

describe.skipIf(!hasChromium)('upload page: row-by-row results', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let stop: (() => Promise<void>) | undefined;
  let csv: string;

  beforeAll(async () => {
    ({ app, base, browser, close: stop } = await startBrowserApp());
    const stations = (await app.inject({ url: '/api/stations' })).json().features as {
      properties: StationProps;
      geometry: { coordinates: [number, number] };
    }[];
    const [byCode, byName] = stations;
    // A street node 300 m or more from every station: the new one.
    const free = await sql<{ lon: number; lat: number }>`
      SELECT ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat FROM network_nodes n
       WHERE NOT EXISTS (SELECT 1 FROM stations s WHERE ST_DWithin(s.geom::geography, n.geom::geography, 300))
       ORDER BY n.id LIMIT 1`.execute(app.db.kysely);
    const spot = free.rows[0]!;
    const [cLon, cLat] = byCode.geometry.coordinates;
    const [nLon, nLat] = byName.geometry.coordinates;
    csv = [
      '编码,名称,类型,地址,经度,纬度,营业时间,设施',
      `,逐行测试新驿站,爱心驿站,滨海路99号,${spot.lon},${spot.lat},周一至周五 8:30-17:30,饮水、充电`,
      `${byCode.properties.code},${byCode.properties.name},${byCode.properties.type_name_zh},逐行测试路1号,${cLon},${cLat},24小时,饮水`,
      `,${byName.properties.name},${byName.properties.type_name_zh},逐行测试路2号,${nLon},${nLat},每天 7:00-21:00,饮水`,
      ',坏坐标的站,爱心驿站,滨海路,东经,38.9,24小时,饮水',
    ].join('\r\n');
  }, 300_000);
  afterAll(async () => stop?.());

  async function loggedIn(width: number) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !expectedError(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/import/`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#username', 'planner');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 90_000 });
    return { context, page, errors };
  }

  async function dryRunCsv(page: Page) {
    await page.setInputFiles('#file', { name: '站点清单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForSelector('#mapping', { timeout: 120_000 });
    await page.click('#crs input[value=wgs84]');
    await page.click('#dry-run');
    await page.waitForFunction(() => ['done', 'error'].includes(window.__import!.state.phase) && !!window.__import!.state.report, undefined, {
      timeout: 120_000,
    });
    await page.waitForSelector('#rows', { timeout: 120_000 });
  }

  const tableRows = (page: Page) =>
    page.$$eval('#rows tbody tr', (trs) =>
      trs.map((tr) => {
        const el = tr as HTMLElement;
        return {
          row: Number(el.dataset.row),
          result: el.dataset.result,
          matched: el.dataset.matched || null,
          code: el.querySelector('td.code')!.childNodes[0]?.textContent ?? '',
          text: el.querySelector('td.hours [data-text]')?.textContent ?? null,
          osm: el.querySelector('td.hours [data-osm]')?.textContent ?? null,
          cells: Array.from(el.querySelectorAll('td'), (td) => td.textContent),
        };
      }),
    );

  it('the dry run lists every row as the API reports it: created, updated on code, updated on name + position, rejected; hours as written → stored', async () => {
    // The API's own answer for the same file, asked for here (not read from the page).
    const token = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'planner', password: DEMO_PASSWORD } })).json().token;
    const api = (
      await app.inject({
        method: 'POST',
        url: '/api/imports/stations?format=csv&crs=wgs84&dry_run=true',
        payload: Buffer.from(csv),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      })
    ).json() as ImportReport;
    // What the file was made to produce (sheet rows: the header is row 1).
    expect(api.changes.map((c) => [c.row, c.action, c.matched_by])).toEqual([
      [2, 'create', 'none'],
      [3, 'update', 'code'],
      [4, 'update', 'name_position'],
    ]);
    expect(api.changes[0]).toMatchObject({ opening_hours_text: '周一至周五 8:30-17:30', opening_hours: 'Mo-Fr 08:30-17:30', code_generated: true });
    expect(api.rejected.map((x) => x.row)).toContain(5);

    const { context, page, errors } = await loggedIn(1280);
    await dryRunCsv(page);
    const rows = await tableRows(page);
    const expected = [
      ...api.changes.map((c) => ({
        row: c.row,
        result: c.action,
        matched: c.matched_by ?? null,
        code: c.code,
        text: c.opening_hours_text ?? null,
        osm: c.opening_hours ?? null,
      })),
      { row: 5, result: 'rejected', matched: null, code: '', text: null, osm: null },
    ];
    expect(rows.map(({ cells: _, ...x }) => x)).toEqual(expected);
    // The words a person reads.
    const byRow = Object.fromEntries(rows.map((r) => [r.row, r.cells.join(' | ')]));
    expect(byRow[2]).toMatch(/新增[\s\S]*新站点[\s\S]*周一至周五 8:30-17:30 → Mo-Fr 08:30-17:30/);
    expect(byRow[2]).toContain('（生成）');
    expect(byRow[3]).toMatch(/更新[\s\S]*按编码[\s\S]*24小时 → 24\/7/);
    expect(byRow[4]).toMatch(/沿用已有编码[\s\S]*更新[\s\S]*按名称 \+ 位置[\s\S]*每天 7:00-21:00 → /);
    const reasons = api.rejected.filter((x) => x.row === 5).map((x) => x.reason_zh);
    for (const reason of reasons) expect(byRow[5]).toContain(reason);
    expect(byRow[5]).toMatch(/^5 \| +\| 拒绝/);
    await page.screenshot({ path: join(ARTIFACTS, 'import-rows-1280.png'), fullPage: true });

    await page.click('#lang');
    const en = await page.textContent('#rows');
    expect(en).toContain('on name + position');
    expect(en).toContain('Hours (as written → stored)');
    await page.click('#lang');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('on a phone (390 px) the table scrolls inside its box and the page does not overflow', async () => {
    const { context, page, errors } = await loggedIn(390);
    await dryRunCsv(page);
    expect(await page.$$eval('#rows tbody tr', (trs) => trs.length)).toBe(4);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      box: (document.querySelector('.imp-rows .imp-scroll') as HTMLElement).clientWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.box).toBeLessThanOrEqual(widths.viewport);
    // Each row is a labelled card: the hours (the point of the table) are on screen, not scrolled away.
    const hours = await page.$eval('#rows tr[data-row="2"] td.hours', (td) => {
      const r = td.getBoundingClientRect();
      return { right: r.right, width: r.width, text: td.textContent, label: getComputedStyle(td, '::before').content };
    });
    expect(hours.width).toBeGreaterThan(0);
    expect(hours.right).toBeLessThanOrEqual(widths.viewport);
    expect(hours.text).toBe('周一至周五 8:30-17:30 → Mo-Fr 08:30-17:30');
    expect(hours.label).toContain('营业时间');
    await page.screenshot({ path: join(ARTIFACTS, 'import-rows-390.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
