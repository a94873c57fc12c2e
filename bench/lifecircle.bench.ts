/**
 * The life-circle assessment on a sample city (default: Dalian-scale): every category of the
 * GB 50180-2018 pack, every population point, from the city in memory; then after one station
 * moves. On the server engine the same per-point distances are computed by pgRouting
 * (pgr_dijkstraCost from the facilities' street ends) in the same run, and the ratio is printed.
 *   npx tsx bench/lifecircle.bench.ts [small|medium|dalian]
 * Targets (issue 15): ≤ 2 s full, ≤ 100 ms after one station moves. Run on a quiet machine for figures.
 */
import { sql } from 'kysely';
import { createAnalyses } from '../server/city/analyses.js';
import { locatePoints } from '../server/lifecircle/population.js';
import { rulePacks } from '../server/lifecircle/registry.js';
import type { SampleSize } from '../server/config.js';
import type { Snap } from '../server/network/snap.js';
import { benchDatabase, fmt, report, time } from './lib.js';

const size = (process.argv[2] ?? 'dalian') as SampleSize;
const settings = { walkSpeedKmh: 4.8, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai', maxStalenessMs: 0 };
const { db, drop } = await benchDatabase(size);
const k = db.kysely;
const pack = rulePacks().get('gb50180-2018')!;

// Life-circle stations where the sample city has none of a type: beside every station with id ≡ i (mod 11).
const types = [...new Set(pack.categories.flatMap((c) => c.station_types))];
for (const [i, t] of types.entries()) {
  const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM stations WHERE type_code = ${t}`.execute(k);
  if (n.rows[0]!.n > 0) continue;
  await sql`INSERT INTO stations (code, type_code, name, geom)
    SELECT ${`LC-${t}-`} || s.id, ${t}, ${`基准${t}`} || s.id, ST_Translate(s.geom, 0.0004, 0.0003)
      FROM stations s WHERE s.id % 11 = ${i % 11} AND s.type_code NOT IN (SELECT unnest(${types}::text[]))`.execute(k);
}

const lines: string[] = [];
const fullOwn: number[] = [];
for (let r = 0; r < 4; r++) {
  const a = createAnalyses(k, settings);
  await a.city.snapshot();
  const ms = (await time(() => a.lifecircle.assess({ packId: pack.id, level: 15 }))).ms;
  if (r > 0) fullOwn.push(ms); // the first run warms the JIT
  a.city.close();
}
fullOwn.sort((x, y) => x - y);

const a = createAnalyses(k, settings);
const res = await a.lifecircle.assess({ packId: pack.id, level: 15 });
const moves: number[] = [];
for (let r = 0; r < 5; r++) {
  await sql`UPDATE stations SET geom = ST_Translate(geom, 0.0005, 0), version = version + 1, updated_at = now()
    WHERE id = (SELECT min(id) FROM stations WHERE type_code = 'kindergarten')`.execute(k);
  moves.push((await time(() => a.lifecircle.assess({ packId: pack.id, level: 15 }))).ms);
}
moves.sort((x, y) => x - y);

lines.push(
  `Sample city \`${size}\`: ${res.grids.length} grids, ${res.points} population points (even spread, 50 m), ${pack.categories.length} categories of ${pack.id}.`,
  '',
);
lines.push('| measure | Lifecircle | reference (same run) | ratio (reference ÷ ours) | target |', '|---|---|---|---|---|');

let refMs: number | null = null;
if (
  db.engine === 'server' &&
  (await sql`CREATE EXTENSION IF NOT EXISTS pgrouting`.execute(k).then(
    () => true,
    () => false,
  ))
) {
  const snap = await a.city.snapshot();
  const g = snap.graph!;
  const { placed } = locatePoints(g, snap.grids, 50, 500);
  await sql`DROP TABLE IF EXISTS lc_points`.execute(k);
  await sql`CREATE TABLE lc_points AS SELECT i AS pid, e AS edge_id, f AS fraction
      FROM unnest(${Array.from(placed.edge, (_, i) => i + 1)}::bigint[], ${Array.from(placed.edge, (e) => (e >= 0 ? g.edgeIds[e]! : null))}::bigint[],
                  ${Array.from(placed.offsetM, (o, i) => (placed.edge[i]! >= 0 ? o / g.edgeLength[placed.edge[i]!]! : null))}::float8[]) AS t(i, e, f)
     WHERE e IS NOT NULL`.execute(k);
  const open = snap.stations.filter((s) => s.status === 'open');
  const t0 = performance.now();
  for (const c of pack.categories) {
    const ts = new Set(c.station_types);
    const facilities: Snap[] = open.filter((s) => ts.has(s.type_code) && snap.stationSnaps.get(s.id)).map((s) => snap.stationSnaps.get(s.id)!);
    if (!facilities.length) continue;
    const fac = facilities.map((f) => ({ edge: g.edgeIds[f.edge]!, fraction: f.offsetM / g.edgeLength[f.edge]! }));
    await sql`
      WITH fac(edge_id, fraction) AS (SELECT * FROM unnest(${fac.map((f) => f.edge)}::bigint[], ${fac.map((f) => f.fraction)}::float8[])),
      seeds AS (
        SELECT e.source AS node, f.fraction * e.length_m AS d0 FROM fac f JOIN network_edges e ON e.id = f.edge_id
        UNION ALL SELECT e.target, (1 - f.fraction) * e.length_m FROM fac f JOIN network_edges e ON e.id = f.edge_id),
      ends AS (SELECT DISTINCT v.n FROM lc_points p JOIN network_edges e ON e.id = p.edge_id, LATERAL (VALUES (e.source), (e.target)) v(n)),
      costs AS (
        SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCost(
          'SELECT id, source, target, length_m AS cost, length_m AS reverse_cost FROM network_edges WHERE walkable',
          (SELECT array_agg(DISTINCT node) FROM seeds), (SELECT array_agg(n) FROM ends), directed => false)
        UNION ALL SELECT DISTINCT node, node, 0 FROM seeds),
      nd AS (SELECT c.end_vid AS node, min(s.d0 + c.agg_cost) AS d FROM costs c JOIN seeds s ON s.node = c.start_vid GROUP BY c.end_vid)
      SELECT count(*) FROM (SELECT p.pid, LEAST(
          (SELECT d FROM nd WHERE node = e.source) + p.fraction * e.length_m,
          (SELECT d FROM nd WHERE node = e.target) + (1 - p.fraction) * e.length_m) AS cost
        FROM lc_points p JOIN network_edges e ON e.id = p.edge_id) x`.execute(k);
  }
  refMs = performance.now() - t0;
}

const mid = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
const ratio = (ms: number) => (refMs === null ? '–' : `${(refMs / ms).toFixed(1)}×`);
lines.push(
  `| full assessment (points, ${pack.categories.length} searches, tallies) | ${fmt(mid(fullOwn))} | ${refMs === null ? 'pgRouting: server engine only' : `pgRouting ${fmt(refMs)}`} | ${ratio(mid(fullOwn))} | ≤ 2 s |`,
);
lines.push(`| after one station moves (reload of the changed row, 1 search, tallies) | ${fmt(mid(moves))} | – | – | ≤ 100 ms |`);
console.log(lines.join('\n'));
if (process.env.BENCH_REPORT) await report(`Life circle (${size})`, lines);
a.city.close();
await db.close();
await drop();
