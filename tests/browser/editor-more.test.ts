/**
 * The grid editor's attribute form, delete/restore and community-change checkbox, in a real
 * Chromium against the real app on a seeded database: edit the leader and population, preview,
 * save, reload — persisted on the server; delete a grid into a neighbour picked on the map, then
 * restore it from its history (the 'original' entry); drag a vertex across a community border —
 * refused (422 outside_community) until 允许改变社区边界 is ticked. Grid labels are HTML markers.
 * Screenshots go to tests/artifacts/editor-*.png. Skips (with a message) without Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Position } from 'geojson';
import { ARTIFACTS, chromiumAvailable, startBrowserApp } from '../helpers/browser.js';
import { centroid, editorDriver, toward, vertexKey as key, vertexOwners, type Grid } from '../helpers/editor-driver.js';
import { labelPoint, samePolygon } from '../../web/src/editor/geometry.js';
import { sharesBorder } from '../../web/src/editor/attributes.js';
import { DEMO_PASSWORD } from '../../server/db/demo-accounts.js';

const hasChromium = chromiumAvailable('editor test (attributes, delete, community)');
const artifacts = ARTIFACTS;

/** Console errors that are expected: the 401 of /api/auth/me before logging in, the 422 of the refused cross-community reshape. */
const expectedError = (m: string) => /Failed to load resource: the server responded with a status of (401|422)/.test(m);

