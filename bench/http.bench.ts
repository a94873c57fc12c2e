/**
 * HTTP load with autocannon (100 connections) on a sample city (default: Dalian-scale):
 * nearest-station and locate routes against a Fastify hello-world route and the raw PostGIS KNN
 * query through the same pool, all in the same process and run. autocannon runs in a child
 * process: on 2 cores, sharing the server's event loop would make the load generator's own work
 * (parsing every response) part of every route's figure.
 *   npx tsx bench/http.bench.ts [small|medium|dalian] [seconds]
 * DATABASE_URL set → PostgreSQL server, else embedded PGlite.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { build } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import type { SampleSize } from '../server/config.js';
import { NearestStations } from '../server/schemas/stations.js';
import { benchDatabase, fmt, report } from './lib.js';

const size = (process.argv[2] ?? 'dalian') as SampleSize;
const seconds = Number(process.argv[3] ?? 10);
const { db, drop } = await benchDatabase(size);
const app = await build({ config: { ...loadConfig({}), seedOnStart: false }, db });
// References, in the same process and through the same pool.
app.get('/__hello', async () => ({ hello: 'world' }));
app.get('/__knn', async (req) => {
  const { lon, lat } = req.query as { lon: string; lat: string };
  const r = await sql<{
    id: number;
  }>`SELECT id FROM stations ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(${Number(lon)}, ${Number(lat)}), 4326)::geography LIMIT 5`.execute(db.kysely);
  return r.rows;
});
// Ceilings for nearest: one by=straight answer computed once, then sent again and again — as
// the bytes the route now sends (what writing a 5-station answer costs with no search), and
// through the response schema's serialiser (what the route paid until it cached each station's
// JSON; server/nearest/present.ts).
let precomputed: unknown = null;
let precomputedBytes: Buffer = Buffer.alloc(0);
app.get('/__precomputed', { schema: { response: { 200: NearestStations } } }, async () => precomputed);
app.get('/__precomputed_bytes', async (_req, reply) => reply.type('application/json; charset=utf-8').send(precomputedBytes));
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const bbox = (
  await sql<{
    b: [number, number, number, number];
  }>`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(boundary)::geometry AS e FROM districts) x`.execute(db.kysely)
).rows[0].b;

const answer = await app.inject(`/api/stations/nearest?lon=${(bbox[0] + bbox[2]) / 2}&lat=${(bbox[1] + bbox[3]) / 2}&by=straight`);
precomputed = answer.json();
precomputedBytes = answer.rawPayload;

/** A fixed path, or random points in the city: `${prefix}lon=…&lat=…${suffix}`. */
type Target = string | { prefix: string; suffix?: string };
let seed = 12345;

/** autocannon in a child process (bench/load-generator.mjs): the server's event loop keeps its own core. */
function autocannonIn(target: Target, duration: number): Promise<any> {
  seed += 7919; // other random points on every run
  const data = typeof target === 'string' ? { path: target } : { ...target, bbox, seed };
  const child = fork(fileURLToPath(new URL('./load-generator.mjs', import.meta.url)), [JSON.stringify({ base, connections: 100, duration, ...data })], {
    execArgv: [],
  });
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('error', reject);
    child.once('exit', (code) => code && reject(new Error(`load generator exited with ${code}`)));
  });
}

async function load(name: string, target: Target) {
  // Warm-up, the same for every route (hello-world included), not measured: one request (the
  // first nearest request loads the in-memory stations and street graph, seconds on PGlite), then
  // one second of load for the JIT. The measured run then uses other random points.
  const first = typeof target === 'string' ? target : `${target.prefix}lon=${(bbox[0] + bbox[2]) / 2}&lat=${(bbox[1] + bbox[3]) / 2}${target.suffix ?? ''}`;
  await fetch(base + first);
  await autocannonIn(target, 1);
  const result = await autocannonIn(target, seconds);
  const codes = Object.entries(result.statusCodeStats)
    .filter(([c]) => !c.startsWith('2'))
    .map(([c, v]) => `${c}×${(v as { count: number }).count}`);
  const bad =
    [
      result.non2xx ? `non-2xx ${result.non2xx} (${codes.join(', ')})` : '',
      result.timeouts ? `timeouts ${result.timeouts}` : '',
      result.errors - result.timeouts > 0 ? `errors ${result.errors - result.timeouts}` : '',
    ]
      .filter(Boolean)
      .join('; ') || '0';
  return { name, rps: result.rps, p50: result.p50, p99: result.p99, bad };
}

const rows = [
  await load('Fastify hello-world (reference)', '/__hello'),
  await load('raw PostGIS KNN, same pool (reference)', { prefix: '/__knn?' }),
  await load('one precomputed nearest answer, its bytes sent again (ceiling, reference)', '/__precomputed_bytes'),
  await load('the same answer through the response schema (the route before it cached station JSON)', '/__precomputed'),
  await load('GET /api/stations/nearest?by=straight', { prefix: '/api/stations/nearest?', suffix: '&by=straight' }),
  await load('GET /api/stations/nearest?type=courier_station&by=walk', { prefix: '/api/stations/nearest?', suffix: '&type=courier_station&by=walk' }),
  await load('GET /api/locate', { prefix: '/api/locate?' }),
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
  `Sample city \`${size}\`; autocannon, 100 connections, ${seconds} s per route after 1 request + 1 s of warm-up (every route), random points in the city; autocannon runs in its own process (bench/load-generator.mjs), so the server's event loop and the load generator each have one of the 2 cores.`,
  '',
  '| route | req/s | p50 | p99 | ÷ hello-world req/s | ÷ raw KNN req/s | failures (autocannon timeout 10 s) |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) => `| ${r.name} | ${Math.round(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${(r.rps / hello).toFixed(2)} | ${(r.rps / knn).toFixed(2)} | ${r.bad} |`,
  ),
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
