/**
 * Served precision = stored precision (either engine), on the seeded sample city after real border
 * edits (a bulged shared border puts new vertices, and the overlay's crossings, into two grids):
 * every polygon the API and the exports serve is valid (PostGIS says so), is on the 1e-9° storage
 * grid, and round-trips — GET → unchanged PATCH is a no-op (200, no new version, nothing written);
 * export → import reports "unchanged" for every grid in WGS84, GCJ-02 and BD-09.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Polygon } from 'geojson';
import { importFile } from '../server/import/pipeline/import-file.js';
import { convertGeometry } from '../server/import/crs.js';
import { databaseChecksum } from './helpers/checksum.js';
import { bearer, bulgeEdge, liveGrids, login, sharedEdge } from './helpers/editing.js';
import { useTestApp } from './helpers/db.js';
import { ROOT } from './helpers/template.js';

const env = useTestApp();
let auth: Record<string, string> = {};
let edited: number[] = [];

/** PostGIS's verdict on many polygons: indexes of the invalid ones. */
async function invalidOnes(polygons: Polygon[]): Promise<number[]> {
  const r = await sql<{ i: number }>`
    SELECT (t.ord - 1)::int AS i FROM jsonb_array_elements(${JSON.stringify(polygons)}::jsonb) WITH ORDINALITY AS t(e, ord)
     WHERE NOT ST_IsValid(ST_SetSRID(ST_GeomFromGeoJSON(t.e::text), 4326))`.execute(env.db.kysely);
  return r.rows.map((x) => x.i);
}

const onGrid = (g: Polygon) => g.coordinates.every((ring) => ring.every((p) => p.every((v) => Math.abs(v * 1e9 - Math.round(v * 1e9)) < 1e-3)));

beforeAll(async () => {
  auth = bearer(await login(env.app, 'admin'));
  // Border edits: three shared borders bulged by odd fractions (vertices nowhere near a round number).
  const grids = await liveGrids(env.db);
  for (const [start, fraction] of [
    [0, 0.1234567],
    [40, 0.0876543],
    [90, 0.1111111],
  ] as const) {
    const { grid, neighbour, index } = sharedEdge(await liveGrids(env.db), undefined, start);
    const r = await env.app.inject({
      method: 'PATCH',
      url: `/api/grids/${grid.id}`,
      headers: { ...auth, 'if-match': String(grid.version) },
      payload: { geometry: bulgeEdge(grid, index, neighbour, fraction) },
    });
    expect(r.statusCode, r.body).toBe(200);
    edited.push(...r.json().changes.map((c: any) => c.grid_id));
  }
  edited = [...new Set(edited)];
  expect(edited.length).toBeGreaterThanOrEqual(4);
  expect(grids.length).toBeGreaterThan(100);
}, 120_000);

