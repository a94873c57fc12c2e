/**
 * The planner map's first paint in Chromium (playwright-core) against a running server, e.g. a
 * Dalian-scale sample city:
 *   SAMPLE_SIZE=dalian DATA_DIR=/tmp/lc-dalian PORT=3999 npm start      # seeding ≈ 30 s
 *   npx tsx bench/web.bench.ts [http://127.0.0.1:3999] [runs=3] [label]
 * Each run is a fresh browser context (empty HTTP cache) at 1280×800. Reported per run: time to
 * the first grids painted (any colour), time to coverage colours (every grid in view has its
 * covered share — feature state `share`, or the `share` property of older builds — and the
 * summary shows the city figure), bytes received (compressed, CDP
 * encodedDataLength) at each point and once the network is idle, and the largest responses.
 * The server keeps coverage answers in memory: the first run after a server start pays for the
 * computation (its compute_ms is reported), later runs show the cached answer.
 * Appends a dated section to bench/RESULTS.md (bench/lib.ts `report()`).
 */
import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { report } from './lib.js';

const base = (process.argv[2] ?? 'http://127.0.0.1:3999').replace(/\/$/, '');
const runs = Number(process.argv[3] ?? 3);
const label = process.argv[4] ?? '';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

const health = (await (await fetch(`${base}/api/health`)).json()) as { dataset?: { size?: string; name?: string }; counts?: Record<string, number> };

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
});

interface Run {
  gridsMs: number;
  gridsBytes: number;
  coverageMs: number;
  coverageBytes: number;
  totalBytes: number;
  requests: number;
  computeMs: number | null;
  gridsInView: number;
  biggest: Array<{ url: string; bytes: number }>;
}

async function until(page: Page, fn: () => boolean, timeout = 180_000): Promise<void> {
  await page.waitForFunction(fn, undefined, { timeout, polling: 50 });
}

async function once(): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const sizes: Array<{ url: string; bytes: number }> = [];
  let bytes = 0;
  cdp.on('Network.requestWillBeSent', (e: { requestId: string; request: { url: string } }) => {
    if (!/^https?:/.test(e.request.url)) return;
    urls.set(e.requestId, e.request.url); // a redirect reuses the id
  });
  const done = (id: string, n: number) => {
    const url = urls.get(id);
    if (url === undefined) return;
    urls.delete(id);
    bytes += n;
    sizes.push({ url: url.replace(base, ''), bytes: n });
  };
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => done(e.requestId, e.encodedDataLength));
  cdp.on('Network.loadingFailed', (e: { requestId: string }) => done(e.requestId, 0));
  let computeMs: number | null = null;
  page.on('response', (r) => {
    if (r.url().includes('/api/coverage?') && r.url().includes('format=stats'))
      r.json()
        .then((j: { meta?: { compute_ms?: number } }) => (computeMs = j.meta?.compute_ms ?? null))
        .catch(() => {});
  });

  const t0 = Date.now();
  await page.goto(base + '/');
  await until(page, () => {
    const m = window.__map;
    return !!m && !!m.getLayer('grids-fill') && m.queryRenderedFeatures({ layers: ['grids-fill'] }).length > 0;
  });
  const gridsMs = Date.now() - t0;
  const gridsBytes = bytes;
  await until(page, () => {
    const m = window.__map;
    if (!m || !m.getLayer('grids-fill')) return false;
    const g = m.queryRenderedFeatures({ layers: ['grids-fill'] });
    return g.length > 0 && g.every((f) => ((f.state.share ?? f.properties.share) as number) >= 0) && !!document.querySelector('#summary .kpi.primary .kpi-value');
  });
  const coverageMs = Date.now() - t0;
  const coverageBytes = bytes;
  const gridsInView = await page.evaluate(() => new Set(window.__map!.queryRenderedFeatures({ layers: ['grids-fill'] }).map((f) => f.properties.id)).size);
  // Network idle: nothing pending for 1 s (at most 60 s more).
  for (let quiet = 0, waited = 0; quiet < 10 && waited < 600; waited++) {
    await new Promise((r) => setTimeout(r, 100));
    quiet = urls.size === 0 ? quiet + 1 : 0;
  }
  if (urls.size) console.warn('still pending:', [...urls.values()]);
  if (errors.length) console.warn('page errors:', errors);
  await context.close();
  sizes.sort((a, b) => b.bytes - a.bytes);
  return { gridsMs, gridsBytes, coverageMs, coverageBytes, totalBytes: bytes, requests: sizes.length, computeMs, gridsInView, biggest: sizes.slice(0, 5) };
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  console.log(`run ${i + 1}: grids ${r.gridsMs} ms, coverage colours ${r.coverageMs} ms (compute_ms ${r.computeMs}), ${(r.totalBytes / 1024).toFixed(0)} kB`);
  results.push(r);
}
await browser.close();

const kB = (n: number) => `${(n / 1024).toFixed(0)} kB`;
const short = (u: string) => (u.length > 70 ? `${u.slice(0, 67)}…` : u);
const lines = [
  `Planner map \`/\` in headless Chromium (software GL), 1280×800, fresh context (empty HTTP cache) per run, against ${base} — dataset ${health.dataset?.size ?? '?'} (${health.counts?.grids ?? '?'} grids, ${health.counts?.stations ?? '?'} stations)${label ? `; ${label}` : ''}. Server and browser share the machine. Bytes: compressed, as received.`,
  '',
  '| run | first grids painted | bytes then | coverage colours + summary | bytes then | total bytes (network idle) | requests | server compute_ms | grids in view |',
  '|---|---|---|---|---|---|---|---|---|',
  ...results.map((r, i) => `| ${i + 1}${i === 0 ? ' (first after start of this run)' : ''} | ${r.gridsMs} ms | ${kB(r.gridsBytes)} | ${r.coverageMs} ms | ${kB(r.coverageBytes)} | ${kB(r.totalBytes)} | ${r.requests} | ${r.computeMs ?? '—'} | ${r.gridsInView} |`),
  '',
  `Largest responses (last run): ${results[results.length - 1].biggest.map((b) => `\`${short(b.url)}\` ${kB(b.bytes)}`).join(', ')}.`,
];
await report(`Planner first paint (web)${label ? ` — ${label}` : ''}`, lines);
