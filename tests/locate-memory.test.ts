/**
 * /api/locate answers from memory when a grid clearly contains the point: the same answer as the
 * PostGIS query (server/db/admin.repository.ts locate), for random points, points on shared
 * borders and vertices (which go to PostGIS), outside every grid, and after a grid edit.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Polygon } from 'geojson';
import { locate } from '../server/db/admin.repository.js';
import { useTestApp } from './helpers/db.js';
import { queriesDuring } from './helpers/queries.js';

const env = useTestApp();

async function viaSql(lon: number, lat: number) {
  const r = await locate(env.db.kysely, lon, lat);
  const unit = (code: string | null, name: string | null) => (code ? { code, name } : null);
  return {
    lon,
    lat,
    found: r.grid_id !== null,
    grid:
      r.grid_id !== null
        ? { id: r.grid_id, code: r.grid_code, name: r.grid_name, leader_name: r.leader_name, leader_phone: r.leader_phone, party_branch: r.party_branch }
        : null,
    community: unit(r.community_code, r.community_name),
    street: unit(r.street_code, r.street_name),
    district: unit(r.district_code, r.district_name),
  };
}

async function viaApi(lon: number, lat: number) {
  const r = await env.app.inject(`/api/locate?lon=${lon}&lat=${lat}`);
  expect(r.statusCode).toBe(200);
  return r.json();
}

/** Whether one of the queries is the PostGIS locate (server/db/admin.repository.ts): grids that intersect the point. */
const isSqlLocate = ({ sql: q }: { sql: string }) => /FROM grids\s+WHERE deleted_at IS NULL AND ST_Intersects\(boundary/.test(q);

describe('GET /api/locate from memory', () => {
  it('answers a point well inside a grid without asking PostGIS, with a grid that contains the point; a border point does ask', async () => {
    // Independently of the locator: points at least ~1 m inside their grid, chosen by PostGIS.
    const inside = await sql<{ id: number; lon: number; lat: number }>`
      SELECT id, ST_X(p) AS lon, ST_Y(p) AS lat FROM (
        SELECT id, boundary, ST_PointOnSurface(boundary) AS p FROM grids WHERE deleted_at IS NULL ORDER BY id LIMIT 30) x
       WHERE ST_Distance(ST_Boundary(boundary), p) > 1e-5`.execute(env.db.kysely);
    expect(inside.rows.length).toBeGreaterThan(20);
    const polygons = new Map(
      (await sql<{ id: number; g: Polygon }>`SELECT id, ST_AsGeoJSON(boundary)::json AS g FROM grids WHERE deleted_at IS NULL`.execute(env.db.kysely)).rows.map(
        (r) => [r.id, r.g],
      ),
    );
    await viaApi(inside.rows[0]!.lon, inside.rows[0]!.lat); // loads the in-memory locator
    for (const g of inside.rows) {
      const { result: api, queries } = await queriesDuring(env.db.kysely, () => viaApi(g.lon, g.lat));
      expect(queries.filter(isSqlLocate), `${g.lon},${g.lat}`).toEqual([]);
      expect(api.grid.id).toBe(g.id);
      // The answer checked against the question: the returned grid's polygon contains the point.
      expect(booleanPointInPolygon([g.lon, g.lat], polygons.get(api.grid.id)!)).toBe(true);
    }
    // The detector itself: a shared vertex is 'unsure' in memory, so that answer comes from PostGIS.
    const v = (
      await sql<{
        lon: number;
        lat: number;
      }>`SELECT ST_X(p) lon, ST_Y(p) lat FROM (SELECT ST_PointN(ST_ExteriorRing(boundary), 1) p FROM grids ORDER BY id LIMIT 1) x`.execute(env.db.kysely)
    ).rows[0]!;
    const border = await queriesDuring(env.db.kysely, () => viaApi(v.lon, v.lat));
    expect(border.queries.filter(isSqlLocate)).toHaveLength(1);
  });

  it('equals PostGIS for random points, border and vertex points, and points outside the city', async () => {
    const b = (
      await sql<{
        b: number[];
      }>`SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] AS b FROM (SELECT ST_Extent(boundary)::geometry AS e FROM grids) x`.execute(env.db.kysely)
    ).rows[0]!.b;
    const pts: [number, number][] = [];
    let seed = 99;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    // Random points over the grids' extent and a margin around it.
    for (let i = 0; i < 150; i++) {
      const m = 0.1 * (b[2]! - b[0]!);
      pts.push([b[0]! - m + rnd() * (b[2]! - b[0]! + 2 * m), b[1]! - m + rnd() * (b[3]! - b[1]! + 2 * m)]);
    }
    // Vertices and edge midpoints of some grids: on the boundary of two or more grids.
    const onBorders = await sql<{ lon: number; lat: number }>`
      SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
        SELECT (ST_DumpPoints(boundary)).geom AS p FROM grids WHERE id IN (SELECT id FROM grids ORDER BY id LIMIT 8)
        UNION ALL
        SELECT ST_LineInterpolatePoint(ST_ExteriorRing(boundary), 0.37) FROM grids WHERE id IN (SELECT id FROM grids ORDER BY id LIMIT 40)
      ) x LIMIT 120`.execute(env.db.kysely);
    for (const p of onBorders.rows) pts.push([p.lon, p.lat]);
    let found = 0;
    for (const [lon, lat] of pts) {
      const api = await viaApi(lon, lat);
      expect(api, `${lon},${lat}`).toEqual(await viaSql(api.lon, api.lat));
      if (api.found) found++;
    }
    expect(found).toBeGreaterThan(100);
  });

  it('follows a grid edit (new leader) made through SQL once the data is re-checked', async () => {
    const g = (
      await sql<{
        id: number;
        lon: number;
        lat: number;
      }>`SELECT id, ST_X(ST_PointOnSurface(boundary)) AS lon, ST_Y(ST_PointOnSurface(boundary)) AS lat FROM grids ORDER BY id OFFSET 3 LIMIT 1`.execute(
        env.db.kysely,
      )
    ).rows[0]!;
    await viaApi(g.lon, g.lat);
    await sql`UPDATE grids SET party_branch = 'memo test branch', leader_name = 'memo test', version = version + 1 WHERE id = ${g.id}`.execute(env.db.kysely);
    env.app.city.invalidate();
    const after = await viaApi(g.lon, g.lat);
    expect(after.grid).toMatchObject({ id: g.id, party_branch: 'memo test branch', leader_name: 'memo test' });
    expect(after).toEqual(await viaSql(after.lon, after.lat));
  });
});