describe('served = stored', () => {
  it('every grid /api/grids serves is valid and on the storage grid, the edited ones too', async () => {
    const fc = (await env.get('/api/grids?limit=20000')).body;
    const polygons: Polygon[] = fc.features.map((f: any) => f.geometry);
    expect(polygons.length).toBeGreaterThan(100);
    expect(await invalidOnes(polygons)).toEqual([]);
    expect(polygons.filter((g) => !onGrid(g))).toEqual([]);
    // What is served is what is stored, exactly.
    const stored = await sql<{ id: number; same: boolean }>`
      SELECT t.id, ST_OrderingEquals(g.boundary, ST_SetSRID(ST_GeomFromGeoJSON(t.g::text), 4326)) AS same
        FROM jsonb_to_recordset(${JSON.stringify(fc.features.map((f: any) => ({ id: f.properties.id, g: f.geometry })))}::jsonb) AS t(id int, g jsonb)
        JOIN grids g ON g.id = t.id`.execute(env.db.kysely);
    expect(stored.rows.filter((r) => !r.same).map((r) => r.id)).toEqual([]);
  });

  it('GET → unchanged PATCH of each edited grid is a no-op: 200, no new version, nothing written', async () => {
    const before = await databaseChecksum(env.db, { except: ['sessions'] });
    for (const id of edited) {
      const g = (await env.get(`/api/grids/${id}`)).body;
      for (const dry of [true, false]) {
        const r = await env.app.inject({
          method: 'PATCH',
          url: `/api/grids/${id}${dry ? '?dry_run=true' : ''}`,
          headers: { ...auth, 'if-match': String(g.properties.version) },
          payload: { geometry: g.geometry },
        });
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json().changes).toEqual([]);
        expect(r.json().warnings.map((w: any) => w.code)).toEqual(['unchanged']);
      }
    }
    expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
  });

  it('a PATCH that does change something still makes a new version', async () => {
    const g = (await env.get(`/api/grids/${edited[0]}`)).body;
    const r = await env.app.inject({
      method: 'PATCH',
      url: `/api/grids/${edited[0]}?dry_run=true`,
      headers: { ...auth, 'if-match': String(g.properties.version) },
      payload: { geometry: g.geometry, name: `${g.properties.name}（改）` },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().changes[0].version_after).toBe(g.properties.version + 1);
  });

  it.each(['wgs84', 'gcj02', 'bd09'] as const)('grids exported as GeoJSON in %s are valid and import back "unchanged", every one', async (crs) => {
    const res = await env.app.inject(`/api/export/grids?format=geojson&crs=${crs}`);
    expect(res.statusCode).toBe(200);
    const fc = res.json();
    // Valid as served (in the system they are written in) and back in WGS84.
    expect(await invalidOnes(fc.features.map((f: any) => f.geometry))).toEqual([]);
    expect(await invalidOnes(fc.features.map((f: any) => convertGeometry(f.geometry, crs, 'wgs84')))).toEqual([]);
    const before = await databaseChecksum(env.db, { except: ['sessions'] });
    const r = await importFile(env.db, 'geojson', res.rawPayload, 'grids', { crs, dryRun: false });
    expect(r.rejected).toEqual([]);
    expect(r.repairs).toEqual([]);
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: fc.features.length });
    expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
  });

  it('admin boundaries are served exactly as stored and valid', async () => {
    for (const level of ['district', 'street', 'community']) {
      const fc = (await env.get(`/api/admin/boundaries?level=${level}`)).body;
      const r = await sql<{ code: string; same: boolean; valid: boolean }>`
        SELECT t.code, ST_OrderingEquals(u.boundary, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(t.g::text), 4326))) AS same, ST_IsValid(ST_SetSRID(ST_GeomFromGeoJSON(t.g::text), 4326)) AS valid
          FROM jsonb_to_recordset(${JSON.stringify(fc.features.map((f: any) => ({ code: f.properties.code, g: f.geometry })))}::jsonb) AS t(code text, g jsonb)
          JOIN ${sql.table(`${level === 'community' ? 'communities' : `${level}s`}`)} u ON u.code = t.code`.execute(env.db.kysely);
      expect(r.rows.length).toBe(fc.features.length);
      expect(r.rows.filter((x) => !x.same || !x.valid)).toEqual([]);
    }
  });
});

describe('migration 005 (rows written before the storage grid)', () => {
  it('puts an off-grid, clockwise grid on the grid counter-clockwise, version untouched', async () => {
    const g = (await liveGrids(env.db))[5];
    // As an older version stored it: 15 significant decimals, clockwise.
    await sql`UPDATE grids SET boundary = ST_ForcePolygonCW(ST_Translate(boundary, 1.234e-11, -3.21e-11)) WHERE id = ${g.id}`.execute(env.db.kysely);
    const before = (
      await sql<{
        version: number;
        ccw: boolean;
      }>`SELECT version, ST_OrderingEquals(boundary, ST_ForcePolygonCCW(boundary)) AS ccw FROM grids WHERE id = ${g.id}`.execute(env.db.kysely)
    ).rows[0];
    expect(before.ccw).toBe(false);
    await env.db.execScript(readFileSync(path.join(ROOT, 'sql/migrations/005_polygons_on_storage_grid.sql'), 'utf8'));
    const after = (
      await sql<{
        version: number;
        ccw: boolean;
        g: Polygon;
        valid: boolean;
      }>`SELECT version, ST_OrderingEquals(boundary, ST_ForcePolygonCCW(boundary)) AS ccw, ST_AsGeoJSON(boundary, 15)::json AS g, ST_IsValid(boundary) AS valid FROM grids WHERE id = ${g.id}`.execute(
        env.db.kysely,
      )
    ).rows[0];
    expect(after).toMatchObject({ version: before.version, ccw: true, valid: true });
    expect(onGrid(after.g)).toBe(true);
  });
});
