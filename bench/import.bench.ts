/**
 * A big honest station list over real HTTP: a CSV of N rows (default 200,000) imported as a dry
 * run, then committed, while a 5 ms timer measures how long the event loop was held at a time
 * (the longest gap between ticks, and perf_hooks' monitorEventLoopDelay max), and /api/health is
 * asked every 50 ms (its p99). The target (issue 14): no block over 100 ms.
 *   npx tsx bench/import.bench.ts [rows] [small|medium|dalian]
 * DATABASE_URL set → PostgreSQL server (a `<db>_bench` database beside it), else embedded PGlite.
 * Figures need a quiet machine; compare phases within one run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Papa from 'papaparse';
import { build } from '../server/app.js';
import { loadConfig, type SampleSize } from '../server/config.js';
import { upsertUser } from '../server/db/users.repository.js';
import { benchDatabase, machine, ROOT } from './lib.js';

const rows = Number(process.argv[2] ?? 200_000);
const size = (process.argv[3] ?? 'small') as SampleSize;
const { db, drop } = await benchDatabase(size);
await upsertUser(db.kysely, { username: 'bench', displayName: 'bench', role: 'admin', password: 'bench-password' });
const app = await build({ config: { ...loadConfig({}), seedOnStart: false, importRatePerMinute: 1e6, logLevel: 'warn' }, db });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const token = (
  await (
    await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
    })
  ).json()
).token as string;

// Rows spread around the sample city's own stations (inside the city, real types and hours).
const sample = Papa.parse<string[]>(
  readFileSync(path.join(ROOT, 'geodata/fixtures/formats/stations.sample-city.wgs84.csv'), 'utf8')
    .replace(/^\uFEFF/, '')
    .trim(),
).data;
const [header, ...body] = sample;
const table: string[][] = [header];
for (let i = 0; i < rows; i++) {
  // code,name,type,address,lon,lat,… : a new code and name per row; the position moved by up to ~100 m.
  const cells = [...body[i % body.length]];
  cells[0] = `BI${String(i).padStart(7, '0')}`;
  cells[1] = `${cells[1]}${i}`;
  cells[4] = (Number(cells[4]) + ((i % 97) - 48) * 2e-5).toFixed(7);
  cells[5] = (Number(cells[5]) + ((i % 89) - 44) * 2e-5).toFixed(7);
  table.push(cells);
}
const csv = Buffer.from(`${Papa.unparse(table)}\n`);

async function measured(label: string, dryRun: boolean) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  let last = performance.now();
  let gap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last - 5);
    last = now;
  }, 5);
  const health: number[] = [];
  let stop = false;
  const probe = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await fetch(`${base}/api/health`);
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  h.enable();
  const t0 = performance.now();
  const res = await fetch(`${base}/api/imports/stations?format=csv&dry_run=${dryRun}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: csv,
  });
  const answer = (await res.json()) as { created?: number; total?: number; rejected?: unknown[]; message_en?: string };
  const ms = performance.now() - t0;
  h.disable();
  clearInterval(tick);
  stop = true;
  await probe;
  health.sort((a, b) => a - b);
  const p99 = health[Math.min(health.length - 1, Math.floor(0.99 * health.length))] ?? 0;
  console.log(
    `${label}: HTTP ${res.status} in ${(ms / 1000).toFixed(1)} s (created ${answer.created}, rejected ${answer.rejected?.length ?? answer.message_en}); longest event-loop block ${gap.toFixed(0)} ms (monitorEventLoopDelay max ${(h.max / 1e6).toFixed(0)} ms); /api/health p99 ${p99.toFixed(0)} ms over ${health.length}`,
  );
}

console.log(
  `import bench: ${rows} station rows (${(csv.length / 2 ** 20).toFixed(1)} MB CSV), ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}; ${machine()}`,
);
await measured('dry run', true);
await measured('commit ', false);
await app.close();
await db.close();
await drop();
