/**
 * Light requests while heavy ones run: p99 of /api/health and /api/stations/nearest?by=straight
 * (asked one at a time by a probe in its own process) while 20 heavy requests run at once
 * (isochrones at the maximum 60 minutes, walk coverage with custom minutes, the coverage
 * workbook), with heavy work on the event loop (COMPUTE_THREADS=0, the reference) and on the
 * worker pool, interleaved, on the same database in the same run. Then full walk coverage of one
 * type on one thread vs the pool.
 *   npx tsx bench/heavy.bench.ts [small|medium|dalian] [rounds]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { build } from '../server/app.js';
import { loadConfig, type SampleSize } from '../server/config.js';
import { benchDatabase, fmt, report } from './lib.js';

const size = (process.argv[2] ?? 'dalian') as SampleSize;
const rounds = Number(process.argv[3] ?? 3);
const { db, drop } = await benchDatabase(size);
const bbox = (
  await sql<{
    b: [number, number, number, number];
  }>`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(boundary)::geometry AS e FROM districts) x`.execute(db.kysely)
).rows[0].b;
let seed = 4242;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const pt = () =>
  `lon=${(bbox[0] + (0.2 + 0.6 * rnd()) * (bbox[2] - bbox[0])).toFixed(6)}&lat=${(bbox[1] + (0.2 + 0.6 * rnd()) * (bbox[3] - bbox[1])).toFixed(6)}`;

// No per-client limit here: the 20 heavy requests come from one address, and what is measured is
// whether light requests get through while they run.
const apps = {
  'event loop (COMPUTE_THREADS=0)': await build({ config: { ...loadConfig({}), seedOnStart: false, computeThreads: 0, heavyPerClient: 0 }, db }),
  'worker pool': await build({ config: { ...loadConfig({}), seedOnStart: false, heavyPerClient: 0 }, db }),
};
const bases: Record<string, string> = {};
for (const [name, app] of Object.entries(apps)) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  bases[name] = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  await app.city.snapshot();
  await app.coverage.coverage({ types: await app.city.stationTypeCodes() }); // the warm-up npm start does
  await fetch(`${bases[name]}/api/isochrone?${pt()}&minutes=5`); // threads started
}

const heavyPaths = (round: number) => {
  const out: string[] = [];
  for (let i = 0; i < 8; i++) out.push(`/api/isochrone?${pt()}&minutes=60`);
  for (let i = 0; i < 8; i++)
    out.push(`/api/coverage?types=courier_station&mode=walk&minutes=${(14 + round * 0.37 + i * 0.11).toFixed(2)}&format=stats&level=street`);
  for (let i = 0; i < 4; i++) out.push('/api/coverage?format=xlsx');
  return out;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const probePaths = ['/api/health', `/api/stations/nearest?${pt()}&by=straight`];

async function round(name: string, r: number) {
  const base = bases[name];
  const probe = fork(fileURLToPath(new URL('./probe.mjs', import.meta.url)), [JSON.stringify({ base, paths: probePaths })], { execArgv: [] });
  await new Promise((res) => probe.once('message', res));
  const t0 = performance.now();
  const statuses = await Promise.all(
    heavyPaths(r).map((p) =>
      fetch(base + p).then(async (x) => {
        await x.arrayBuffer();
        return x.status;
      }),
    ),
  );
  const heavyMs = performance.now() - t0;
  const lat = await new Promise<Record<string, number[]>>((res) => {
    probe.once('message', res);
    probe.send('stop');
  });
  const codes: Record<number, number> = {};
  for (const s of statuses) codes[s] = (codes[s] ?? 0) + 1;
  return { heavyMs, codes, health: lat[probePaths[0]]!, nearest: lat[probePaths[1]]! };
}

const results: Record<string, Awaited<ReturnType<typeof round>>[]> = Object.fromEntries(Object.keys(apps).map((n) => [n, []]));
for (let r = 0; r < rounds; r++) for (const name of Object.keys(apps)) results[name]!.push(await round(name, r));

const lines = [
  `${size} sample; each round: 20 heavy requests at once (8 isochrones of 60 min, 8 walk coverages of courier stations with custom minutes, 4 coverage workbooks); a probe in its own process asks health and nearest one at a time. ${rounds} rounds per mode, interleaved. p99 per round (median of rounds; spread min–max).`,
  '',
  '| heavy work on | health p99 | nearest p99 | health p50 | 20 heavy done in | heavy statuses |',
  '|---|---|---|---|---|---|',
];
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${fmt(med(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
for (const [name, rs] of Object.entries(results)) {
  const codes: Record<string, number> = {};
  for (const x of rs) for (const [c, n] of Object.entries(x.codes)) codes[c] = (codes[c] ?? 0) + n;
  lines.push(
    `| ${name} | ${spread(rs.map((x) => pct(x.health, 99)))} | ${spread(rs.map((x) => pct(x.nearest, 99)))} | ${spread(rs.map((x) => pct(x.health, 50)))} | ${spread(rs.map((x) => x.heavyMs))} | ${Object.entries(
      codes,
    )
      .map(([c, n]) => `${c}×${n}`)
      .join(' ')} |`,
  );
}

// Full walk coverage of one type, the whole city (cold engine each time: new minutes).
let eps = 0;
const full: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, app] of Object.entries(apps)) {
    const t = performance.now();
    await app.coverage.coverage({ types: ['courier_station'], mode: 'walk', minutes: 15 + ++eps * 1e-6 });
    (full[name] ??= []).push(performance.now() - t);
  }
}
lines.push('', '| full walk coverage, courier stations, 15 min | median (min–max) |', '|---|---|');
for (const [name, xs] of Object.entries(full)) lines.push(`| ${name} | ${spread(xs)} |`);
const [ref, pool] = Object.values(full);
lines.push('', `Pool vs event loop, full walk coverage: ${(med(ref!) / med(pool!)).toFixed(2)}× faster.`);
await report('Heavy work off the event loop (bench/heavy.bench.ts)', lines);
for (const app of Object.values(apps)) await app.close();
await db.close();
await drop();
