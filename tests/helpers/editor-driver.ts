/**
 * Driving the grid editor (/editor/) in Chromium: log in through the form, select a grid, drag
 * with real mouse events at map positions (terra-draw sees pointer events), wait for previews.
 * Never a fixed sleep: each step waits for what the editor shows — the state markers on <body>
 * (`data-selected`, `data-outline`, `data-draw-seq`, `data-preview`, set by web/src/editor/view.ts
 * and drawing.ts) and the map being loaded and still. Shared by the editor's browser tests.
 */
import type { Feature, Polygon, Position } from 'geojson';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../server/db/demo-accounts.js';
import type { BrowserApp } from './browser.js';

export type Grid = Feature<
  Polygon,
  { id: number; code: string; name: string; community_code: string; street_code: string; version: number; leader_name: string | null }
>;

const key = (p: Position) => `${p[0]},${p[1]}`;
export const centroid = (ring: Position[]): Position => {
  const pts = ring.slice(0, -1);
  return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
};
export const toward = (a: Position, b: Position, f: number): Position => [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];

/** Grids owning each vertex. */
export function vertexOwners(grids: Grid[]): Map<string, Grid[]> {
  const owners = new Map<string, Grid[]>();
  for (const g of grids) for (const p of g.geometry.coordinates[0].slice(0, -1)) (owners.get(key(p)) ?? owners.set(key(p), []).get(key(p))!).push(g);
  return owners;
}
export { key as vertexKey };

/**
 * @param env the running app and browser (a getter: they exist only after beforeAll)
 * @param expectedError console errors the test expects (e.g. the 401 before logging in)
 */
export function editorDriver(env: () => Pick<BrowserApp, 'app' | 'base' | 'browser'>, expectedError: (message: string) => boolean) {
  const allGrids = async (): Promise<Grid[]> => (await env().app.inject({ url: '/api/grids?bbox=-180,-85,180,85' })).json().features;
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
    // Selected, its outline in terra-draw with handles, and the map has drawn it.
    await page.waitForSelector(`body[data-selected="${grid.properties.id}"][data-outline="true"]`);
    await settle(page);
  }

  /** How many terra-draw edits the editor has taken in (a drag, a finished line or polygon). */
  const drawSeq = (page: Page) => page.evaluate(() => Number(document.body.dataset.drawSeq ?? 0));

  /** A real drag with the mouse from one lon/lat to another, in steps (terra-draw sees pointer events). */
  async function drag(page: Page, from: Position, to: Position) {
    const a = await px(page, from);
    const b = await px(page, to);
    const seq = await drawSeq(page);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    // Each move is dispatched and handled before the next (Playwright waits for the renderer).
    for (let i = 1; i <= 12; i++) await page.mouse.move(a.x + ((b.x - a.x) * i) / 12, a.y + ((b.y - a.y) * i) / 12);
    await page.mouse.up();
    // terra-draw finished the edit and the editor took it in (undo step, pending change, render).
    await page.waitForFunction((n) => Number(document.body.dataset.drawSeq ?? 0) > n, seq);
    await settle(page);
  }

  /** A fresh page logged in through the form as `username`; console errors collected. */
  async function loggedIn(username: string) {
    const context = await env().browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !expectedError(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${env().base}/editor/`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#username', username);
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
    await settle(page);
    return { context, page, errors };
  }

  /** A click on the map at `ll`; then the map is loaded and still (a click may zoom or pan it). */
  const clickAt = async (page: Page, ll: Position) => {
    const p = await px(page, ll);
    await page.mouse.click(p.x, p.y);
    await settle(page);
  };
  /** The preview (or save) answered: the preview panel is no longer waiting. */
  const previewDone = (page: Page) => page.waitForSelector('body[data-preview]:not([data-preview="running"]):not([data-preview="none"])', { timeout: 30_000 });
  const saved = (page: Page) => page.waitForSelector('#preview-panel .saved', { timeout: 30_000 });

  return { allGrids, versions, px, settle, selectGrid, drag, loggedIn, clickAt, previewDone, saved };
}
