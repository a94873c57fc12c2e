/**
 * The upload page (/import/) in a real Chromium against the real app on a real (seeded)
 * database: log in as planner, upload a Chinese-header GCJ-02 station CSV, check the detected
 * column mapping, dry run (3 created, 0 rejected), commit, find the stations through the API;
 * a bad CSV lists its rejected rows and keeps 提交导入 disabled; the sample city's stations in
 * GCJ-02 declared as WGS84 (upload throttled, so the progress bar shows) → the coordinate check
 * objects and the force checkbox appears; a street editor's grids upload is refused (403).
 * Screenshots go to tests/artifacts/import-*.png. Skips (with a message) without Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { ARTIFACTS, chromiumAvailable, startBrowserApp } from '../helpers/browser.js';
import { DEMO_PASSWORD } from '../../server/db/demo-accounts.js';
import { districtsGcj02 } from '../helpers/real-files.js';

const hasChromium = chromiumAvailable('import test');
const artifacts = ARTIFACTS;
const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => join(repo, 'geodata/fixtures/formats', name);

/** Expected console errors: 401 of /api/auth/me before logging in, the refused 403, the 422 of a rejected import. */
const expectedError = (m: string) => /Failed to load resource: the server responded with a status of (401|403|422)/.test(m);

/**
 * A TCP proxy to the app that forwards request bytes at `bytesPerSecond` (responses at full
 * speed), so the browser's upload takes seconds and its progress events show partial uploads.
 */
