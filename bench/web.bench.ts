/**
 * The planner map's first paint in Chromium (playwright-core) against a running server, e.g. a
 * Dalian-scale sample city:
 *   SAMPLE_SIZE=dalian DATA_DIR=/tmp/lc-dalian PORT=3999 npm start      # seeding ≈ 30 s
 *   npx tsx bench/web.bench.ts [http://127.0.0.1:3999] [runs=3] [label]
 * Each run is a fresh browser context (empty HTTP cache) at 1280×800. Reported per run: time to
 * the first coverage polygons painted (any colour) — communities below the grid zoom, grids from
 * it (older builds: grids at every zoom) —, time to coverage colours (every such polygon in view
 * has its covered share — feature state `share`, or the `share` property of older builds — and
 * the summary shows the city figure), bytes received (compressed, CDP encodedDataLength) at each
 * point and once the network is idle, the opening zoom, and the largest responses. Then the map
 * jumps to zoom 14 at the city centre (grid zoom) and the time and bytes until every grid in view
 * is coloured are reported as well.
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

interface Run {
  zoom: number;
  gridsMs: number;
  gridsBytes: number;
  coverageMs: number;
  coverageBytes: number;
  totalBytes: number;
  requests: number;
  computeMs: number | null;
  gridsInView: number;
  biggest: Array<{ url: string; bytes: number }>;
  /** After the jump to zoom 14: ms and bytes until every grid in view is coloured, grids in view. */
  zoomIn: { ms: number; bytes: number; requests: number; grids: number };
}

/** The coverage polygons on screen (communities or grids, whichever the build and zoom show). */
declare global {
  interface Window {
    __coverageFeatures?: () => Array<{ state: Record<string, unknown>; properties: Record<string, unknown>; layer: { id: string } }>;
  }
}
const INSTALL = () => {
  window.__coverageFeatures = () => {
    const m = window.__map;
    if (!m) return [];
    const layers = ['grids-fill', 'communities-fill'].filter((l) => m.getLayer(l));
    return layers.length ? (m.queryRenderedFeatures({ layers }) as never) : [];
  };
};

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
    if (r.url().includes('/api/coverage?') && r.url().includes('format=stats') && computeMs === null)
      r.json()
        .then((j: { meta?: { compute_ms?: number } }) => (computeMs = j.meta?.compute_ms ?? null))
        .catch(() => {});
  });

  await page.addInitScript(INSTALL);
  const t0 = Date.now();
  await page.goto(`${base}/`);
  await until(page, () => window.__coverageFeatures!().length > 0);
  const gridsMs = Date.now() - t0;
  const gridsBytes = bytes;
  const coloured = () => {
    const g = window.__coverageFeatures!();
    return (
      g.length > 0 && g.every((f) => ((f.state.share ?? f.properties.share) as number) >= 0) && !!document.querySelector('#summary .kpi.primary .kpi-value')
    );
  };
  await until(page, coloured);
  const coverageMs = Date.now() - t0;
  const coverageBytes = bytes;
  const { zoom, gridsInView } = await page.evaluate(() => ({
    zoom: window.__map!.getZoom(),
    gridsInView: new Set(window.__coverageFeatures!().map((f) => `${f.layer.id}:${f.properties.id ?? f.properties.code}`)).size,
  }));
  const idle = async () => {
    // Network idle: nothing pending for 1 s (at most 60 s more).
    for (let quiet = 0, waited = 0; quiet < 10 && waited < 600; waited++) {
      await new Promise((r) => setTimeout(r, 100));
      quiet = urls.size === 0 ? quiet + 1 : 0;
    }
    if (urls.size) console.warn('still pending:', [...urls.values()]);
  };
  await idle();
  const totalBytes = bytes;
  const requests = sizes.length;
  const biggest = [...sizes].sort((a, b) => b.bytes - a.bytes).slice(0, 5);

  // Grid zoom at the centre of the city: grids of the view, their shares and gaps.
  const b1 = bytes;
  const n1 = sizes.length;
  const t1 = Date.now();
  await page.evaluate(() => {
    const m = window.__map!;
    m.jumpTo({ zoom: 14 });
  });
  await until(
    page,
    () =>
      !!window.__map!.getLayer('grids-fill') &&
      window.__map!.queryRenderedFeatures({ layers: ['grids-fill'] }).length > 0 &&
      (window as unknown as { __coverageFeatures: () => unknown[] }).__coverageFeatures().length > 0,
  );
  await until(page, coloured);
  const zoomIn = {
    ms: Date.now() - t1,
    bytes: bytes - b1,
    requests: sizes.length - n1,
    grids: await page.evaluate(() => new Set(window.__map!.queryRenderedFeatures({ layers: ['grids-fill'] }).map((f) => f.properties.id)).size),
  };
  await idle();
  if (errors.length) console.warn('page errors:', errors);
  await context.close();
  return { zoom, gridsMs, gridsBytes, coverageMs, coverageBytes, totalBytes, requests, computeMs, gridsInView, biggest, zoomIn };
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  console.log(
    `run ${i + 1}: z${r.zoom.toFixed(1)} polygons ${r.gridsMs} ms, colours ${r.coverageMs} ms (compute_ms ${r.computeMs}), ${(r.coverageBytes / 1024).toFixed(0)} kB then, ${(r.totalBytes / 1024).toFixed(0)} kB idle; zoom 14: ${r.zoomIn.ms} ms, ${(r.zoomIn.bytes / 1024).toFixed(0)} kB, ${r.zoomIn.grids} grids`,
  );
  results.push(r);
}
await browser.close();

const kB = (n: number) => `${(n / 1024).toFixed(0)} kB`;
const short = (u: string) => (u.length > 70 ? `${u.slice(0, 67)}…` : u);
const lines = [
  `Planner map \`/\` in headless Chromium (software GL), 1280×800, fresh context (empty HTTP cache) per run, against ${base} — dataset ${health.dataset?.size ?? '?'} (${health.counts?.grids ?? '?'} grids, ${health.counts?.stations ?? '?'} stations)${label ? `; ${label}` : ''}. Server and browser share the machine. Bytes: compressed, as received.`,
  '',
  '| run | zoom | first polygons painted | bytes then | coverage colours + summary | bytes then | total bytes (network idle) | requests | server compute_ms | coloured polygons in view | zoom 14: grids coloured after | bytes | requests | grids in view |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r, i) =>
      `| ${i + 1}${i === 0 ? ' (first after start of this run)' : ''} | ${r.zoom.toFixed(1)} | ${r.gridsMs} ms | ${kB(r.gridsBytes)} | ${r.coverageMs} ms | ${kB(r.coverageBytes)} | ${kB(r.totalBytes)} | ${r.requests} | ${r.computeMs ?? '—'} | ${r.gridsInView} | ${r.zoomIn.ms} ms | ${kB(r.zoomIn.bytes)} | ${r.zoomIn.requests} | ${r.zoomIn.grids} |`,
  ),
  '',
  `Largest responses (last run): ${results[results.length - 1].biggest.map((b) => `\`${short(b.url)}\` ${kB(b.bytes)}`).join(', ')}.`,
];
await report(`Planner first paint (web)${label ? ` — ${label}` : ''}`, lines);
