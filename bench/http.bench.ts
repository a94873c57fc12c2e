/**
 * HTTP load with autocannon (100 connections) on a sample city (default: Dalian-scale):
 * nearest-station and locate routes against a Fastify hello-world route and the raw PostGIS KNN
 * query through the same pool, all in the same process and run.
 *   npx tsx bench/http.bench.ts [small|medium|dalian] [seconds]
 * DATABASE_URL set → PostgreSQL server, else embedded PGlite.
 */
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { build } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import type { SampleSize } from '../server/config.js';
import { benchDatabase, fmt, report } from './lib.js';

const size = (process.argv[2] ?? 'dalian') as SampleSize;
const seconds = Number(process.argv[3] ?? 10);
const { db, drop } = await benchDatabase(size);
const app = await build({ config: { ...loadConfig({}), seedOnStart: false }, db });
// References, in the same process and through the same pool.
app.get('/__hello', async () => ({ hello: 'world' }));
app.get('/__knn', async (req) => {
  const { lon, lat } = req.query as { lon: string; lat: string };
  const r = await sql<{ id: number }>`SELECT id FROM stations ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(${Number(lon)}, ${Number(lat)}), 4326)::geography LIMIT 5`.execute(db.kysely);
  return r.rows;
});
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const bbox = (await sql<{ b: [number, number, number, number] }>`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(boundary)::geometry AS e FROM districts) x`.execute(db.kysely)).rows[0].b;

// Deterministic pseudo-random positions inside the city.
let seed = 12345;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const point = () => `lon=${(bbox[0] + rnd() * (bbox[2] - bbox[0])).toFixed(6)}&lat=${(bbox[1] + rnd() * (bbox[3] - bbox[1])).toFixed(6)}`;

async function load(name: string, path: (() => string) | string) {
  const result = await autocannon({
    url: base,
    connections: 100,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req: any) => ({ ...req, path: typeof path === 'string' ? path : path() }) }],
  });
  const codes = Object.entries((result as any).statusCodeStats ?? {})
    .filter(([c]) => !c.startsWith('2'))
    .map(([c, v]) => `${c}×${(v as { count: number }).count}`);
  const bad = [result.non2xx ? `non-2xx ${result.non2xx} (${codes.join(', ')})` : '', result.timeouts ? `timeouts ${result.timeouts}` : '', result.errors - result.timeouts > 0 ? `errors ${result.errors - result.timeouts}` : '']
    .filter(Boolean)
    .join('; ') || '0';
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, bad };
}

const rows = [
  await load('Fastify hello-world (reference)', '/__hello'),
  await load('raw PostGIS KNN, same pool (reference)', () => `/__knn?${point()}`),
  await load('GET /api/stations/nearest?by=straight', () => `/api/stations/nearest?${point()}&by=straight`),
  await load('GET /api/stations/nearest?type=courier_station&by=walk', () => `/api/stations/nearest?${point()}&type=courier_station&by=walk`),
  await load('GET /api/locate', () => `/api/locate?${point()}`),
];
// Grids GeoJSON for one street and for the whole city, with and without simplification.
const street = (await sql<{ code: string }>`SELECT code FROM streets ORDER BY code LIMIT 1`.execute(db.kysely)).rows[0].code;
const gridRows: string[] = [];
for (const [label, path] of [
  [`one street (${street})`, `/api/grids?street=${street}`],
  ['one street, simplify=20 m', `/api/grids?street=${street}&simplify=20`],
  ['whole city', '/api/grids'],
  ['whole city, simplify=20 m', '/api/grids?simplify=20'],
] as const) {
  const times: number[] = [];
  let bytes = 0;
  let n = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(base + path);
    const body = await res.text();
    times.push(performance.now() - t0);
    bytes = Buffer.byteLength(body);
    n = JSON.parse(body).features.length;
  }
  times.sort((a, b) => a - b);
  gridRows.push(`| GET /api/grids — ${label} | ${n} | ${fmt(times[2])} | ${(bytes / 1e6).toFixed(2)} MB |`);
}

const hello = rows[0].rps;
const knn = rows[1].rps;
const lines = [
  `Sample city \`${size}\`; autocannon, 100 connections, ${seconds} s per route, random points in the city; server and load generator share the 2 cores.`,
  '',
  '| route | req/s | p50 | p99 | ÷ hello-world req/s | ÷ raw KNN req/s | failures (autocannon timeout 10 s) |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${(r.rps / hello).toFixed(2)} | ${(r.rps / knn).toFixed(2)} | ${r.bad} |`),
  '',
  'Goal (issue 6): nearest ≥ 0.5× hello-world req/s and p99 ≤ 10 ms.',
  '',
  '| grids GeoJSON | features | median of 5 | bytes (uncompressed) |',
  '|---|---|---|---|',
  ...gridRows,
];
await report(`HTTP load (${size})`, lines);
await app.close();
await db.close();
await drop();
process.exit(0);
