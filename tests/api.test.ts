/**
 * Every route's success and error cases, through inject() on the real database of this run.
 * Expectations are derived from PostGIS queries on the same data, not hard-coded.
 */
import { describe, expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import { useTestApp } from './helpers/db.js';
import { queriesDuring } from './helpers/queries.js';
import { Value } from 'typebox/value';
import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { NearestStations, StationCollection, StationFeature, StationTypes } from '../server/schemas/stations.js';
import { Boundaries, Located } from '../server/schemas/admin.js';
import { CoverageGeoJson, CoverageShares, CoverageStats, Isochrone, RankedGaps } from '../server/schemas/coverage.js';
import { EditResponse, GridHistory } from '../server/schemas/grid-edits.js';
import { GridCollection, GridFeature } from '../server/schemas/grids.js';
import { Health } from '../server/schemas/health.js';
import { ImportReport } from '../server/schemas/imports.js';
import { MapConfig } from '../server/schemas/map-config.js';
import { Network } from '../server/schemas/network.js';
import { StationHistory } from '../server/schemas/station-edits.js';
import { importFile } from '../server/import/pipeline/import-file.js';
import { bearer, login } from './helpers/editing.js';
import { isOpenAt } from '../server/hours/index.js';

const env = useTestApp();
const get = env.get;

function expectError(res: { status: number; body: any }, status: number, pattern?: RegExp) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String) });
  // Chinese first, English after.
  expect(res.body.message_zh).toMatch(/[\u4e00-\u9fff]/);
  expect(res.body.message_en).toMatch(/[A-Za-z]/);
  expect(res.body.message).toBe(`${res.body.message_zh} / ${res.body.message_en}`);
  if (pattern) expect(res.body.message).toMatch(pattern);
}

/** A point safely inside some grid (PostGIS picks it). */
async function pointInGrid(): Promise<{ id: number; code: string; lon: number; lat: number; leader: string | null }> {
  const r = await sql<{ id: number; code: string; lon: number; lat: number; leader: string | null }>`
    SELECT id, code, leader_name AS leader, ST_X(ST_PointOnSurface(boundary)) AS lon, ST_Y(ST_PointOnSurface(boundary)) AS lat
      FROM grids ORDER BY code OFFSET 7 LIMIT 1`.execute(env.db.kysely);
  return r.rows[0];
}

describe('GET /api/health', () => {
  it('names the engine, PostGIS version and counts', async () => {
    const r = await get('/api/health');
    expect(r.status).toBe(200);
    expect(r.body.engine).toBe(process.env.DATABASE_URL ? 'server' : 'embedded');
    expect(r.body.postgis).toMatch(/^3\./);
    expect(r.body.counts.grids).toBeGreaterThan(50);
    expect(r.body.counts.stations).toBeGreaterThan(10);
    expect(r.body.counts.network_edges).toBeGreaterThan(100);
    expect(r.body.dataset.sample).toBe(true);
  });
});

