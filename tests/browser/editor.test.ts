/**
 * The street-office grid editor (/editor/) in a real Chromium against the real app on a real
 * (seeded) database, driven with real mouse drags on the map canvas (terra-draw):
 * log in as a street editor, move a vertex on a border shared with a neighbour of the same
 * community, preview the impact, save, reload — both grids changed on the server; then drag a
 * vertex into another street — the server refuses (403) and the UI says so; nothing changed.
 * Screenshots go to tests/artifacts/editor-*.png. Skips (with a message) without Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Feature, Polygon, Position } from 'geojson';
import { build } from '../../server/app.js';
import { openTestDb, testConfig, type TestDb } from '../helpers/db.js';
import { DEMO_PASSWORD } from '../../server/db/demo-accounts.js';
import { ensureWebBuild } from '../../web/ensure-build.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[browser] SKIPPED editor test: no Chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)`);

const repo = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = join(repo, 'tests/artifacts');

type Grid = Feature<Polygon, { id: number; code: string; name: string; community_code: string; street_code: string; version: number }>;

const key = (p: Position) => `${p[0]},${p[1]}`;
const centroid = (ring: Position[]): Position => {
  const pts = ring.slice(0, -1);
  return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
};
const toward = (a: Position, b: Position, f: number): Position => [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];

/** Grids owning each vertex. */
function vertexOwners(grids: Grid[]): Map<string, Grid[]> {
  const owners = new Map<string, Grid[]>();
  for (const g of grids) for (const p of g.geometry.coordinates[0].slice(0, -1)) (owners.get(key(p)) ?? owners.set(key(p), []).get(key(p))!).push(g);
  return owners;
}

/** Console errors that are expected: the 401 of /api/auth/me before logging in, the 403 of the refused edit. */
const expectedError = (m: string) => /Failed to load resource: the server responded with a status of (401|403)/.test(m);

