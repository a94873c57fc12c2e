/**
 * The life-circle assessment on the seeded sample city (its schools, clinics, shops … included): rule
 * packs listed; per-point category distances equal pgRouting's (server engine); bands nested;
 * complete circles never above any category's share; population totals equal the grids'; CSV and
 * workbook carry the JSON's figures; bad questions are 400s in zh + en.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { Value } from 'typebox/value';
import { useTestApp } from './helpers/db.js';
import { prerequisite } from './helpers/prerequisites.js';
import { LifecircleJson, PackList } from '../server/schemas/lifecircle.js';
import { categoryDistances } from '../server/lifecircle/assess.js';
import { locatePoints } from '../server/lifecircle/population.js';
import { rulePacks } from '../server/lifecircle/registry.js';
import { categoryLimitM } from '../server/lifecircle/pack.js';
import { lifecircleRows } from '../server/lifecircle/present.js';
import { createAnalyses } from '../server/city/analyses.js';
import type { Snap } from '../server/network/snap.js';

const env = useTestApp();

const get = async (url: string) => {
  const r = await env.app.inject({ method: 'GET', url });
  if (r.statusCode !== 200) throw new Error(`${url} → ${r.statusCode}: ${r.body}`);
  return r;
};
const json = async (url: string) => (await get(url)).json();

describe('GET /api/lifecircle/packs', () => {
  it('lists the four packs with versions, levels, categories and their sources', async () => {
    const body = await json('/api/lifecircle/packs');
    expect([...Value.Errors(PackList, body)]).toEqual([]);
    expect(body.packs.map((p: { id: string }) => p.id).sort()).toEqual(['gb50180-2018', 'mofcom-15min', 'project-defaults', 'tdt1062-2021']);
    const gb = body.packs.find((p: { id: string }) => p.id === 'gb50180-2018');
    expect(gb.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(gb.levels.map((l: { minutes: number }) => l.minutes)).toEqual([5, 10, 15]);
    expect(gb.categories.find((c: { id: string }) => c.id === 'kindergarten')).toMatchObject({ limit: { distance_m: 300 }, station_types: ['kindergarten'] });
    expect(body.profiles.find((p: { id: string }) => p.id === 'elderly').speed_kmh).toBe(3.6);
  });
});

describe('GET /api/lifecircle', () => {
  let gridPopulation = 0;
  beforeAll(async () => {
    const r = await sql<{ p: number }>`SELECT sum(population)::float8 AS p FROM grids WHERE deleted_at IS NULL`.execute(env.db.kysely);
    gridPopulation = Number(r.rows[0]!.p);
  });

  it('names pack, version and population source; totals equal the grids’ at every unit', async () => {
    for (const unit of ['grid', 'community', 'street', 'district']) {
      const body = await json(`/api/lifecircle?pack=gb50180-2018&level=15&unit=${unit}`);
      expect([...Value.Errors(LifecircleJson, body)]).toEqual([]);
      expect(body).toMatchObject({ pack: 'gb50180-2018', version: '1.0.0', population_source: 'even', level: 15, unit });
      const sum = body.units.reduce((s: number, u: { population: number }) => s + u.population, 0);
      expect(sum).toBeCloseTo(gridPopulation, 0);
      expect(body.city.population).toBeCloseTo(gridPopulation, 0);
      expect(body.units.every((u: { unit: string }) => u.unit === unit)).toBe(true);
    }
  });

  it('bands nest (5 ≤ 10 ≤ 15), a complete circle is never above any category’s share, and levels nest the other way', async () => {
    const byLevel = new Map<number, any>();
    for (const level of [5, 10, 15]) byLevel.set(level, await json(`/api/lifecircle?pack=gb50180-2018&level=${level}&unit=community`));
    const b15 = byLevel.get(15);
    // Every GB category has stations now, and the figures are not trivial.
    for (const c of b15.categories) expect(c.stations, c.id).toBeGreaterThan(0);
    const shares = Object.values(b15.city.categories) as number[];
    expect(shares.filter((x) => x > 0.05 && x < 0.95).length).toBeGreaterThan(5);
    let strictBands = 0;
    for (const [level, body] of byLevel) {
      for (const u of [body.city, ...body.units]) {
        for (const [id, s] of Object.entries(u.categories) as [string, number][]) {
          const w = u.within[id];
          expect(w['5']).toBeLessThanOrEqual(w['10'] + 1e-12);
          expect(w['10']).toBeLessThanOrEqual(w['15'] + 1e-12);
          if (w['5'] < w['15'] - 0.01) strictBands++;
          expect(u.complete_share).toBeLessThanOrEqual(s + 1e-12);
        }
        expect(Object.keys(u.categories).length).toBe(body.categories.filter((c: { level: number }) => c.level <= level).length);
      }
    }
    expect(strictBands).toBeGreaterThan(10);
    // A larger circle asks for more categories: its complete share is never larger.
    const s = (l: number) => byLevel.get(l).units.map((u: { complete_population: number }) => u.complete_population);
    s(10).forEach((v: number, i: number) => expect(v).toBeLessThanOrEqual(s(5)[i] + 1e-6));
    s(15).forEach((v: number, i: number) => expect(v).toBeLessThanOrEqual(s(10)[i] + 1e-6));
    // The most-missing category is the lowest share.
    for (const u of b15.units) {
      if (!u.most_missing) continue;
      const min = Math.min(...(Object.values(u.categories) as number[]));
      expect(u.most_missing.share).toBeCloseTo(min, 12);
    }
  });

  it('a profile per request walks every category at that speed (slower: never more reached)', async () => {
    const std = await json('/api/lifecircle?pack=project-defaults&unit=street&profile=standard');
    const old = await json('/api/lifecircle?pack=project-defaults&unit=street&profile=elderly');
    expect(old.profile).toBe('elderly');
    for (const [i, u] of old.units.entries())
      for (const [id, v] of Object.entries(u.categories) as [string, number][]) expect(v).toBeLessThanOrEqual(std.units[i].categories[id] + 1e-12);
    expect(old.city.categories.elderly_canteen).toBeLessThan(std.city.categories.elderly_canteen);
  });

  it('CSV and workbook carry the JSON’s figures', async () => {
    const body = await json('/api/lifecircle?pack=mofcom-15min&unit=street');
    expect(body.city.complete_share).toBeGreaterThan(0.05);
    expect(body.city.complete_share).toBeLessThan(0.95);
    const csv = (await get('/api/lifecircle?pack=mofcom-15min&unit=street&format=csv')).body;
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(body.units.length + 1);
    expect(lines[0]).toContain('齐全率 complete share');
    const first = lines[1]!.split(',');
    expect(first[1]).toBe(body.units[0].code);
    expect(Number(first[5])).toBeCloseTo(body.units[0].complete_share, 4);
    const x = await get('/api/lifecircle?pack=mofcom-15min&format=xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['区', '街道', '社区', '网格']);
    const ws = wb.getWorksheet('街道')!;
    const row = ws.getRow(3).values as unknown[];
    expect(row[1]).toBe(body.units[0].code);
    expect(row[5] as number).toBeCloseTo(body.units[0].complete_share, 12);
  });

  it('a moved station recomputes only its categories, and the answer equals a fresh computation', async () => {
    const url = '/api/lifecircle?pack=gb50180-2018&level=15&unit=grid';
    await json(url);
    const before = env.app.compute!.completed;
    await json(url); // all cached: no search runs
    expect(env.app.compute!.completed).toBe(before);
    await sql`UPDATE stations SET geom = ST_Translate(geom, 0.002, 0.001), version = version + 1, updated_at = now()
      WHERE id = (SELECT min(id) FROM stations WHERE type_code = 'kindergarten')`.execute(env.db.kysely);
    const moved = await json(url);
    // One search: the only GB 50180 category with kindergartens.
    expect(env.app.compute!.completed - before).toBe(1);
    const fresh = createAnalyses(env.db.kysely, { walkSpeedKmh: 4.8, bufferM: 50, maxSnapM: 500, timeZone: 'Asia/Shanghai', maxStalenessMs: 0 });
    try {
      const res = await fresh.lifecircle.assess({ packId: 'gb50180-2018', level: 15 });
      expect(lifecircleRows(res, 'grid')).toEqual(moved.units);
    } finally {
      fresh.city.close();
    }
  });

  it('bad questions are 400s in Chinese and English, nothing computed', async () => {
    for (const url of [
      '/api/lifecircle?pack=nope',
      '/api/lifecircle?pack=gb50180-2018&level=7',
      '/api/lifecircle?unit=house',
      '/api/lifecircle?profile=runner',
      '/api/lifecircle?format=pdf',
      '/api/lifecircle?level=1e400',
      '/api/lifecircle?pack=%00',
    ]) {
      const r = await env.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(400);
      const e = r.json();
      expect(e.message_zh, url).toBeTruthy();
      expect(e.message_en, url).toBeTruthy();
    }
    const r = await env.app.inject({ method: 'GET', url: '/api/lifecircle?pack=nope' });
    expect(r.json().message_zh).toContain('gb50180-2018');
  });
});

describe('per-point distances against pgRouting (server engine)', () => {
  it('every point’s distance to each GB 50180 category equals pgRouting’s (pgr_dijkstraCost), and the API’s grid shares follow from them', async (ctx) => {
    if (env.db.engine !== 'server') {
      console.warn('[skip] pgRouting is only on the PostgreSQL server engine (run with DATABASE_URL; CI does)');
      ctx.skip();
    }
    const error = await sql`CREATE EXTENSION IF NOT EXISTS pgrouting`.execute(env.db.kysely).then(
      () => null,
      (e: Error) => e.message,
    );
    if (!prerequisite(error === null, 'the pgRouting comparison', `CREATE EXTENSION pgrouting failed: ${error}`)) ctx.skip();

    const snap = await env.app.city.snapshot();
    const g = snap.graph!;
    const { points, placed } = locatePoints(g, snap.grids, 50, 500);
    const n = points.lon.length;
    expect(n).toBeGreaterThan(1000);
    await sql`CREATE TABLE lc_points AS
      SELECT i AS pid, e AS edge_id, f AS fraction
        FROM unnest(${Array.from({ length: n }, (_, i) => i + 1)}::bigint[], ${Array.from(placed.edge, (e) => (e >= 0 ? g.edgeIds[e]! : null))}::bigint[],
                    ${Array.from(placed.offsetM, (o, i) => (placed.edge[i]! >= 0 ? o / g.edgeLength[placed.edge[i]!]! : null))}::float8[]) AS t(i, e, f)
       WHERE e IS NOT NULL`.execute(env.db.kysely);

    const pack = rulePacks().get('gb50180-2018')!;
    const body = await json('/api/lifecircle?pack=gb50180-2018&level=15&unit=grid');
    const open = snap.stations.filter((s) => s.status === 'open');
    let compared = 0;
    for (const c of pack.categories) {
      const types = new Set(c.station_types);
      const facilities: Snap[] = open.filter((s) => types.has(s.type_code) && snap.stationSnaps.get(s.id)).map((s) => snap.stationSnaps.get(s.id)!);
      expect(facilities.length, c.id).toBeGreaterThan(0);
      const ours = categoryDistances(g, facilities, Infinity, placed);
      // pgRouting's node distances from the facilities' street ends (each end seeded with its way
      // along the edge), then each resident: the nearer end plus the way along its edge, or straight
      // along the edge to a facility on it. (pgr_withPointsCost with all residents loaded as points
      // was tried first: with many points on one edge, pgRouting 3.4.2 returned longer costs than
      // the same query with one point — each single query agreed with ours.)
      const fac = facilities.map((f) => ({ edge: g.edgeIds[f.edge]!, fraction: f.offsetM / g.edgeLength[f.edge]! }));
      const rows = await sql<{ pid: string; cost: number | null }>`
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
        SELECT p.pid, LEAST(
            (SELECT d FROM nd WHERE node = e.source) + p.fraction * e.length_m,
            (SELECT d FROM nd WHERE node = e.target) + (1 - p.fraction) * e.length_m,
            (SELECT min(abs(p.fraction - f.fraction)) * e.length_m FROM fac f WHERE f.edge_id = p.edge_id)) AS cost
          FROM lc_points p JOIN network_edges e ON e.id = p.edge_id`.execute(env.db.kysely);
      const theirs = new Float64Array(n).fill(Infinity);
      for (const r of rows.rows) if (r.cost !== null) theirs[Number(r.pid) - 1] = Number(r.cost);
      let finite = 0;
      for (let i = 0; i < n; i++) {
        if (theirs[i] === Infinity) expect(ours[i], `${c.id} point ${i}`).toBe(Infinity);
        else {
          finite++;
          expect(Math.abs(ours[i]! - theirs[i]!), `${c.id} point ${i}`).toBeLessThan(1e-6);
        }
      }
      expect(finite).toBeGreaterThan(n * 0.9);
      compared += n;
      // The API's per-grid share of this category = the people pgRouting puts within its limit.
      const limit = categoryLimitM(c);
      const met = new Float64Array(snap.grids.length);
      const pop = new Float64Array(snap.grids.length);
      for (let i = 0; i < n; i++) {
        pop[points.grid[i]!] += points.population[i]!;
        if (theirs[i]! <= limit) met[points.grid[i]!] += points.population[i]!;
      }
      for (const [gi, u] of body.units.entries()) {
        if (pop[gi]! > 0) expect(u.categories[c.id], `${c.id} grid ${u.code}`).toBeCloseTo(met[gi]! / pop[gi]!, 9);
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});
