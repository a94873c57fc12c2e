/**
 * The street-office grid editor (/editor/) in a real Chromium against the real app on a real
 * (seeded) database, driven with real mouse drags on the map canvas (terra-draw):
 * log in as a street editor, move a vertex on a border shared with a neighbour of the same
 * community, preview the impact, save, reload — both grids changed on the server; then drag a
 * vertex into another street — the server refuses (403) and the UI says so; nothing changed.
 * Screenshots go to tests/artifacts/editor-*.png. Skips (with a message) without Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Position } from 'geojson';
import { ARTIFACTS, chromiumAvailable, startBrowserApp } from '../helpers/browser.js';
import { centroid, editorDriver, toward, vertexKey as key, vertexOwners, type Grid } from '../helpers/editor-driver.js';
import { DEMO_PASSWORD } from '../../server/db/demo-accounts.js';
import { samePolygon } from '../../web/src/editor/geometry.js';

const hasChromium = chromiumAvailable('editor test');
const artifacts = ARTIFACTS;

/** Console errors that are expected: the 401 of /api/auth/me before logging in, the 403 of the refused edit, the 409 of the conflict. */
const expectedError = (m: string) => /Failed to load resource: the server responded with a status of (401|403|409)/.test(m);

describe.skipIf(!hasChromium)('grid editor in Chromium', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, base, browser, close: stop } = await startBrowserApp());
  });
  afterAll(async () => stop?.());

  const { allGrids, versions, settle, selectGrid, drag, loggedIn, clickAt, previewDone, saved } = editorDriver(() => ({ app, base, browser }), expectedError);

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
    const rows = await page.$$eval('#preview-panel table.impact tbody tr[data-grid]', (trs) =>
      trs.map((tr) => [Number(tr.getAttribute('data-grid')), tr.getAttribute('data-role')]),
    );
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
  it('undo/redo; a conflicting save opens the 409 dialog and "re-apply mine" saves on the current version; history restores', async () => {
    const { context, page, errors } = await loggedIn('editor1');
    const street = await page.evaluate(() => window.__editor!.state.user!.streets[0].code);
    const grid = (await allGrids()).filter((g) => g.properties.street_code === street).find((g) => g.properties.code.endsWith('002002'))!;
    const ring = grid.geometry.coordinates[0];
    const c = centroid(ring);
    await selectGrid(page, grid, c);
    // Pull a vertex inward a little; undo brings the shape back, redo re-applies it.
    await drag(page, ring[1], toward(ring[1], c, 0.2));
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('reshape');
    await page.click('#undo');
    expect(await page.evaluate(() => window.__editor!.pending())).toBeNull();
    expect(await page.isDisabled('#redo')).toBe(false);
    await page.click('#redo');
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('reshape');

    // Meanwhile someone else changes the grid (an administrator edits an attribute).
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: DEMO_PASSWORD } });
    const other = await app.inject({
      method: 'PATCH',
      url: `/api/grids/${grid.properties.id}`,
      headers: { authorization: `Bearer ${login.json().token}`, 'if-match': `"${grid.properties.version}"` },
      payload: { leader_name: '王五' },
    });
    expect(other.statusCode, other.body).toBe(200);

    await page.click('#save');
    await page.waitForSelector('#conflict[open]');
    expect(await page.textContent('#conflict')).toContain(`当前已是版本 ${grid.properties.version + 1}`);
    await expect
      .poll(() => page.evaluate(() => window.__map!.queryRenderedFeatures({ layers: ['conflict-theirs'] }).length), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'editor-conflict.png') });
    await page.click('#conflict [data-action="reapply"]');
    await saved(page);
    const now = (await allGrids()).find((g) => g.properties.id === grid.properties.id)!;
    expect(now.properties.version).toBe(grid.properties.version + 2);
    expect(now.properties.leader_name).toBe('王五'); // their attribute change kept, my shape applied on top

    // History: newest first; restore the version before my change.
    await page.click('#history-btn');
    await page.waitForSelector('#history-panel li[data-version]');
    const listed = await page.$$eval('#history-panel li[data-version]', (lis) => lis.map((li) => Number(li.getAttribute('data-version'))));
    expect(listed[0]).toBe(now.properties.version);
    await page.screenshot({ path: join(artifacts, 'editor-history.png') });
    await page.click(`#history-panel li[data-version="${grid.properties.version + 1}"] .restore`);
    await previewDone(page);
    expect(await page.textContent('#save')).toBe('确认保存');
    await page.click('#save');
    await saved(page);
    const restored = (await allGrids()).find((g) => g.properties.id === grid.properties.id)!;
    expect(restored.properties.version).toBe(now.properties.version + 1);
    expect(samePolygon(restored.geometry, grid.geometry)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('split a grid with a drawn line, merge the two parts back, draw a new grid', async () => {
    const { context, page, errors } = await loggedIn('editor1');
    const street = await page.evaluate(() => window.__editor!.state.user!.streets[0].code);
    const count = async () => (await allGrids()).filter((g) => g.properties.street_code === street).length;
    const n0 = await count();
    const grid = (await allGrids()).filter((g) => g.properties.street_code === street).find((g) => g.properties.code.endsWith('003003'))!;
    const ring = grid.geometry.coordinates[0];
    const c = centroid(ring);
    await selectGrid(page, grid, c);
    await page.click('[data-tool="split"]');
    const xs = ring.map((p) => p[0]);
    const end: Position = [Math.max(...xs) + 0.0008, c[1] + 0.0001];
    await clickAt(page, [Math.min(...xs) - 0.0008, c[1]]);
    await clickAt(page, end);
    await clickAt(page, end); // clicking the last point again finishes the line
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('split');
    await page.click('#preview');
    await previewDone(page);
    expect(await page.$$eval('#preview-panel tr[data-role="created"]', (r) => r.length)).toBe(1);
    await page.screenshot({ path: join(artifacts, 'editor-split.png') });
    await page.click('#save');
    await saved(page);
    expect(await count()).toBe(n0 + 1);
    const parts = await page.evaluate(() => window.__editor!.state.preview!.response!.changes.map((ch) => ch.grid_id));

    // Merge the two parts again (the first keeps its code).
    await page.click('[data-tool="merge"]');
    const fresh = await allGrids();
    for (const id of parts) await clickAt(page, centroid(fresh.find((g) => g.properties.id === id)!.geometry.coordinates[0]));
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('merge');
    await page.click('#preview');
    await previewDone(page);
    await page.screenshot({ path: join(artifacts, 'editor-merge.png') });
    await page.click('#save');
    await saved(page);
    expect(await count()).toBe(n0);

    // A new grid: a triangle inside another grid of the street.
    const host = fresh.filter((g) => g.properties.street_code === street).find((g) => g.properties.code.endsWith('003005'))!;
    const hc = centroid(host.geometry.coordinates[0]);
    await page.click('[data-tool="create"]');
    await page.evaluate((p) => window.__map!.jumpTo({ center: [p[0], p[1]], zoom: 16 }), hc);
    await settle(page);
    const tri: Position[] = [
      [hc[0] - 0.0006, hc[1] - 0.0003],
      [hc[0] + 0.0006, hc[1] - 0.0003],
      [hc[0], hc[1] + 0.0005],
    ];
    for (const p of tri) await clickAt(page, p);
    await clickAt(page, tri[0]); // closes the polygon
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('create');
    expect(await page.inputValue('#create-community')).toBe(host.properties.community_code);
    await page.fill('#create-name', '测试新网格');
    await page.press('#create-name', 'Tab');
    await page.click('#preview');
    await previewDone(page);
    await page.screenshot({ path: join(artifacts, 'editor-create.png') });
    await page.click('#save');
    await saved(page);
    const created = (await allGrids()).find((g) => g.properties.name === '测试新网格');
    expect(created?.properties.community_code).toBe(host.properties.community_code);
    expect(await count()).toBe(n0 + 1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