describe.skipIf(!hasChromium)('grid editor in Chromium', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuild((m) => console.log(`[browser] ${m}`));
    mkdirSync(artifacts, { recursive: true });
    t = await openTestDb();
    app = await build({ config: testConfig(), db: t.db });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  const allGrids = async (): Promise<Grid[]> => (await app.inject({ url: '/api/grids?bbox=-180,-85,180,85' })).json().features;
  const versions = async () => Object.fromEntries((await allGrids()).map((g) => [g.properties.id, g.properties.version]));

  /** Screen position (page pixels) of a lon/lat on the map. */
  const px = (page: Page, ll: Position) =>
    page.evaluate((p) => {
      const m = window.__map!;
      const r = m.getCanvas().getBoundingClientRect();
      const q = m.project([p[0], p[1]]);
      return { x: r.left + q.x, y: r.top + q.y };
    }, ll);

  async function settle(page: Page) {
    await page.waitForFunction(() => !!window.__map && window.__map.loaded() && !window.__map.isMoving(), undefined, { timeout: 20_000 });
  }

  /** Centres the map on `at`, clicks the grid's centroid to select it for editing. */
  async function selectGrid(page: Page, grid: Grid, at: Position, zoom = 15.6) {
    await page.evaluate(([c, z]) => window.__map!.jumpTo({ center: [c[0], c[1]], zoom: z as number }), [at, zoom] as const);
    await settle(page);
    const c = await px(page, centroid(grid.geometry.coordinates[0]));
    await page.mouse.click(c.x, c.y);
    await page.waitForFunction((id) => window.__editor!.state.selected?.properties.id === id && window.__editor!.state.tdId !== null, grid.properties.id);
    await page.waitForTimeout(200);
  }

  /** A real drag with the mouse from one lon/lat to another, in steps (terra-draw sees pointer events). */
  async function drag(page: Page, from: Position, to: Position) {
    const a = await px(page, from);
    const b = await px(page, to);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) {
      await page.mouse.move(a.x + ((b.x - a.x) * i) / 12, a.y + ((b.y - a.y) * i) / 12);
      await page.waitForTimeout(20);
    }
    await page.mouse.up();
    await page.waitForTimeout(200);
  }

  it('serves the editor at /editor and /editor/', async () => {
    for (const url of ['/editor', '/editor/']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('网格编辑');
      expect(r.body).toContain('src="/assets/');
    }
  });

  it('street editor: move a shared vertex → preview → save → reload shows both grids changed; dragging into another street is refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !expectedError(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));

    // Log in through the form.
    await page.goto(`${base}/editor/`);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.textContent('#login h1')).toBe('登录街道网格编辑');
    await page.screenshot({ path: join(artifacts, 'editor-login.png') });
    await page.fill('#username', 'editor1');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
    await settle(page);
    const me = await page.evaluate(() => window.__editor!.state.user!);
    expect(me.username).toBe('editor1');
    const street = me.streets[0].code;
    expect(await page.textContent('#who')).toContain(me.streets[0].name);

    // The user's street is editable, the neighbouring streets' grids are drawn locked.
    const rendered = await page.evaluate(() => {
      const m = window.__map!;
      return { own: m.queryRenderedFeatures({ layers: ['grids-own-fill'] }).length, locked: m.queryRenderedFeatures({ layers: ['grids-locked-fill'] }).length };
    });
    expect(rendered.own).toBeGreaterThan(5);
    expect(rendered.locked).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'editor-1280x800.png') });

    // A vertex inside one community (all grids meeting there are of the same community): moving it
    // reshapes the grid and its neighbours along the shared border.
    const grids = await allGrids();
    const owners = vertexOwners(grids);
    let pick: { grid: Grid; neighbour: Grid; vertex: Position } | undefined;
    for (const g of grids.filter((x) => x.properties.street_code === street)) {
      for (const p of g.geometry.coordinates[0].slice(0, -1)) {
        const o = owners.get(key(p))!;
        if (o.length >= 3 && o.every((x) => x.properties.community_code === g.properties.community_code)) {
          pick = { grid: g, neighbour: o.find((x) => x.properties.id !== g.properties.id)!, vertex: p };
          break;
        }
      }
      if (pick) break;
    }
    expect(pick, 'an interior vertex of a community').toBeDefined();
    const { grid, neighbour, vertex } = pick!;
    await selectGrid(page, grid, vertex);
    expect(await page.textContent('#grid-panel')).toContain(grid.properties.name);
    const target = toward(vertex, centroid(neighbour.geometry.coordinates[0]), 0.3);
    await drag(page, vertex, target);
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('reshape');
    await expect.poll(() => page.textContent('#grid-panel')).toContain('有未保存的修改');

    // Preview before saving: validation passed, the impact lists the grid and its neighbour.
    await page.click('#preview');
    await page.waitForSelector('#preview-panel table.impact');
    const rows = await page.$$eval('#preview-panel table.impact tbody tr[data-grid]', (trs) => trs.map((tr) => [Number(tr.getAttribute('data-grid')), tr.getAttribute('data-role')]));
    expect(rows).toContainEqual([grid.properties.id, 'edited']);
    expect(rows).toContainEqual([neighbour.properties.id, 'adjusted']);
    expect(await page.textContent('#preview-panel')).toContain('调整归属的人口');
    expect(await page.textContent('#save')).toBe('确认保存');
    // Nothing written by the preview.
    expect((await allGrids()).find((g) => g.properties.id === grid.properties.id)!.properties.version).toBe(grid.properties.version);
    await page.screenshot({ path: join(artifacts, 'editor-preview.png') });

    await page.click('#save');
    await page.waitForSelector('#preview-panel .saved', { timeout: 30_000 });
    await page.screenshot({ path: join(artifacts, 'editor-saved.png') });

    // Reload: still logged in (cookie); the server has both grids changed.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
    expect(await page.isHidden('#login')).toBe(true);
    const after = await allGrids();
    const g2 = after.find((g) => g.properties.id === grid.properties.id)!;
    const n2 = after.find((g) => g.properties.id === neighbour.properties.id)!;
    expect(g2.properties.version).toBe(grid.properties.version + 1);
    expect(n2.properties.version).toBe(neighbour.properties.version + 1);
    expect(JSON.stringify(g2.geometry)).not.toBe(JSON.stringify(grid.geometry));
    expect(JSON.stringify(n2.geometry)).not.toBe(JSON.stringify(neighbour.geometry));
    // The moved vertex is where we dropped it (within a pixel's worth), in both grids.
    const near = (ring: Position[]) => Math.min(...ring.map((p) => Math.hypot(p[0] - target[0], p[1] - target[1])));
    expect(near(g2.geometry.coordinates[0])).toBeLessThan(2e-5);
    expect(near(n2.geometry.coordinates[0])).toBeLessThan(2e-5);
    await settle(page);
    await selectGrid(page, g2, target);
    expect(await page.textContent('#grid-version')).toBe(String(grid.properties.version + 1));

    // Into another street: a vertex this street shares with another street's grid, dragged into it.
    const owners2 = vertexOwners(after);
    let cross: { grid: Grid; foreign: Grid; vertex: Position } | undefined;
    for (const g of after.filter((x) => x.properties.street_code === street)) {
      for (const p of g.geometry.coordinates[0].slice(0, -1)) {
        const foreign = owners2.get(key(p))!.find((x) => x.properties.street_code !== street);
        if (foreign) {
          cross = { grid: g, foreign, vertex: p };
          break;
        }
      }
      if (cross) break;
    }
    expect(cross, 'a vertex on the street border').toBeDefined();
    const before = await versions();
    await selectGrid(page, cross!.grid, cross!.vertex);
    await drag(page, cross!.vertex, toward(cross!.vertex, centroid(cross!.foreign.geometry.coordinates[0]), 0.35));
    await page.click('#preview');
    await page.waitForSelector('#preview-panel .refused', { timeout: 30_000 });
    expect(await page.textContent('#preview-panel')).toMatch(/不是您负责的街道/);
    expect(await page.isVisible('#message')).toBe(true);
    expect(await page.textContent('#message')).toMatch(/不是您负责的街道/);
    expect(await page.isDisabled('#save')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'editor-refused.png') });
    expect(await versions()).toEqual(before);

    expect(errors).toEqual([]);
    await context.close();
  });
});
