/**
 * The edit path over real HTTP: a grid reshape (neighbours re-derived, history written) and an
 * attribute edit, against the raw PostGIS UPDATE of the same row through the same pool, and the
 * dry run with its coverage impact preview. Sequential (an editor saves one change at a time),
 * then 20 editors at once in different streets.
 *   npx tsx bench/edit.bench.ts [small|medium|dalian] [edits]
 * DATABASE_URL set → PostgreSQL server, else embedded PGlite.
 */
import { sql } from 'kysely';
import { build } from '../server/app.js';
import { loadConfig, type SampleSize } from '../server/config.js';
import { upsertUser } from '../server/db/users.repository.js';
import { bulgeEdge, liveGrids, sharedEdge } from '../tests/helpers/editing.js';
import { benchDatabase, fmt, report } from './lib.js';

const size = (process.argv[2] ?? 'medium') as SampleSize;
const edits = Number(process.argv[3] ?? 30);
const { db, drop } = await benchDatabase(size);
await upsertUser(db.kysely, { username: 'bench', displayName: 'bench', role: 'admin', password: 'bench-password' });
const app = await build({ config: { ...loadConfig({}), seedOnStart: false, writeRatePerMinute: 1e6, loginRatePerMinute: 1e6 }, db });
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
).token;
const headers = (version: number) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}`, 'if-match': String(version) });

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
async function timed(n: number, fn: (i: number) => Promise<void>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
}
async function send(path: string, method: string, version: number, body: object) {
  const r = await fetch(base + path, { method, headers: headers(version), body: JSON.stringify(body) });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const streets = (await sql<{ code: string }>`SELECT code FROM streets ORDER BY code`.execute(db.kysely)).rows.map((r) => r.code);

// Reference: the minimal write of a new polygon for the same row, in a transaction.
const g0 = (await liveGrids(db, streets[0]))[0];
const raw = await timed(edits, async () => {
  await db.kysely.transaction().execute(async (tx) => {
    await sql`UPDATE grids SET boundary = ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(g0.geometry)}), 4326), version = version + 1, updated_at = now() WHERE id = ${g0.id}`.execute(
      tx,
    );
  });
});

const attrs = await timed(edits, async (i) => {
  const g = (await liveGrids(db, streets[0]))[0];
  await send(`/api/grids/${g.id}`, 'PATCH', g.version, { leader_name: `网格长${i}` });
});

// Reshape: pull a shared border out and push it back, alternately (the partition stays sane).
let reshapeNeighbours = 0;
const reshape = await timed(edits, async (i) => {
  const grids = await liveGrids(db, streets[1]);
  const { grid, neighbour, index } = sharedEdge(grids, undefined, i % grids.length);
  const r = await send(`/api/grids/${grid.id}`, 'PATCH', grid.version, { geometry: bulgeEdge(grid, index, i % 2 ? grid : neighbour, 0.15) });
  reshapeNeighbours += r.changes.length - 1;
});

const preview = await timed(Math.min(edits, 10), async (i) => {
  const grids = await liveGrids(db, streets[2 % streets.length]);
  const { grid, neighbour, index } = sharedEdge(grids, undefined, i % grids.length);
  await send(`/api/grids/${grid.id}?dry_run=true`, 'PATCH', grid.version, { geometry: bulgeEdge(grid, index, neighbour, 0.15) });
});

// 20 editors at once, each in a street of their own (where the sample has that many).
const parallel = Math.min(20, streets.length);
const t0 = performance.now();
let done = 0;
await Promise.all(
  streets.slice(0, parallel).map(async (street, k) => {
    for (let i = 0; i < 3; i++) {
      const grids = await liveGrids(db, street);
      const { grid, neighbour, index } = sharedEdge(grids, undefined, (k + i) % grids.length);
      await send(`/api/grids/${grid.id}`, 'PATCH', grid.version, { geometry: bulgeEdge(grid, index, i % 2 ? grid : neighbour, 0.1) });
      done++;
    }
  }),
);
const parallelS = (performance.now() - t0) / 1000;

const ratio = (x: number) => (x / raw.p50).toFixed(1);
await report(`Edit path (${size})`, [
  `Sample city \`${size}\`; ${edits} sequential edits per row over HTTP (fetch, keep-alive) unless noted; server and client share the 2 cores. Ratios are p50 ÷ the raw UPDATE's p50.`,
  '',
  '| operation | p50 | p95 | ÷ raw UPDATE |',
  '|---|---|---|---|',
  `| raw PostGIS UPDATE of one grid's polygon in a transaction, same pool (reference) | ${fmt(raw.p50)} | ${fmt(raw.p95)} | 1.0 |`,
  `| PATCH attributes (leader name), history row | ${fmt(attrs.p50)} | ${fmt(attrs.p95)} | ${ratio(attrs.p50)} |`,
  `| PATCH reshape: validation, neighbours re-derived (${(reshapeNeighbours / edits).toFixed(1)} per edit), history | ${fmt(reshape.p50)} | ${fmt(reshape.p95)} | ${ratio(reshape.p50)} |`,
  `| PATCH reshape ?dry_run=true with coverage impact for every station type (${Math.min(edits, 10)} runs) | ${fmt(preview.p50)} | ${fmt(preview.p95)} | ${ratio(preview.p50)} |`,
  '',
  `${parallel} editors in ${parallel} streets at once, 3 reshapes each: ${done} edits in ${parallelS.toFixed(2)} s = ${(done / parallelS).toFixed(1)} edits/s (edits in one street are serialised by design).`,
]);
await app.close();
await db.close();
await drop();
process.exit(0);
