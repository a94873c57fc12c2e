/**
 * The Content-Security-Policy (server/plugins/security-headers.ts) in a real Chromium: every page
 * — planner, courier, editor, import, the API docs — loads with no CSP violation and no console
 * error, and the planner's MapLibre map (its worker included) draws the grids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, startBrowserApp, type BrowserApp } from '../helpers/browser.js';

const run = chromiumAvailable('CSP: pages load without violations');

describe.skipIf(!run)('pages under the CSP', () => {
  let b: BrowserApp;
  beforeAll(async () => {
    b = await startBrowserApp();
  });
  afterAll(async () => b?.close());

  for (const path of ['/', '/courier', '/editor/', '/import/', '/docs']) {
    it(`${path}: no CSP violation, no console error`, async () => {
      const page = await b.browser.newPage();
      const errors: string[] = [];
      // The editor and import pages ask who is logged in first: a 401 there is the expected answer.
      const expected = (t: string) => path !== '/' && path !== '/courier' && /status of 401/.test(t);
      page.on('console', (m) => m.type() === 'error' && !expected(m.text()) && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      // Injected by the browser itself (not subject to the page's CSP): records every violation.
      await page.addInitScript(() => {
        const w = window as unknown as { __violations: string[] };
        w.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      const response = await page.goto(`${b.base}${path}`, { waitUntil: 'networkidle' });
      expect(response?.headers()['content-security-policy']).toContain("worker-src 'self' blob:");
      if (path === '/') {
        // The map's worker parsed the grids: rendered features exist.
        await page.waitForFunction(
          () => {
            const m = window.__map;
            return !!m?.loaded() && m.queryRenderedFeatures().length > 0;
          },
          undefined,
          { timeout: 30_000 },
        );
      }
      const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