describe.skipIf(!hasChromium)('grid editor in Chromium: attributes, delete/restore, community change, labels', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, base, browser, close: stop } = await startBrowserApp());
  });
  afterAll(async () => stop?.());

  const { allGrids, settle, selectGrid, drag, loggedIn, clickAt, previewDone, saved } = editorDriver(() => ({ app, base, browser }), expectedError);

  it('attribute form: a bad phone is named at its field; leader and population previewed, saved, persisted after reload; labels drawn', async () => {
    const { context, page, errors } = await loggedIn('editor1');
    const street = await page.evaluate(() => window.__editor!.state.user!.streets[0].code);
    const own = (await allGrids()).filter((g) => g.properties.street_code === street);
    // Labels: HTML markers with the grid names, one per grid on the map.
    await page.evaluate((p) => window.__map!.jumpTo({ center: [p[0], p[1]], zoom: 15.2 }), labelPoint(own[0].geometry));
    await settle(page);
    const labelled = await page.$$eval('.grid-label', (els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.textContent));
    expect(labelled).toContain(own[0].properties.name);
    await page.screenshot({ path: join(artifacts, 'editor-labels.png') });

    const grid = own.find((g) => g.properties.code.endsWith('001002')) ?? own[1];
    await selectGrid(page, grid, labelPoint(grid.geometry));
    expect(await page.inputValue('#attr-name')).toBe(grid.properties.name);
    await page.fill('#attr-leader_phone', 'call me');
    expect(await page.isVisible('#attr-leader_phone-error')).toBe(true);
    expect(await page.textContent('#attr-leader_phone-error')).toContain('网格长电话');
    expect(await page.isDisabled('#save')).toBe(true);
    await page.fill('#attr-leader_phone', '');
    await page.fill('#attr-leader_name', '赵六');
    await page.fill('#attr-population', '4321');
    expect(await page.evaluate(() => window.__editor!.pending())).toMatchObject({ kind: 'attributes', attrs: { leader_name: '赵六', population: 4321 } });
    expect(await page.textContent('#pending-text')).toContain('网格长');
    await page.click('#preview');
    await previewDone(page);
    expect(await page.textContent('#save')).toBe('确认保存');
    expect((await app.inject({ url: `/api/grids/${grid.properties.id}` })).json().properties.leader_name).toBe(grid.properties.leader_name); // dry run wrote nothing
    await page.screenshot({ path: join(artifacts, 'editor-attributes.png') });
    await page.click('#save');
    await saved(page);
    const after = (await app.inject({ url: `/api/grids/${grid.properties.id}` })).json();
    expect(after.properties).toMatchObject({ leader_name: '赵六', population: 4321, version: grid.properties.version + 1 });
    // The form shows the saved values on the new version; reload and select again: still there.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
    await settle(page);
    await selectGrid(page, grid, labelPoint(grid.geometry));
    expect(await page.inputValue('#attr-leader_name')).toBe('赵六');
    expect(await page.inputValue('#attr-population')).toBe('4321');
    expect(await page.textContent('#grid-version')).toBe(String(grid.properties.version + 1));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('delete a grid into a neighbour picked on the map, then restore it from its history', async () => {
    const { context, page, errors } = await loggedIn('editor1');
    const street = await page.evaluate(() => window.__editor!.state.user!.streets[0].code);
    const own = (await allGrids()).filter((g) => g.properties.street_code === street);
    // A grid with at least two neighbours of its community (so the neighbour must be chosen).
    let pick: { grid: Grid; into: Grid } | undefined;
    for (const g of own) {
      const n = own.filter(
        (o) => o.properties.id !== g.properties.id && o.properties.community_code === g.properties.community_code && sharesBorder(o.geometry, g.geometry),
      );
      if (n.length >= 2) {
        pick = { grid: g, into: n[0] };
        break;
      }
    }
    expect(pick, 'a grid with two same-community neighbours').toBeDefined();
    const { grid, into } = pick!;
    await selectGrid(page, grid, labelPoint(grid.geometry), 15.2);
    await page.click('#delete-grid');
    expect(await page.textContent('#pending-text')).toContain('请选择并入的相邻网格');
    expect(await page.isDisabled('#save')).toBe(true);
    const options = await page.$$eval('#delete-into option', (os) => os.map((o) => Number((o as HTMLOptionElement).value)).filter(Boolean));
    expect(options).toContain(into.properties.id);
    await clickAt(page, labelPoint(into.geometry));
    expect(await page.inputValue('#delete-into')).toBe(String(into.properties.id));
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('delete');
    await page.click('#preview');
    await previewDone(page);
    const roles = await page.$$eval('#preview-panel tr[data-grid]', (trs) =>
      trs.map((tr) => [Number(tr.getAttribute('data-grid')), tr.getAttribute('data-role')]),
    );
    expect(roles).toContainEqual([grid.properties.id, 'deleted']);
    expect(roles).toContainEqual([into.properties.id, 'edited']);
    await page.screenshot({ path: join(artifacts, 'editor-delete.png') });
    await page.click('#save');
    await saved(page);
    // Gone from the map and the API; the neighbour took the area; the history still answers.
    expect((await allGrids()).some((g) => g.properties.id === grid.properties.id)).toBe(false);
    const admin = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: DEMO_PASSWORD } })).json().token;
    expect((await app.inject({ url: `/api/grids/${grid.properties.id}/history`, headers: { authorization: `Bearer ${admin}` } })).statusCode).toBe(200);
    expect(await page.evaluate((id) => window.__editor!.state.grids.has(id), grid.properties.id)).toBe(false);
    expect(await page.evaluate(() => window.__editor!.state.selected?.properties.id)).toBe(into.properties.id);

    // The deleted list opens its history; the version before the delete (here the 'original') is restored.
    await page.click(`#deleted-panel li[data-grid="${grid.properties.id}"] button`);
    await page.waitForSelector('#history-panel li[data-version]');
    expect(await page.textContent('#history-panel h2')).toContain('已删除');
    const entries = await page.$$eval('#history-panel li[data-version]', (lis) =>
      lis.map((li) => [Number(li.getAttribute('data-version')), li.textContent ?? '']),
    );
    expect(entries[0][0]).toBe(grid.properties.version + 1);
    expect(entries[0][1]).toContain('删除');
    const original = entries.find(([v]) => v === grid.properties.version)!;
    expect(original[1]).toContain(grid.properties.version === 1 ? '最初版本' : '');
    await page.screenshot({ path: join(artifacts, 'editor-deleted-history.png') });
    await page.click(`#history-panel li[data-version="${grid.properties.version}"] .restore`);
    await previewDone(page);
    expect(await page.textContent('#pending-text')).toContain(`恢复 ${grid.properties.name} 到版本 ${grid.properties.version}`);
    expect(await page.$$eval('#preview-panel tr[data-role="restored"]', (r) => r.length)).toBe(1);
    await page.click('#save');
    await saved(page);
    const back = (await allGrids()).find((g) => g.properties.id === grid.properties.id)!;
    expect(back, 'restored grid').toBeDefined();
    expect(back.properties.version).toBe(grid.properties.version + 2);
    expect(samePolygon(back.geometry, grid.geometry)).toBe(true);
    expect(await page.isHidden('#deleted-panel')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'editor-restored.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('logged out elsewhere, then logged in as another street editor: the editor shows that user and their street, not the previous one', async () => {
    const { context, page, errors } = await loggedIn('editor1');
    const first = await page.evaluate(() => window.__editor!.state.user!);
    const second = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'editor2', password: DEMO_PASSWORD } })).json()
      .user as typeof first;
    expect(second.streets[0].code).not.toBe(first.streets[0].code);
    const grid = (await allGrids()).find((g) => g.properties.street_code === first.streets[0].code)!;
    await selectGrid(page, grid, labelPoint(grid.geometry));
    await page.fill('#attr-leader_name', '钱七');
    // The session ends in another tab; the next request is refused (401) and asks to log in again.
    await page.evaluate(() => fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }));
    await page.click('#preview');
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#username', 'editor2');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.evaluate(() => window.__editor?.state.user?.username ?? null), { timeout: 30_000 }).toBe('editor2');
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
    await settle(page);
    const who = (await page.textContent('#who')) ?? '';
    expect(who).toContain(second.streets[0].name);
    expect(who).not.toContain(first.streets[0].name);
    // Editable (own) grids on the map are the new user's street's only.
    const streetOf = new Map((await allGrids()).map((g) => [g.properties.id, g.properties.street_code]));
    const own = await page.evaluate(() => window.__map!.queryRenderedFeatures({ layers: ['grids-own-fill'] }).map((f) => Number(f.properties.id)));
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((id) => streetOf.get(id)))).toEqual(new Set([second.streets[0].code]));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a reshape across a community border is refused (422) until 允许改变社区边界 is ticked', async () => {
    const { context, page, errors } = await loggedIn('editor1');
    const street = await page.evaluate(() => window.__editor!.state.user!.streets[0].code);
    const grids = await allGrids();
    const owners = vertexOwners(grids);
    // A vertex of this street's grids only, where two communities meet.
    let cross: { grid: Grid; other: Grid; vertex: Position } | undefined;
    for (const g of grids.filter((x) => x.properties.street_code === street)) {
      for (const p of g.geometry.coordinates[0].slice(0, -1)) {
        const o = owners.get(key(p))!;
        const other = o.find((x) => x.properties.community_code !== g.properties.community_code);
        if (other && o.length === 2 && o.every((x) => x.properties.street_code === street)) {
          cross = { grid: g, other, vertex: p };
          break;
        }
      }
      if (cross) break;
    }
    expect(cross, 'a vertex on a community border inside the street').toBeDefined();
    const { grid, other, vertex } = cross!;
    await selectGrid(page, grid, vertex, 16);
    await drag(page, vertex, toward(vertex, centroid(other.geometry.coordinates[0]), 0.25));
    expect(await page.evaluate(() => window.__editor!.pending()?.kind)).toBe('reshape');
    await page.click('#preview');
    await page.waitForSelector('#preview-panel .invalid', { timeout: 30_000 });
    expect(await page.$$eval('#preview-panel li[data-code]', (lis) => lis.map((li) => li.getAttribute('data-code')))).toContain('outside_community');
    expect(await page.textContent('#preview-panel')).toContain('允许改变社区边界');
    expect(await page.getAttribute('#allow-community-label', 'class')).toContain('attention');
    expect(await page.isDisabled('#save')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'editor-community-refused.png') });

    await page.check('#allow-community');
    expect(await page.isDisabled('#save')).toBe(false);
    await page.click('#preview');
    await previewDone(page);
    expect(await page.isVisible('#preview-panel table.impact')).toBe(true);
    const rows = await page.$$eval('#preview-panel tr[data-grid]', (trs) => trs.map((tr) => Number(tr.getAttribute('data-grid'))));
    expect(rows).toContain(other.properties.id);
    await page.screenshot({ path: join(artifacts, 'editor-community-allowed.png') });
    await page.click('#save');
    await saved(page);
    const after = await allGrids();
    const g2 = after.find((g) => g.properties.id === grid.properties.id)!;
    const o2 = after.find((g) => g.properties.id === other.properties.id)!;
    expect(g2.properties.version).toBe(grid.properties.version + 1);
    expect(o2.properties.version).toBe(other.properties.version + 1);
    expect(g2.properties.community_code).toBe(grid.properties.community_code);
    expect(await page.isChecked('#allow-community')).toBe(false); // not sticky: the next edit must tick it again
    expect(errors).toEqual([]);
    await context.close();
  });
});
