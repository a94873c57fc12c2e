/** Administrative units: the district → street → community tree and point location. */
import { sql, type Kysely } from 'kysely';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Database } from './schema.js';
import { point, SERVED_DECIMALS } from './st.js';
import { toleranceDeg } from '../geo/measure.js';

export interface UnitCounts {
  grids: number;
  population: number;
  households: number;
  stations: number;
  area_m2: number;
}

export interface CommunityNode extends UnitCounts {
  code: string;
  name: string;
}
export interface StreetNode extends UnitCounts {
  code: string;
  name: string;
  communities: CommunityNode[];
}
export interface DistrictNode extends UnitCounts {
  code: string;
  name: string;
  streets: StreetNode[];
}

/** The whole tree with per-unit counts, summed upwards from communities. */
export async function adminTree(db: Kysely<Database>): Promise<DistrictNode[]> {
  const [districts, streets, communities] = await Promise.all([
    db.selectFrom('districts').select(['id', 'code', 'name']).orderBy('code').execute(),
    db.selectFrom('streets').select(['id', 'code', 'name', 'district_id']).orderBy('code').execute(),
    sql<{
      id: number;
      code: string;
      name: string;
      street_id: number;
      grids: number;
      population: number;
      households: number;
      stations: number;
      area_m2: number;
    }>`
      SELECT c.id, c.code, c.name, c.street_id,
             (SELECT count(*)::int FROM grids g WHERE g.community_id = c.id AND g.deleted_at IS NULL) AS grids,
             (SELECT coalesce(sum(g.population), 0)::int FROM grids g WHERE g.community_id = c.id AND g.deleted_at IS NULL) AS population,
             (SELECT coalesce(sum(g.households), 0)::int FROM grids g WHERE g.community_id = c.id AND g.deleted_at IS NULL) AS households,
             (SELECT count(*)::int FROM stations s WHERE s.deleted_at IS NULL AND ST_Intersects(s.geom, c.boundary)) AS stations,
             ST_Area(c.boundary::geography) AS area_m2
        FROM communities c ORDER BY c.code`
      .execute(db)
      .then((r) => r.rows),
  ]);
  const zero = (): UnitCounts => ({ grids: 0, population: 0, households: 0, stations: 0, area_m2: 0 });
  const add = (a: UnitCounts, b: UnitCounts) => {
    a.grids += b.grids;
    a.population += b.population;
    a.households += b.households;
    a.stations += b.stations;
    a.area_m2 += b.area_m2;
  };
  const streetNodes = new Map<number, StreetNode>();
  const districtNodes = new Map<number, DistrictNode>();
  for (const d of districts) districtNodes.set(d.id, { code: d.code, name: d.name, ...zero(), streets: [] });
  for (const s of streets) {
    const node: StreetNode = { code: s.code, name: s.name, ...zero(), communities: [] };
    streetNodes.set(s.id, node);
    districtNodes.get(s.district_id)?.streets.push(node);
  }
  for (const c of communities) {
    const node: CommunityNode = {
      code: c.code,
      name: c.name,
      grids: c.grids,
      population: c.population,
      households: c.households,
      stations: c.stations,
      area_m2: c.area_m2,
    };
    streetNodes.get(c.street_id)?.communities.push(node);
  }
  for (const d of districtNodes.values()) {
    for (const s of d.streets) {
      for (const c of s.communities) add(s, c);
      add(d, s);
    }
  }
  return [...districtNodes.values()];
}

export interface LocateRow {
  grid_id: number | null;
  grid_code: string | null;
  grid_name: string | null;
  leader_name: string | null;
  leader_phone: string | null;
  party_branch: string | null;
  community_code: string | null;
  community_name: string | null;
  street_code: string | null;
  street_name: string | null;
  district_code: string | null;
  district_name: string | null;
}

/**
 * Who is responsible at this point: the containing grid and its community, street, district.
 * Each level is looked up on its own boundary, so a point outside every grid (or in a hole)
 * still gets its community/street when those contain it.
 */
