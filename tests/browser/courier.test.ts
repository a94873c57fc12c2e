/**
 * The courier page as a rider uses it (390 px phone, Chromium, the real app): the hours line and
 * the call button on each card, the map staying in view with the route to the third station, the
 * selection following a new position, the last list shown offline (service worker + the list kept
 * on the phone), and a position outside the city.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, startBrowserApp, type BrowserApp } from '../helpers/browser.js';

interface Props {
  id: number;
  name: string;
  phone: string | null;
  always_open: boolean;
  open_now: boolean | null;
  next_change: string | null;
}

describe.skipIf(!chromiumAvailable('courier page'))('courier page in Chromium', () => {
  let s: BrowserApp;
  let context: BrowserContext;
  const here = { longitude: 121.6, latitude: 38.91 };

  beforeAll(async () => {
    s = await startBrowserApp();
    context = await s.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      geolocation: { ...here, accuracy: 20 },
      permissions: ['geolocation'],
      serviceWorkers: 'allow',
    });
  });

  afterAll(async () => {
    await context?.close();
    await s?.close();
  });

  const nearest = async (lon: number, lat: number): Promise<Props[]> =>
    (await s.app.inject({ url: `/api/stations/nearest?lon=${lon}&lat=${lat}&type=courier_station&open_now=true&limit=5` }))
      .json()
      .features.map((f: { properties: Props }) => f.properties);

  it('cards: hours line as the API says, a call button where there is a phone; the route to the third station drawn in view', async () => {
    const page = await context.newPage();
    await page.goto(`${s.base}/courier`);
    await page.waitForSelector('.card');
    const api = await nearest(here.longitude, here.latitude);
    expect(await page.$$eval('.card', (cs) => cs.map((c) => Number(c.getAttribute('data-id'))))).toEqual(api.map((p) => p.id));
    for (const [i, p] of api.entries()) {
      const card = page.locator('.card').nth(i);
      const hours = card.locator('.card-hours');
      if (p.always_open || p.open_now === null) expect(await hours.count()).toBe(0);
      else expect(await hours.textContent()).toContain(p.next_change!.slice(11, 16));
      expect(await card.locator('a.call').count()).toBe(p.phone ? 1 : 0);
      if (p.phone) expect(await card.locator('a.call').getAttribute('href')).toBe(`tel:${p.phone.replace(/[^\d+]/g, '')}`);
    }
    expect(api.some((p) => p.phone)).toBe(true);

    // 看路线 on the third card: the card lands below the map, and the map (still in view) draws that route.
    await page.waitForFunction(() => !!window.__map?.loaded(), undefined, { timeout: 20_000 });
    const third = page.locator('.card').nth(2);
    await third.locator('.card-actions .btn-secondary').first().click();
    await expect.poll(() => third.getAttribute('class')).toContain('selected');
    await page.waitForTimeout(800); // the smooth scroll
    const map = (await page.locator('#map').boundingBox())!;
    const card = (await third.boundingBox())!;
    expect(map.y).toBeGreaterThanOrEqual(0);
    expect(map.y + map.height).toBeLessThanOrEqual(844);
    expect(card.y).toBeGreaterThanOrEqual(map.y + map.height - 1);
    await page.waitForFunction(
      (id) => {
        const m = window.__map!;
        const pin = document.querySelector(`.pin[data-id="${id}"]`);
        return !m.isMoving() && pin?.classList.contains('selected') && m.queryRenderedFeatures({ layers: ['route'] }).length > 0;
      },
      api[2]!.id,
      { timeout: 20_000, polling: 100 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'courier-390-route-3.png') });
    await page.close();
  });

  it('offline after load: the page opens from the phone and shows the last list, saying how old it is; back online it refreshes', async () => {
    const page = await context.newPage();
    await page.goto(`${s.base}/courier`);
    await page.waitForSelector('.card');
    // The service worker controls the page once installed (it claims its clients).
    await page.waitForFunction(async () => !!navigator.serviceWorker.controller, undefined, { timeout: 20_000, polling: 200 });
    const before = await page.$$eval('.card', (cs) => cs.map((c) => c.getAttribute('data-id')));
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('#offline:not([hidden])', { timeout: 20_000 });
    expect(await page.textContent('#offline')).toMatch(/网络不可用，显示 \d+ 分钟前的结果/);
    expect(await page.$$eval('.card', (cs) => cs.map((c) => c.getAttribute('data-id')))).toEqual(before);
    expect(await page.textContent('#list')).not.toContain('Failed to fetch');
    await page.screenshot({ path: join(ARTIFACTS, 'courier-390-offline.png') });
    // Back online: the page asks again by itself (the browser's online event) and the banner goes.
    await context.setOffline(false);
    await page.waitForSelector('#offline[hidden]', { state: 'attached', timeout: 20_000 });
    await page.close();
  });

  it('a new position selects the nearest station of the new list, not the one picked before', async () => {
    const page = await context.newPage();
    await page.goto(`${s.base}/courier`);
    await page.waitForSelector('.card');
    await page.locator('.card').nth(1).locator('.card-actions .btn-secondary').first().click();
    await expect.poll(() => page.locator('.card').nth(1).getAttribute('class')).toContain('selected');
    // Move 600 m east and ask again.
    const moved = { longitude: here.longitude + 0.007, latitude: here.latitude };
    await context.setGeolocation(moved);
    await page.click('#locate');
    const api = await nearest(moved.longitude, moved.latitude);
    await expect.poll(() => page.$$eval('.card', (cs) => cs.map((c) => Number(c.getAttribute('data-id'))))).toEqual(api.map((p) => p.id));
    await expect.poll(() => page.$$eval('.card.selected', (cs) => cs.map((c) => Number(c.getAttribute('data-id'))))).toEqual([api[0]!.id]);
    await context.setGeolocation(here);
    await page.close();
  });

  it('outside the city: says so (no "nearest 5" heading over an error) and offers the way back', async () => {
    const far = await s.browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
      geolocation: { longitude: 100.0, latitude: 30.0 },
      permissions: ['geolocation'],
    });
    const page = await far.newPage();
    await page.goto(`${s.base}/courier`);
    await page.waitForSelector('.c-msg.error');
    expect(await page.textContent('.c-msg.error')).toContain('500 米');
    expect(await page.textContent('#list-title')).toBe('');
    expect(await page.locator('.c-msg.error button.back').textContent()).toBe('回到城市');
    await far.close();
  });
});
