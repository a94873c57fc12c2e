/**
 * What the Chromium tests share: where Chromium and the screenshots are, and the real app on a
 * private seeded database with a browser beside it. Nothing is downloaded: Debian's chromium.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { build } from '../../server/app.js';
import type { Config } from '../../server/config.js';
import { openTestDb, testConfig } from './db.js';
import { prerequisite } from './prerequisites.js';
import { ensureWebBuild } from '../../web/ensure-build.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(fileURLToPath(new URL('../../', import.meta.url)), 'tests/artifacts');

/** Whether Chromium is installed; says which test is skipped when it is not (in CI: fails, see prerequisites.ts). */
export function chromiumAvailable(what: string): boolean {
  return prerequisite(existsSync(CHROMIUM), `[browser] ${what}`, `no Chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)`);
}

export interface BrowserApp {
  app: FastifyInstance;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds the web app if stale, serves it on a seeded test database, launches headless Chromium. */
export async function startBrowserApp(overrides: Partial<Config> = {}): Promise<BrowserApp> {
  ensureWebBuild((m) => console.log(`[browser] ${m}`));
  mkdirSync(ARTIFACTS, { recursive: true });
  const t = await openTestDb();
  const app = await build({ config: testConfig(overrides), db: t.db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const browser = await chromium.launch({
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
  return {
    app,
    base,
    browser,
    async close() {
      await browser.close();
      await app.close();
      await t.close();
    },
  };
}

/**
 * A second app (its own config) on the same database and Chromium as `on`: for a file that needs
 * two configurations, without a second database copy and browser. Its `close` closes only this
 * app; `on.close()` still closes the database and the browser.
 */
export async function serveAnotherApp(on: BrowserApp, overrides: Partial<Config> = {}): Promise<BrowserApp> {
  const app = await build({ config: testConfig(overrides), db: on.app.db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return { app, base, browser: on.browser, close: () => app.close() };
}