export async function locate(db: Kysely<Database>, lon: number, lat: number): Promise<LocateRow> {
  const p = point(lon, lat);
  const r = await sql<LocateRow>`
    WITH g AS (
      SELECT id, code, name, leader_name, leader_phone, party_branch, community_id FROM grids
       WHERE deleted_at IS NULL AND ST_Intersects(boundary, ${p}) ORDER BY id LIMIT 1
    ), c AS (
      SELECT id, code, name, street_id FROM communities
       WHERE id = (SELECT community_id FROM g) OR (NOT EXISTS (SELECT 1 FROM g) AND ST_Intersects(boundary, ${p}))
       ORDER BY id LIMIT 1
    ), s AS (
      SELECT id, code, name, district_id FROM streets
       WHERE id = (SELECT street_id FROM c) OR (NOT EXISTS (SELECT 1 FROM c) AND ST_Intersects(boundary, ${p}))
       ORDER BY id LIMIT 1
    ), d AS (
      SELECT id, code, name FROM districts
       WHERE id = (SELECT district_id FROM s) OR (NOT EXISTS (SELECT 1 FROM s) AND ST_Intersects(boundary, ${p}))
       ORDER BY id LIMIT 1
    )
    SELECT g.id AS grid_id, g.code AS grid_code, g.name AS grid_name, g.leader_name, g.leader_phone, g.party_branch,
           c.code AS community_code, c.name AS community_name,
           s.code AS street_code, s.name AS street_name,
           d.code AS district_code, d.name AS district_name
      FROM (SELECT 1) one
      LEFT JOIN g ON true LEFT JOIN c ON true LEFT JOIN s ON true LEFT JOIN d ON true`.execute(db);
  return r.rows[0];
}

/** The database server's PostgreSQL and PostGIS versions (health). */
export async function databaseVersions(db: Kysely<Database>): Promise<{ pg: string; postgis: string }> {
  const v = await sql<{ pg: string; postgis: string }>`SELECT current_setting('server_version') AS pg, postgis_lib_version() AS postgis`.execute(db);
  return v.rows[0];
}

export async function datasetCounts(db: Kysely<Database>) {
  const r = await sql<Record<string, number>>`
    SELECT (SELECT count(*)::int FROM districts) AS districts,
           (SELECT count(*)::int FROM streets) AS streets,
           (SELECT count(*)::int FROM communities) AS communities,
           (SELECT count(*)::int FROM grids WHERE deleted_at IS NULL) AS grids,
           (SELECT count(*)::int FROM stations WHERE deleted_at IS NULL) AS stations,
           (SELECT count(*)::int FROM network_nodes) AS network_nodes,
           (SELECT count(*)::int FROM network_edges) AS network_edges`.execute(db);
  return r.rows[0];
}

export type AdminLevel = 'district' | 'street' | 'community';
const TABLE_OF_LEVEL = { district: 'districts', street: 'streets', community: 'communities' } as const;

/** Outlines of one admin level as GeoJSON features (optionally simplified, metres). */
export async function adminBoundaries(db: Kysely<Database>, level: AdminLevel, simplifyM?: number) {
  // Degrees from metres as in grids.repository: a display tolerance, topology kept per unit.
  const g = simplifyM ? sql`ST_SimplifyPreserveTopology(boundary, ${toleranceDeg(simplifyM)})` : sql`boundary`;
  // Coordinates no finer than the tolerance: 5 decimals (≈ 1 m) once simplified by 5 m or more,
  // 6 when simplified less; unsimplified, the stored polygon exactly (the storage grid's 9 decimals).
  const decimals = simplifyM && simplifyM >= 5 ? 5 : simplifyM ? 6 : SERVED_DECIMALS;
  const r = await sql<{ code: string; name: string; geometry: Polygon | MultiPolygon }>`
    SELECT code, name, ST_AsGeoJSON(${g}, ${sql.lit(decimals)})::json AS geometry FROM ${sql.table(TABLE_OF_LEVEL[level])} ORDER BY code`.execute(db);
  return r.rows.map((row) => ({ type: 'Feature' as const, geometry: row.geometry, properties: { code: row.code, name: row.name, level } }));
}