describe('GET /api/admin/tree', () => {
  it('nests districts → streets → communities with counts that add up', async () => {
    const r = await get('/api/admin/tree');
    expect(r.status).toBe(200);
    const d = r.body.districts;
    expect(d.length).toBeGreaterThan(0);
    const total = await sql<{ grids: number; population: number }>`SELECT count(*)::int AS grids, sum(population)::int AS population FROM grids`.execute(
      env.db.kysely,
    );
    expect(d.reduce((s: number, x: any) => s + x.grids, 0)).toBe(total.rows[0].grids);
    expect(d.reduce((s: number, x: any) => s + x.population, 0)).toBe(total.rows[0].population);
    for (const district of d) {
      expect(district.code).toMatch(/^\d{12}$/);
      expect(district.grids).toBe(district.streets.reduce((s: number, x: any) => s + x.grids, 0));
      for (const street of district.streets) {
        expect(street.code.slice(0, 6)).toBe(district.code.slice(0, 6));
        expect(street.communities.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('GET /api/admin/boundaries', () => {
  it('gives each level as GeoJSON outlines whose areas match the tree', async () => {
    const tree = (await get('/api/admin/tree')).body.districts;
    for (const level of ['district', 'street', 'community'] as const) {
      const r = await get(`/api/admin/boundaries?level=${level}`);
      expect(r.status).toBe(200);
      const units =
        level === 'district'
          ? tree
          : level === 'street'
            ? tree.flatMap((d: any) => d.streets)
            : tree.flatMap((d: any) => d.streets.flatMap((s: any) => s.communities));
      expect(r.body.features.map((f: any) => f.properties.code).sort()).toEqual(units.map((u: any) => u.code).sort());
      expect(r.body.features.every((f: any) => f.geometry.type === 'MultiPolygon' && f.properties.level === level)).toBe(true);
    }
    const simplified = await get('/api/admin/boundaries?level=street&simplify=20');
    expect(simplified.status).toBe(200);
    const full = await get('/api/admin/boundaries?level=street');
    expect(JSON.stringify(simplified.body).length).toBeLessThanOrEqual(JSON.stringify(full.body).length);
    // Really simplified (fewer decimals alone would pass the size check): fewer vertices, same streets.
    const positions = (c: any): number => (typeof c[0] === 'number' ? 1 : c.reduce((n: number, x: any) => n + positions(x), 0));
    const vertices = (fc: any) => fc.features.reduce((n: number, f: any) => n + positions(f.geometry.coordinates), 0);
    expect(vertices(simplified.body)).toBeLessThan(vertices(full.body));
    expect(simplified.body.features.map((f: any) => f.properties.code)).toEqual(full.body.features.map((f: any) => f.properties.code));
  });

  it('rejects an unknown level with a Chinese message', async () => {
    const r = await get('/api/admin/boundaries?level=province');
    expect(r.status).toBe(400);
    expect(r.body.message_zh).toMatch(/level/);
  });
});

describe('GET /api/grids', () => {
  it('returns all grids as a GeoJSON FeatureCollection', async () => {
    const r = await get('/api/grids');
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('FeatureCollection');
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM grids`.execute(env.db.kysely);
    expect(r.body.features).toHaveLength(n.rows[0].n);
    const f = r.body.features[0];
    expect(f.type).toBe('Feature');
    expect(f.geometry.type).toBe('Polygon');
    expect(f.properties).toMatchObject({ code: expect.any(String), community_code: expect.stringMatching(/^\d{12}$/), version: 1 });
    expect(f.properties.area_m2).toBeGreaterThan(1000);
  });

  it('filters by bbox using the index (only grids touching the box)', async () => {
    const p = await pointInGrid();
    const bbox = [p.lon - 0.001, p.lat - 0.001, p.lon + 0.001, p.lat + 0.001].join(',');
    const r = await get(`/api/grids?bbox=${bbox}`);
    expect(r.status).toBe(200);
    const codes = r.body.features.map((f: any) => f.properties.code);
    expect(codes).toContain(p.code);
    const expected = await sql<{
      code: string;
    }>`SELECT code FROM grids WHERE boundary && ST_MakeEnvelope(${p.lon - 0.001}, ${p.lat - 0.001}, ${p.lon + 0.001}, ${p.lat + 0.001}, 4326) ORDER BY code`.execute(
      env.db.kysely,
    );
    expect(codes).toEqual(expected.rows.map((x) => x.code));
    // The index: the route's own query, EXPLAINed with sequential scans priced out (on a few
    // hundred grids the planner may scan either way), must be answerable from grids_boundary_gix.
    const { queries } = await queriesDuring(env.db.kysely, () => get(`/api/grids?bbox=${bbox}`));
    const q = queries.find((x) => /from "grids"|from grids/i.test(x.sql) && x.sql.includes('&&'));
    expect(q, queries.map((x) => x.sql).join('\n')).toBeDefined();
    const plan = await env.db.kysely.transaction().execute(async (tx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(tx);
      return (await tx.executeQuery(CompiledQuery.raw(`EXPLAIN ${q!.sql}`, [...q!.parameters]))).rows.map((r: any) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/grids_boundary_gix/);
  });

  it('filters by street and by community', async () => {
    const c = await sql<{ community: string; street: string; n_c: number; n_s: number }>`
      SELECT c.code AS community, s.code AS street,
             (SELECT count(*)::int FROM grids g WHERE g.community_id = c.id) AS n_c,
             (SELECT count(*)::int FROM grids g JOIN communities c2 ON c2.id = g.community_id WHERE c2.street_id = s.id) AS n_s
        FROM communities c JOIN streets s ON s.id = c.street_id ORDER BY c.code LIMIT 1`.execute(env.db.kysely);
    const row = c.rows[0];
    const byC = await get(`/api/grids?community=${row.community}`);
    expect(byC.body.features).toHaveLength(row.n_c);
    expect(byC.body.features.every((f: any) => f.properties.community_code === row.community)).toBe(true);
    const byS = await get(`/api/grids?street=${row.street}`);
    expect(byS.body.features).toHaveLength(row.n_s);
  });

  it('simplifies for low zooms: fewer vertices, still valid polygons', async () => {
    const full = await get('/api/grids');
    const simple = await get('/api/grids?simplify=50');
    const count = (fc: any) => fc.features.reduce((s: number, f: any) => s + f.geometry.coordinates[0].length, 0);
    expect(count(simple.body)).toBeLessThan(count(full.body));
    for (const f of simple.body.features) expect(f.geometry.coordinates[0].length).toBeGreaterThanOrEqual(4);
  });

  it('rejects malformed bbox, bad codes and unknown parameters clearly', async () => {
    expectError(await get('/api/grids?bbox=1,2,3'), 400, /bbox/);
    expectError(await get('/api/grids?bbox=a,b,c,d'), 400, /bbox/);
    expectError(await get('/api/grids?bbox=121,38,200,39'), 400, /范围|range/);
    expectError(await get('/api/grids?bbox=122,38,121,39'), 400, /最小值|minimum/);
    expectError(await get('/api/grids?street=12'), 400, /street/);
    expectError(await get('/api/grids?simplify=-1'), 400, /simplify/);
    expectError(await get('/api/grids?colour=red'), 400, /colour/);
  });

  it('GET /api/grids/:id by id and by code; 404 for unknown', async () => {
    const p = await pointInGrid();
    const byId = await get(`/api/grids/${p.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.properties.code).toBe(p.code);
    const byCode = await get(`/api/grids/${p.code}`);
    expect(byCode.body.id).toBe(p.id);
    expectError(await get('/api/grids/999999'), 404, /不存在/);
    expectError(await get('/api/grids/bad%20code'), 400);
  });
});

describe('GET /api/stations', () => {
  it('filters by types and by amenities (all of)', async () => {
    const all = await get('/api/stations');
    expect(all.status).toBe(200);
    const couriers = await get('/api/stations?types=courier_station');
    expect(couriers.body.features.length).toBeGreaterThan(0);
    expect(couriers.body.features.every((f: any) => f.properties.type === 'courier_station')).toBe(true);
    const both = await get('/api/stations?amenities=water,first_aid');
    expect(both.body.features.length).toBeGreaterThan(0);
    for (const f of both.body.features) expect(f.properties.amenities).toEqual(expect.arrayContaining(['water', 'first_aid']));
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM stations WHERE amenities @> ARRAY['water','first_aid']`.execute(env.db.kysely);
    expect(both.body.features).toHaveLength(n.rows[0].n);
    expect(all.body.features.length).toBeGreaterThan(both.body.features.length);
  });

  it('open_at 02:00 keeps only stations open then (24/7 ones), never temporarily closed ones', async () => {
    const r = await get('/api/stations?types=courier_station&open_at=2026-11-24T02:00');
    expect(r.status).toBe(200);
    expect(r.body.evaluated_at).toBe('2026-11-23T18:00:00.000Z');
    expect(r.body.features.length).toBeGreaterThan(0);
    for (const f of r.body.features) {
      expect(f.properties.open_now).toBe(true);
      expect(f.properties.status).toBe('open');
    }
    const all = await get('/api/stations?types=courier_station');
    expect(r.body.features.length).toBeLessThan(all.body.features.length);
    const closed = await sql<{ code: string }>`SELECT code FROM stations WHERE status = 'temporarily_closed'`.execute(env.db.kysely);
    expect(closed.rows.length).toBeGreaterThan(0);
    const codes = new Set(r.body.features.map((f: any) => f.properties.code));
    for (const c of closed.rows) expect(codes.has(c.code)).toBe(false);
  });

  it('rejects unknown types, amenities and times with the valid choices named', async () => {
    expectError(await get('/api/stations?types=spaceport'), 400, /courier_station/);
    expectError(await get('/api/stations?amenities=jacuzzi'), 400, /water/);
    expectError(await get('/api/stations?open_at=yesterday'), 400, /open_at/);
    expectError(await get('/api/stations?open_now=perhaps'), 400, /open_now/);
  });

  it('GET /api/stations/:id and /api/station-types', async () => {
    const first = (await get('/api/stations')).body.features[0];
    const one = await get(`/api/stations/${first.properties.code}`);
    expect(one.body.id).toBe(first.id);
    expectError(await get('/api/stations/999999'), 404);
    const types = await get('/api/station-types');
    expect(types.body.types.map((t: any) => t.code)).toContain('courier_station');
    expect(types.body.amenities).toContain('first_aid');
  });
});

describe('GET /api/stations/nearest', () => {
  it('orders by geodesic distance, the same as PostGIS ST_Distance(geography)', async () => {
    const p = await pointInGrid();
    const r = await get(`/api/stations/nearest?lon=${p.lon}&lat=${p.lat}&limit=8&by=straight`);
    expect(r.body.by).toBe('straight');
    expect(r.status).toBe(200);
    const got = r.body.features.map((f: any) => [f.properties.code, f.properties.distance_m]);
    const expected = await sql<{ code: string; d: number }>`
      SELECT code, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(${p.lon}, ${p.lat}), 4326)::geography) AS d
        FROM stations ORDER BY d LIMIT 8`.execute(env.db.kysely);
    expect(got.map((g: any) => g[0])).toEqual(expected.rows.map((e) => e.code));
    got.forEach((g: any, i: number) => expect(g[1]).toBeCloseTo(expected.rows[i].d, 0));
    for (let i = 1; i < got.length; i++) expect(got[i][1]).toBeGreaterThanOrEqual(got[i - 1][1]);
  });

  it("by=straight answers with the schema's fields, each station as /api/stations/:id says, open_now as its hours say", async () => {
    // The straight-line answer is assembled from cached JSON bytes rather than the schema's
    // serialiser (server/nearest/present.ts, featureHead): check it against both.
    const p = await pointInGrid();
    const r = await get(`/api/stations/nearest?lon=${p.lon}&lat=${p.lat}&limit=12&by=straight`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect([...Value.Errors(NearestStations, r.body)]).toEqual([]);
    expect(Object.keys(r.body).sort()).toEqual(['by', 'evaluated_at', 'features', 'type']);
    expect(r.body.features).toHaveLength(12);
    const at = new Date(r.body.evaluated_at);
    for (const f of r.body.features) {
      const { open_now, next_change, distance_m, ...fixed } = f.properties;
      const one = (await get(`/api/stations/${f.properties.code}`)).body;
      const { open_now: _o, next_change: _n, ...oneFixed } = one.properties;
      expect({ ...f, properties: fixed }).toEqual({ ...one, properties: oneFixed });
      expect(open_now).toBe(f.properties.status === 'open' ? isOpenAt(f.properties.opening_hours, at, 'Asia/Shanghai') : false);
      // next_change: the state holds until that minute and flips at it (read with getState, not getNextChange).
      if (f.properties.status !== 'open' || f.properties.always_open || open_now === null) expect(next_change).toBeNull();
      else {
        expect(next_change).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\+08:00$/);
        const flip = new Date(next_change!);
        expect(flip.getTime()).toBeGreaterThan(at.getTime());
        expect(isOpenAt(f.properties.opening_hours, new Date(flip.getTime() - 60_000), 'Asia/Shanghai')).toBe(open_now);
        expect(isOpenAt(f.properties.opening_hours, flip, 'Asia/Shanghai')).toBe(!open_now);
      }
      expect(typeof distance_m).toBe('number');
    }
  });

  it('filters by type, amenity and open_now', async () => {
    const p = await pointInGrid();
    const r = await get(`/api/stations/nearest?lon=${p.lon}&lat=${p.lat}&type=courier_station&amenity=charging&open_at=2026-11-24T02:00&limit=3`);
    expect(r.status).toBe(200);
    expect(r.body.features.length).toBeGreaterThan(0);
    for (const f of r.body.features) {
      expect(f.properties.type).toBe('courier_station');
      expect(f.properties.amenities).toContain('charging');
      expect(f.properties.open_now).toBe(true);
    }
  });

  it('rejects out-of-range and missing coordinates', async () => {
    expectError(await get('/api/stations/nearest?lon=190&lat=38.9'), 400, /lon/);
    expectError(await get('/api/stations/nearest?lon=121.6&lat=-91'), 400, /lat/);
    expectError(await get('/api/stations/nearest?lon=121.6'), 400, /lat/);
    expectError(await get('/api/stations/nearest?lon=abc&lat=38.9'), 400, /lon/);
    expectError(await get('/api/stations/nearest?lon=121.6&lat=38.9&limit=0'), 400, /limit/);
    expectError(await get('/api/stations/nearest?lon=121.6&lat=38.9&type=nope'), 400, /nope/);
    expectError(await get('/api/stations/nearest?lon=121.6&lat=38.9&by=helicopter'), 400, /by/);
  });
});

describe('GET /api/locate', () => {
  it('names the grid, its leader, community, street and district', async () => {
    const p = await pointInGrid();
    const r = await get(`/api/locate?lon=${p.lon}&lat=${p.lat}`);
    expect(r.status).toBe(200);
    expect(r.body.found).toBe(true);
    expect(r.body.grid.code).toBe(p.code);
    expect(r.body.grid.leader_name).toBe(p.leader);
    expect(r.body.community.code).toBe(p.code.slice(0, 12));
    expect(r.body.street.code.slice(0, 9)).toBe(p.code.slice(0, 9));
    expect(r.body.district.code.slice(0, 6)).toBe(p.code.slice(0, 6));
  });

  it('outside the city: found=false and every level null', async () => {
    const r = await get('/api/locate?lon=0&lat=0');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ found: false, grid: null, community: null, street: null, district: null });
  });

  it('rejects bad coordinates', async () => {
    expectError(await get('/api/locate?lon=121.6&lat=95'), 400);
    expectError(await get('/api/locate?lat=38.9'), 400, /lon/);
  });
});

describe('GET /api/network', () => {
  it('returns the street edges in a bbox, major roads only on request', async () => {
    const b = (
      await sql<{
        b: number[];
      }>`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(geom)::geometry AS e FROM network_edges) x`.execute(
        env.db.kysely,
      )
    ).rows[0].b;
    const all = await get(`/api/network?bbox=${b.join(',')}`);
    expect(all.status).toBe(200);
    const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM network_edges WHERE walkable`.execute(env.db.kysely)).rows[0].n;
    expect(all.body.features).toHaveLength(n);
    const major = await get(`/api/network?bbox=${b.join(',')}&major=true`);
    expect(major.body.features.length).toBeGreaterThan(0);
    expect(major.body.features.length).toBeLessThan(n);
    expect(major.body.features.every((f: any) => ['primary', 'secondary', 'tertiary'].includes(f.properties.highway))).toBe(true);
    expectError(await get('/api/network'), 400, /bbox/);
    expectError(await get('/api/network?bbox=100,30,120,40'), 400, /过大|too large/);
  });

  it('overview=true: each major road merged into one feature, same length and names as its edges, far fewer features', async () => {
    const b = (
      await sql<{
        b: number[];
      }>`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(geom)::geometry AS e FROM network_edges) x`.execute(
        env.db.kysely,
      )
    ).rows[0].b;
    const major = (await get(`/api/network?bbox=${b.join(',')}&major=true`)).body.features;
    const overview = await get(`/api/network?bbox=${b.join(',')}&overview=true`);
    expect(overview.status).toBe(200);
    const roads = overview.body.features;
    expect(roads.length).toBeGreaterThan(0);
    expect(roads.length).toBeLessThan(major.length / 3);
    // Every major edge is in exactly one road: lengths and edge counts add up, per class and name.
    const key = (p: any) => `${p.highway}|${p.name}`;
    const edges = new Map<string, { n: number; m: number }>();
    for (const f of major) {
      const e = edges.get(key(f.properties)) ?? { n: 0, m: 0 };
      edges.set(key(f.properties), { n: e.n + 1, m: e.m + f.properties.length_m });
    }
    expect(new Set(roads.map((f: any) => key(f.properties))).size).toBe(roads.length);
    expect(new Set(roads.map((f: any) => key(f.properties)))).toEqual(new Set(edges.keys()));
    for (const f of roads) {
      expect(['LineString', 'MultiLineString']).toContain(f.geometry.type);
      expect(f.properties.edges).toBe(edges.get(key(f.properties))!.n);
      expect(f.properties.length_m).toBeCloseTo(edges.get(key(f.properties))!.m, 0);
    }
    // Merged and simplified: fewer vertices than the edges had.
    const vertices = (fs: any[]) => fs.reduce((n, f) => n + JSON.stringify(f.geometry.coordinates).split('],[').length, 0);
    expect(vertices(roads)).toBeLessThan(vertices(major));
    // A bbox too large for the edges is fine for the overview, up to 25 square degrees.
    expect((await get('/api/network?bbox=119,37,123,41&overview=true')).status).toBe(200);
    expectError(await get('/api/network?bbox=100,30,120,40&overview=true'), 400, /过大|too large/);
  });
});

describe('docs and errors', () => {
  it('serves an OpenAPI document listing every route', async () => {
    const r = await get('/docs/json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(['/api/health', '/api/admin/tree', '/api/grids/', '/api/grids/{id}', '/api/stations', '/api/stations/nearest', '/api/locate']),
    );
    const page = await env.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
  });

  it('unknown routes get a bilingual 404', async () => {
    expectError(await get('/api/nowhere'), 404, /没有这个地址/);
  });

  it('serves a page at / (the map when built, else a landing page naming the data set)', async () => {
    const r = await env.app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toContain('生活圈');
  });
});

describe('answers and their schemas (server/schemas)', () => {
  const valid = (schema: TSchema, body: unknown) => expect([...Value.Errors(schema, body)].map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);

  it('every read answer validates against its route’s response schema', async () => {
    const p = await pointInGrid();
    const bbox = `${p.lon - 0.01},${p.lat - 0.01},${p.lon + 0.01},${p.lat + 0.01}`;
    const cases: [TSchema, string][] = [
      [Health, '/api/health'],
      [MapConfig, '/api/map/config'],
      [Boundaries, '/api/admin/boundaries?level=district'],
      [Located, `/api/locate?lon=${p.lon}&lat=${p.lat}`],
      [GridCollection, `/api/grids?bbox=${bbox}`],
      [GridCollection, `/api/grids?bbox=${bbox}&simplify=10`],
      [GridFeature, `/api/grids/${p.code}`],
      [StationTypes, '/api/station-types'],
      [StationCollection, '/api/stations'],
      [StationFeature, `/api/stations/1`],
      [NearestStations, `/api/stations/nearest?lon=${p.lon}&lat=${p.lat}&by=walk`],
      [Network, `/api/network?bbox=${bbox}`],
      [Network, `/api/network?bbox=${bbox}&overview=true`],
      [CoverageGeoJson, `/api/coverage?bbox=${bbox}`],
      [CoverageStats, '/api/coverage?format=stats&mode=radius&radius=500'],
      [CoverageStats, '/api/coverage?format=stats&level=street'],
      [CoverageShares, `/api/coverage?format=shares&bbox=${bbox}`],
      [RankedGaps, '/api/coverage/gaps?limit=20'],
      [Isochrone, `/api/isochrone?lon=${p.lon}&lat=${p.lat}&minutes=5`],
    ];
    for (const [schema, url] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      valid(schema, r.body);
    }
    // Not vacuous: features with geometry were checked.
    expect((await get(`/api/coverage/gaps?limit=5`)).body.features[0].geometry.type).toBe('MultiPolygon');
  });

  it('an import report is sent whole: each reader’s `info` (Shapefile, table, none) as the importer made it', async () => {
    const token = await login(env.app, 'admin');
    const root = new URL('../geodata/fixtures/', import.meta.url);
    const files: [string, string, 'shapefile' | 'csv' | 'geojson', 'grids' | 'stations'][] = [
      ['formats/grids.wgs84.gbk.shp.zip', 'application/zip', 'shapefile', 'grids'],
      ['formats/stations.wgs84.en.csv', 'text/csv', 'csv', 'stations'],
      ['stations.wgs84.geojson', 'application/geo+json', 'geojson', 'stations'],
    ];
    const kinds = new Set<string>();
    for (const [name, type, format, kind] of files) {
      const bytes = readFileSync(new URL(name, root));
      const r = await env.app.inject({
        method: 'POST',
        url: `/api/imports/${kind}?dry_run=true`,
        headers: { ...bearer(token), 'content-type': type },
        payload: bytes,
      });
      expect(r.statusCode, name).toBe(200);
      valid(ImportReport, r.json());
      const direct = await importFile(env.db, format, new Uint8Array(bytes), kind, { crs: 'wgs84', dryRun: true, by: 'admin' });
      expect(r.json()).toEqual(JSON.parse(JSON.stringify(direct)));
      kinds.add(Object.keys(direct.info).sort().join(','));
    }
    expect(kinds.size).toBe(3);
  });

  it('an edit answer, a grid’s and a station’s history validate, recorded properties whole', async () => {
    const auth = bearer(await login(env.app, 'admin'));
    const grid = (await get('/api/grids?limit=1')).body.features[0].properties;
    const dry = await env.app.inject({
      method: 'PATCH',
      url: `/api/grids/${grid.id}?dry_run=true`,
      headers: { ...auth, 'if-match': `"${grid.version}"` },
      payload: { leader_phone: '0411-1234' },
    });
    expect(dry.statusCode).toBe(200);
    valid(EditResponse, dry.json());
    expect(dry.json().impact.coverage.length).toBeGreaterThan(0);
    // A real change (sending the stored value back is a no-op that writes no history).
    const saved = await env.app.inject({
      method: 'PATCH',
      url: `/api/grids/${grid.id}`,
      headers: { ...auth, 'if-match': `"${grid.version}"` },
      payload: { leader_phone: '0411-1234' },
    });
    expect(saved.statusCode).toBe(200);
    const gh = (await env.app.inject({ url: `/api/grids/${grid.id}/history`, headers: auth })).json();
    valid(GridHistory, gh);
    const gRow = await sql<{ after_props: unknown }>`SELECT after_props FROM grid_history WHERE grid_id = ${grid.id} ORDER BY version DESC LIMIT 1`.execute(
      env.db.kysely,
    );
    expect(gh.entries[0].after_props).toEqual(gRow.rows[0].after_props);

    const station = (await get('/api/stations/1')).body.properties;
    const moved = await env.app.inject({
      method: 'PATCH',
      url: `/api/stations/${station.id}`,
      headers: { ...auth, 'if-match': `"${station.version}"` },
      payload: { phone: station.phone },
    });
    expect(moved.statusCode).toBe(200);
    const sh = (await env.app.inject({ url: `/api/stations/${station.id}/history`, headers: auth })).json();
    valid(StationHistory, sh);
    const sRow = await sql<{
      after_props: unknown;
    }>`SELECT after_props FROM station_history WHERE station_id = ${station.id} ORDER BY version DESC LIMIT 1`.execute(env.db.kysely);
    expect(sh.entries[0].after_props).toEqual(sRow.rows[0].after_props);
  });
});