function slowProxy(port: number, bytesPerSecond: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = createConnection({ port, host: '127.0.0.1' });
    upstream.pipe(client);
    const chunk = Math.max(1024, Math.round(bytesPerSecond / 20));
    const queue: Buffer[] = [];
    let timer: NodeJS.Timeout | null = null;
    const pump = () => {
      let budget = chunk;
      while (budget > 0 && queue.length) {
        const b = queue[0];
        const part = b.subarray(0, budget);
        upstream.write(part);
        budget -= part.length;
        if (part.length === b.length) queue.shift();
        else queue[0] = b.subarray(part.length);
      }
      if (!queue.length) {
        clearInterval(timer!);
        timer = null;
        client.resume();
      }
    };
    client.on('data', (d) => {
      queue.push(d);
      client.pause(); // backpressure: the browser's send buffer fills and its progress slows
      if (!timer) timer = setInterval(pump, 50);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe.skipIf(!hasChromium)('upload page in Chromium', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, base, browser, close: stop } = await startBrowserApp());
  });
  afterAll(async () => stop?.());

  /** A fresh page logged in through the form as `username`; console errors collected. */
  async function loggedIn(username: string, height = 1000, url = base) {
    const context = await browser.newContext({ viewport: { width: 1280, height }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !expectedError(m.text()) && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}/import/`);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.textContent('#login h1')).toBe('登录数据导入');
    await page.fill('#username', username);
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 30_000 });
    return { context, page, errors };
  }

  const count = async (page: Page, what: string) => Number((await page.textContent(`#report [data-count=${what}] strong`))!.replace(/,/g, ''));
  const chooseCrs = (page: Page, crs: string) => page.click(`#crs input[value=${crs}]`);
  const dryRun = async (page: Page) => {
    await page.click('#dry-run');
    await page.waitForFunction(() => ['done', 'error'].includes(window.__import!.state.phase) && !!window.__import!.state.report, undefined, {
      timeout: 30_000,
    });
  };

  it('serves the page at /import and /import/', async () => {
    for (const url of ['/import', '/import/']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('数据导入');
      expect(r.body).toContain('src="/assets/');
    }
  });

  it('planner: GCJ-02 station CSV → mapping preview → dry run (3 created) → commit → stations in the API; a bad CSV lists rejected rows, commit disabled', async () => {
    const { context, page, errors } = await loggedIn('planner');
    expect(await page.textContent('#who')).toContain('规划');
    await page.screenshot({ path: join(artifacts, 'import-start.png'), fullPage: true });

    // File → preview of the column mapping (名称 → name …), first rows.
    await page.setInputFiles('#file', fixture('stations.gcj02.zh.csv'));
    await page.waitForSelector('#mapping');
    const mapping = await page.$$eval('#mapping select', (els) => els.map((e) => [(e as HTMLSelectElement).dataset.header, (e as HTMLSelectElement).value]));
    expect(Object.fromEntries(mapping)).toMatchObject({
      编码: 'code',
      名称: 'name',
      类型: 'type',
      地址: 'address',
      经度: 'lon',
      纬度: 'lat',
      营业时间: 'openingHours',
      设施: 'amenities',
    });
    expect(await page.$$eval('#mapping tbody tr', (rows) => rows.length)).toBe(3);
    expect(await page.textContent('#mapping tbody')).toContain('样例社区爱心驿站');
    expect(await page.isDisabled('#commit')).toBe(true);
    await chooseCrs(page, 'gcj02');

    // Changing a column to "ignore" makes a required field missing (dry run disabled); changing back restores it.
    await page.selectOption('#mapping select[data-header="名称"]', '');
    expect(await page.textContent('#missing')).toContain('名称');
    expect(await page.isDisabled('#dry-run')).toBe(true);
    await page.selectOption('#mapping select[data-header="名称"]', 'name');
    expect(await page.$('#missing')).toBeNull();
    await page.screenshot({ path: join(artifacts, 'import-preview.png'), fullPage: true });

    // Dry run: 3 created, nothing rejected, nothing written; the upload went through its phases.
    await dryRun(page);
    expect(await count(page, 'created')).toBe(3);
    expect(await count(page, 'rejected')).toBe(0);
    const s = await page.evaluate(() => ({ phases: window.__import!.state.phases, report: window.__import!.state.report! }));
    expect(s.phases).toEqual(['upload', 'server', 'done']);
    expect(s.report).toMatchObject({ dry_run: true, committed: false, crs: 'gcj02' });
    const codes = s.report.changes.map((c) => c.code);
    expect(codes).toHaveLength(3);
    const all = async () =>
      (await app.inject({ url: '/api/stations?bbox=-180,-85,180,85' }))
        .json()
        .features.map((f: { properties: { code: string } }) => f.properties.code) as string[];
    expect(await all()).not.toContain(codes[0]);
    expect(await page.textContent('#report h3')).toBe('试运行结果（未写入）');
    expect(await page.isEnabled('#commit')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'import-dry-run.png'), fullPage: true });

    // Commit → written; the stations are in the API.
    await page.click('#commit');
    await page.waitForFunction(() => window.__import!.state.commitReport?.committed === true, undefined, { timeout: 30_000 });
    expect(await page.textContent('#report h3')).toBe('导入完成，已写入数据库');
    expect(await page.isDisabled('#commit')).toBe(true);
    const after = await all();
    for (const c of codes) expect(after).toContain(c);
    await page.screenshot({ path: join(artifacts, 'import-committed.png'), fullPage: true });

    // The bad file: rejected rows with their sheet row numbers and Chinese reasons; commit stays disabled.
    await page.setInputFiles('#file', fixture('stations.bad.zh.csv'));
    await page.waitForSelector('#mapping');
    await chooseCrs(page, 'wgs84');
    expect(await page.isDisabled('#commit')).toBe(true);
    await dryRun(page);
    const rows = await page.$$eval('#rejected tbody tr', (trs) => trs.map((tr) => [Number((tr as HTMLElement).dataset.row), (tr as HTMLElement).dataset.code]));
    expect(rows).toEqual([
      [3, 'unknown_type'],
      [4, 'invalid_coordinates'],
      [5, 'swapped_lat_lon'],
      [6, 'duplicate_code'],
      [7, 'outside_city'],
    ]);
    expect(await count(page, 'rejected')).toBe(5);
    expect(await page.textContent('#rejected')).toContain('共享充电宝');
    expect(await page.isDisabled('#commit')).toBe(true);
    expect(await page.isHidden('#force-label')).toBe(true);
    expect(await page.textContent('#commit-hint')).toContain('有被拒绝的行');
    await page.screenshot({ path: join(artifacts, 'import-rejected.png'), fullPage: true });

    // English: the same report in English.
    await page.click('#lang');
    expect(await page.textContent('#dry-run')).toBe('Dry run');
    expect(await page.textContent('#rejected thead')).toContain('Row');
    await page.screenshot({ path: join(artifacts, 'import-rejected-en.png'), fullPage: true });
    await page.click('#lang');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('planner: a 7 MB station table through a slow link shows real upload progress, then 服务器处理中…; GCJ-02 declared as WGS84 → the coordinate check objects, force enables commit', async () => {
    // The sample city's stations in GCJ-02 below 8 long title/notes rows of ≈0.9 MB each (the
    // header is found below them; loopback socket buffers swallow the first few MB at once, so the
    // file must be large). Each row stays under 1 MB: Papa Parse guesses the line ending from the
    // first 1 MB, and a longer first line makes the server's row numbers drift (reported).
    const csv = readFileSync(fixture('stations.sample-city.gcj02.csv'));
    // Each notes row is 800 cells of ≈1.1 kB: within the upload limits (32 kB a cell, 1,000 columns).
    const notes = Array.from({ length: 8 }, (_, i) =>
      Buffer.from(
        `${Array.from({ length: 800 }, (_, j) => `滨海示例市服务站点清单（高德坐标）说明 ${i + 1}.${j + 1}：${'本表由各街道汇总，坐标从高德地图拾取。'.repeat(20)}`).join(',')}\r\n`,
      ),
    );
    const big = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), ...notes, csv.subarray(3)]);
    expect(big.length).toBeGreaterThan(7_000_000);
    expect(notes[0].length).toBeLessThan(1_000_000);
    const proxy = await slowProxy((app.server.address() as { port: number }).port, 4_000_000);
    try {
      const { context, page, errors } = await loggedIn('planner', 1000, `http://127.0.0.1:${proxy.port}`);
      await page.setInputFiles('#file', { name: '全市站点（高德坐标）.csv', mimeType: 'text/csv', buffer: big });
      await page.waitForSelector('#mapping', { timeout: 30_000 });
      expect(await page.textContent('#columns .hint:nth-of-type(2)')).toContain('表头在第 9 行');
      await page.click('#dry-run');
      // Mid-upload: a partial bar with bytes sent / total.
      await page.waitForFunction(
        (size) => window.__import!.state.phase === 'upload' && window.__import!.state.progress.loaded > 0 && window.__import!.state.progress.loaded < size,
        big.length,
        { timeout: 20_000 },
      );
      const uploading = await page.textContent('#progress-text');
      expect(uploading).toMatch(/^上传中 .+ \/ .+MB（\d+%）$/);
      await page.screenshot({ path: join(artifacts, 'import-progress.png') });
      // Then the server's turn: indeterminate.
      await page.waitForFunction(() => window.__import!.state.phase !== 'upload', undefined, { timeout: 30_000 });
      if (await page.evaluate(() => window.__import!.state.phase === 'server')) {
        expect(await page.textContent('#progress-text')).toBe('服务器处理中…');
        await page.screenshot({ path: join(artifacts, 'import-processing.png') });
      }
      await page.waitForFunction(() => ['done', 'error'].includes(window.__import!.state.phase) && !!window.__import!.state.report, undefined, {
        timeout: 60_000,
      });
      const st = await page.evaluate(() => ({ phases: window.__import!.state.phases, samples: window.__import!.state.progressSamples }));
      expect(st.phases).toEqual(['upload', 'server', 'done']);
      // Real progress: at least one partial count, then the whole file. How many events the
      // browser fires in between depends on the machine's load (2 on a busy CI run), so not counted.
      expect(st.samples.some((n) => n > 0 && n < big.length)).toBe(true);
      expect(Math.max(...st.samples)).toBe(big.length);
      console.log(`[browser] upload progress: ${st.samples.length} events; mid-upload text "${uploading}"`);

      const rejected = await page.$$eval('#rejected tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.code));
      expect(rejected).toEqual(['suspected_crs']);
      expect(await page.textContent('#rejected')).toContain('GCJ-02');
      expect(await page.textContent('#crs-check')).toContain('GCJ-02');
      expect(await page.isDisabled('#commit')).toBe(true);
      expect(await page.isVisible('#force-label')).toBe(true);
      await page.check('#force');
      expect(await page.isEnabled('#commit')).toBe(true);
      await page.screenshot({ path: join(artifacts, 'import-crs-force.png'), fullPage: true });
      // Not committed: choosing GCJ-02 is the right answer; the dry run is then clean.
      await chooseCrs(page, 'gcj02');
      expect(await page.isDisabled('#commit')).toBe(true);
      await dryRun(page);
      expect(await count(page, 'rejected')).toBe(0);
      expect(await page.isEnabled('#commit')).toBe(true);

      expect(errors).toEqual([]);
      await context.close();
    } finally {
      proxy.server.close();
    }
  }, 180_000);

  it('admin: GCJ-02 districts with overlapping parts → rejected rows; tick 自动修复 → the repairs listed with areas, commit enabled', async () => {
    const { context, page, errors } = await loggedIn('admin');
    await page.setInputFiles('#file', {
      name: '区界（高德）.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(districtsGcj02())),
    });
    await page.click('#kinds input[value=districts]');
    await chooseCrs(page, 'gcj02');
    await dryRun(page);
    expect(await count(page, 'rejected')).toBe(2);
    expect(await page.textContent('#rejected')).toContain('第 1 与第 2 个部分重叠');
    expect(await page.isDisabled('#commit')).toBe(true);
    await page.check('#repair');
    await dryRun(page);
    expect(await count(page, 'rejected')).toBe(0);
    expect(await page.$$eval('#repairs li', (li) => li.length)).toBe(2);
    expect(await page.textContent('#repairs li[data-row="2"]')).toMatch(/第 1 与第 2 个部分重叠.*→/);
    expect(await page.isDisabled('#commit')).toBe(false);
    await page.screenshot({ path: join(artifacts, 'import-repair.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('street editor: a grids upload is refused with the server’s 403 message', async () => {
    const { context, page, errors } = await loggedIn('editor1');
    await page.setInputFiles('#file', fixture('grids.wgs84.kml'));
    await page.click('#kinds input[value=grids]');
    expect(await page.textContent('#kind-warning')).toContain('不能导入网格');
    await page.click('#dry-run');
    await page.waitForFunction(() => window.__import!.state.phase === 'error', undefined, { timeout: 30_000 });
    expect(await page.textContent('#error')).toContain('只有管理员可以导入网格和行政区划');
    expect(await page.isDisabled('#commit')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'import-refused.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
