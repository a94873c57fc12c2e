/**
 * The SQL of grid edits, one named function per statement. Geometry work is done by PostGIS (GEOS)
 * inside the edit's transaction; geometries travel between statements as hex EWKB so no precision
 * is lost on the way.
 */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { LineString, Polygon } from 'geojson';
import type { Database, GridOperation } from '../../db/schema.js';
import { onStorageGrid } from '../../db/st.js';
import { geometryFailed } from './messages.js';
import type { GridAttributes, GridState } from './types.js';

/**
 * Overlays run with GEOS's fixed-precision mode on a 1e-9° grid (≈ 0.1 mm): results are then
 * robust (floating overlays of nearly coincident borders can fail, and under PGlite such a
 * failure came back as an empty result rather than an error), and all vertices of both sides of
 * a border land on the same grid.
 */
export const GRID = sql.lit(1e-9);

export const geom = (hex: string): RawBuilder<unknown> => sql`ST_GeomFromEWKB(decode(${hex}, 'hex'))`;
export const hexOf = (g: RawBuilder<unknown>) => sql<string>`encode(ST_AsEWKB(${g}), 'hex')`;
const polygonHexSql = (polygon: Polygon) => sql<string>`encode(ST_AsEWKB(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(polygon)}), 4326)), 'hex')`;

export async function one<T>(tx: Transaction<Database>, q: RawBuilder<T>): Promise<T> {
  const rows = (await q.execute(tx)).rows;
  // A single-row query that returns nothing means a geometry operation failed inside PostGIS
  // (seen under PGlite, which can lose the GEOS exception): refuse the edit, write nothing.
  if (!rows.length) throw geometryFailed();
  return rows[0] as T;
}

/** Serialises edits per street for the rest of the transaction (ids sorted: no deadlocks). */
export async function lockStreets(tx: Transaction<Database>, streetIds: number[]): Promise<void> {
  for (const id of [...new Set(streetIds)].sort((a, b) => a - b)) {
    await sql`SELECT pg_advisory_xact_lock(7071, ${id}::int)`.execute(tx);
  }
}

const stateColumns = sql`g.id, g.code, g.name, g.community_id, c.code AS community_code, c.street_id, g.leader_name, g.leader_phone, g.party_branch,
  g.population, g.households, g.version, (g.deleted_at IS NOT NULL) AS deleted,
  encode(ST_AsEWKB(g.boundary), 'hex') AS geom, ST_Area(g.boundary::geography) AS area_m2`;

export async function gridState(tx: Transaction<Database>, id: number, lock: boolean): Promise<GridState | undefined> {
  const r =
    await sql<GridState>`SELECT ${stateColumns} FROM grids g JOIN communities c ON c.id = g.community_id WHERE g.id = ${id} ${lock ? sql`FOR UPDATE OF g` : sql``}`.execute(
      tx,
    );
  return r.rows[0];
}

/** The live grids of a street near `area` (but not `excluded`), locked, by id. */
export async function gridsNear(tx: Transaction<Database>, area: RawBuilder<unknown>, streetId: number, excluded: number[]): Promise<GridState[]> {
  return (
    await sql<GridState>`
      SELECT ${stateColumns} FROM grids g JOIN communities c ON c.id = g.community_id
       WHERE g.deleted_at IS NULL AND c.street_id = ${streetId} AND NOT (g.id = ANY(${excluded}::int[]))
         AND g.boundary && ST_Expand(${area}, 1e-6) AND ST_DWithin(g.boundary, ${area}, 1e-7)
       ORDER BY g.id FOR UPDATE OF g`.execute(tx)
  ).rows;
}

export async function geoJson(tx: Transaction<Database>, hex: string): Promise<Polygon> {
  return (await one(tx, sql<{ g: Polygon }>`SELECT ST_AsGeoJSON(${geom(hex)}, 9)::json AS g`)).g;
}

/** A stored geometry as a counter-clockwise GeoJSON polygon (full precision), as an edit sends it. */
export async function geoJsonCcw(tx: Transaction<Database>, hex: string): Promise<Polygon> {
  return (await one(tx, sql<{ g: Polygon }>`SELECT ST_AsGeoJSON(ST_ForcePolygonCCW(${geom(hex)}), 15)::json AS g`)).g;
}

export async function polygonHex(tx: Transaction<Database>, polygon: Polygon): Promise<string> {
  return (await one(tx, sql<{ hex: string }>`SELECT ${polygonHexSql(polygon)} AS hex`)).hex;
}

/** Whether a valid polygon `a` covers exactly the points of `b` (vertex order and start aside); false when `a` is invalid. */
export async function sameShape(tx: Transaction<Database>, a: string, b: string): Promise<boolean> {
  return (await one(tx, sql<{ eq: boolean }>`SELECT CASE WHEN ST_IsValid(${geom(a)}) THEN ST_Equals(${geom(a)}, ${geom(b)}) ELSE false END AS eq`)).eq;
}

export async function validityDetail(tx: Transaction<Database>, hex: string) {
  return one(
    tx,
    sql<{ valid: boolean; reason: string | null; x: number | null; y: number | null }>`
      SELECT (d).valid, (d).reason, ST_X((d).location) AS x, ST_Y((d).location) AS y FROM (SELECT ST_IsValidDetail(${geom(hex)}) AS d) t`,
  );
}

/** Area of P, and how much of it (and a point of that part) lies outside the street and the community. */
export async function placementAreas(tx: Transaction<Database>, p: string, streetId: number, communityId: number) {
  return one(
    tx,
    sql<{ area: number; outside_street: number; outside_community: number; sx: number; sy: number; cx: number; cy: number }>`
      WITH p AS (SELECT ${geom(p)} AS g),
           s AS (SELECT boundary FROM streets WHERE id = ${streetId}),
           c AS (SELECT boundary FROM communities WHERE id = ${communityId}),
           ds AS (SELECT ST_Difference(p.g, s.boundary, ${GRID}) AS d FROM p, s),
           dc AS (SELECT ST_Difference(p.g, c.boundary, ${GRID}) AS d FROM p, c)
      SELECT ST_Area(p.g::geography) AS area,
             ST_Area(ds.d::geography) AS outside_street, ST_Area(dc.d::geography) AS outside_community,
             ST_X(ST_PointOnSurface(ds.d)) AS sx, ST_Y(ST_PointOnSurface(ds.d)) AS sy,
             ST_X(ST_PointOnSurface(dc.d)) AS cx, ST_Y(ST_PointOnSurface(dc.d)) AS cy
        FROM p, ds, dc`,
  );
}

/** Other streets P reaches into, with the area it covers there. */
export async function otherStreetsUnder(tx: Transaction<Database>, p: string, streetId: number) {
  return (
    await sql<{ id: number; code: string; name: string; area: number }>`
        SELECT s.id, s.code, s.name, ST_Area(ST_Intersection(${geom(p)}, s.boundary, ${GRID})::geography) AS area
          FROM streets s WHERE s.id <> ${streetId} AND ST_Intersects(${geom(p)}, s.boundary)`.execute(tx)
  ).rows;
}

/** A polygon without interior rings smaller than `minHoleM2` (floating-point slivers of a union). */
const dropTinyHoles = (g: RawBuilder<unknown>, minHoleM2: number) => sql`(
  SELECT CASE WHEN ST_NumInteriorRings(x.g) = 0 THEN x.g ELSE ST_MakePolygon(ST_ExteriorRing(x.g),
    ARRAY(SELECT ST_InteriorRingN(x.g, n) FROM generate_series(1, ST_NumInteriorRings(x.g)) n
           WHERE ST_Area(ST_MakePolygon(ST_InteriorRingN(x.g, n))::geography) >= ${minHoleM2})) END
  FROM (SELECT ${g} AS g) x)`;

/**
 * The one polygon of `hex` after an overlay: overlays can leave crumbs smaller than `crumbM2`
 * (and holes that small), which are dropped; `parts` > 1 means the grid would fall apart.
 */
export async function singlePolygon(tx: Transaction<Database>, hex: string, crumbM2: number): Promise<{ hex: string | null; parts: number; area: number }> {
  return one(
    tx,
    sql<{ hex: string | null; parts: number; area: number }>`
      WITH parts AS (
        SELECT (ST_Dump(ST_CollectionExtract(ST_MakeValid(${geom(hex)}), 3))).geom AS g),
      kept AS (SELECT g FROM parts WHERE ST_Area(g::geography) >= ${crumbM2})
      SELECT (SELECT count(*)::int FROM kept) AS parts,
             (SELECT coalesce(sum(ST_Area(g::geography)), 0) FROM kept) AS area,
             (SELECT encode(ST_AsEWKB(${dropTinyHoles(sql`(SELECT g FROM kept LIMIT 1)`, crumbM2)}), 'hex') WHERE (SELECT count(*) FROM kept) = 1) AS hex`,
  );
}

/** What P takes from neighbour `n`: the area and what is left of `n`. */
export async function takenFrom(tx: Transaction<Database>, n: string, p: string) {
  return one(
    tx,
    sql<{
      taken: number;
      hex: string;
    }>`SELECT ST_Area(ST_Intersection(${geom(n)}, ${geom(p)}, ${GRID})::geography) AS taken, ${hexOf(sql`ST_Difference(${geom(n)}, ${geom(p)}, ${GRID})`)} AS hex`,
  );
}

/** The pieces of `old` outside `p` (all of `old` without `p`), with a point on each. */
export async function lostPieces(tx: Transaction<Database>, old: string, p: string | null) {
  return (
    await sql<{ hex: string; area: number; x: number; y: number }>`
        SELECT ${hexOf(sql`d.geom`)} AS hex, ST_Area(d.geom::geography) AS area, ST_X(ST_PointOnSurface(d.geom)) AS x, ST_Y(ST_PointOnSurface(d.geom)) AS y
          FROM ST_Dump(ST_CollectionExtract(${p ? sql`ST_Difference(${geom(old)}, ${geom(p)}, ${GRID})` : geom(old)}, 3)) d`.execute(tx)
  ).rows;
}

/** Length (m) of the border two polygons share. */
export async function sharedBorderM(tx: Transaction<Database>, a: string, b: string): Promise<number> {
  return (await one(tx, sql<{ len: number }>`SELECT ST_Length(ST_Intersection(ST_Boundary(${geom(a)}), ST_Boundary(${geom(b)}), ${GRID})::geography) AS len`))
    .len;
}

export async function unionHex(tx: Transaction<Database>, a: string, b: string): Promise<string> {
  return (await one(tx, sql<{ hex: string }>`SELECT ${hexOf(sql`ST_Union(${geom(a)}, ${geom(b)}, ${GRID})`)} AS hex`)).hex;
}

/** The union of several polygons: how many parts, its first part, the area. */
export async function unionOf(tx: Transaction<Database>, hexes: string[]) {
  return one(
    tx,
    sql<{ parts: number; hex: string; area: number }>`
      WITH u AS (SELECT ST_UnaryUnion(ST_Collect(ARRAY[${sql.join(hexes.map((h) => geom(h)))}]), ${GRID}) AS g)
      SELECT ST_NumGeometries(ST_CollectionExtract(u.g, 3)) AS parts, ${hexOf(sql`ST_GeometryN(ST_CollectionExtract(u.g, 3), 1)`)} AS hex, ST_Area(u.g::geography) AS area FROM u`,
  );
}

export async function withoutTinyHoles(tx: Transaction<Database>, hex: string, minHoleM2: number): Promise<string> {
  return (await one(tx, sql<{ hex: string }>`SELECT ${hexOf(dropTinyHoles(geom(hex), minHoleM2))} AS hex`)).hex;
}

/** The pieces of a polygon cut by a line, largest first. */
export async function splitPieces(tx: Transaction<Database>, hex: string, line: LineString) {
  return (
    await sql<{ hex: string; area: number }>`
      SELECT ${hexOf(sql`d.geom`)} AS hex, ST_Area(d.geom::geography) AS area
        FROM ST_Dump(ST_Split(${geom(hex)}, ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(line)}), 4326))) d
       ORDER BY ST_Area(d.geom::geography) DESC`.execute(tx)
  ).rows;
}

export async function stationsIn(tx: Transaction<Database>, hex: string | null): Promise<number> {
  if (!hex) return 0;
  return (await one(tx, sql<{ n: number }>`SELECT count(*)::int AS n FROM stations WHERE deleted_at IS NULL AND ST_Covers(${geom(hex)}, geom)`)).n;
}

/** The next grid number (3-digit sequence) in a community; deleted grids' codes stay taken. */
export async function nextGridNumber(tx: Transaction<Database>, communityCode: string): Promise<number> {
  return (await one(tx, sql<{ n: number }>`SELECT coalesce(max(substr(code, 13)::int), 0) + 1 AS n FROM grids WHERE code ~ ${`^${communityCode}[0-9]{3}$`}`)).n;
}

export async function gridCodeTaken(tx: Transaction<Database>, code: string): Promise<boolean> {
  return !!(await tx.selectFrom('grids').select('id').where('code', '=', code).executeTakeFirst());
}

export async function communityByCode(tx: Transaction<Database>, code: string) {
  return tx.selectFrom('communities').select(['id', 'code', 'street_id']).where('code', '=', code).executeTakeFirst();
}

export async function communityCodeOf(tx: Transaction<Database>, id: number): Promise<string> {
  return (await tx.selectFrom('communities').select('code').where('id', '=', id).executeTakeFirstOrThrow()).code;
}

export async function nextChangeId(tx: Transaction<Database>): Promise<number> {
  return Number((await one(tx, sql<{ id: string }>`SELECT nextval('grid_change_seq')::text AS id`)).id);
}

/** What an edit writes into a grid row; undefined keeps the stored value. */
export interface GridRowWrite extends GridAttributes {
  geom: string | null; // null: unchanged geometry
  community_id?: number;
  deleted?: boolean;
  restore?: boolean;
}

/** Updates a grid at the version it was read at; the new version, or undefined when the row moved on. */
export async function updateGrid(tx: Transaction<Database>, b: GridState, w: GridRowWrite, by: string): Promise<number | undefined> {
  const r = await sql<{ version: number }>`
        UPDATE grids SET
          boundary = ${w.geom ? onStorageGrid(geom(w.geom)) : sql`boundary`},
          name = ${w.name ?? b.name},
          community_id = ${w.community_id ?? b.community_id},
          leader_name = ${w.leader_name !== undefined ? w.leader_name : b.leader_name},
          leader_phone = ${w.leader_phone !== undefined ? w.leader_phone : b.leader_phone},
          party_branch = ${w.party_branch !== undefined ? w.party_branch : b.party_branch},
          population = ${w.population ?? b.population},
          households = ${w.households ?? b.households},
          deleted_at = ${w.deleted ? sql`now()` : w.restore ? sql`NULL` : sql`deleted_at`},
          version = version + 1, updated_at = now(), updated_by = ${by}
        WHERE id = ${b.id} AND version = ${b.version}
        RETURNING version`.execute(tx);
  return r.rows[0]?.version;
}

export async function insertGrid(
  tx: Transaction<Database>,
  g: GridAttributes & { code: string; name: string; community_id: number; geom: string },
  by: string,
): Promise<number> {
  const r = await sql<{ id: number }>`
        INSERT INTO grids (code, name, community_id, boundary, leader_name, leader_phone, party_branch, population, households, updated_by)
        VALUES (${g.code}, ${g.name}, ${g.community_id}, ${onStorageGrid(geom(g.geom))}, ${g.leader_name ?? null}, ${g.leader_phone ?? null},
                ${g.party_branch ?? null}, ${g.population ?? 0}, ${g.households ?? 0}, ${by})
        RETURNING id`.execute(tx);
  return r.rows[0].id;
}

export async function insertHistory(
  tx: Transaction<Database>,
  h: {
    gridId: number;
    version: number;
    changeId: number;
    operation: GridOperation;
    by: string;
    beforeGeom: string | null;
    afterGeom: string | null;
    beforeProps: unknown;
    afterProps: unknown;
    note: string | null;
  },
): Promise<void> {
  await sql`
      INSERT INTO grid_history (grid_id, version, change_id, operation, changed_by, before_geom, after_geom, before_props, after_props, note)
      VALUES (${h.gridId}, ${h.version}, ${h.changeId}, ${h.operation}, ${h.by},
              ${h.beforeGeom ? geom(h.beforeGeom) : null}, ${h.afterGeom ? geom(h.afterGeom) : null},
              ${h.beforeProps ? JSON.stringify(h.beforeProps) : null}::jsonb, ${JSON.stringify(h.afterProps)}::jsonb, ${h.note})`.execute(tx);
}

/** A community's boundary = the union of its live grids. */
export async function refreshCommunityBoundary(tx: Transaction<Database>, communityId: number): Promise<void> {
  await sql`UPDATE communities SET boundary = ST_Multi(${onStorageGrid(sql`u.g`)}) FROM (SELECT ST_Union(boundary, ${GRID}) AS g FROM grids WHERE community_id = ${communityId} AND deleted_at IS NULL) u
                 WHERE id = ${communityId} AND u.g IS NOT NULL`.execute(tx);
}

/** Geometry (hex) and properties of a grid as it was at `version`, from its history. */
export async function versionAsRecorded(
  tx: Transaction<Database>,
  gridId: number,
  version: number,
): Promise<{ hex: string | null; props: unknown } | undefined> {
  const h = await tx
    .selectFrom('grid_history')
    .select([sql<string | null>`encode(ST_AsEWKB(after_geom), 'hex')`.as('hex'), 'after_props'])
    .where('grid_id', '=', gridId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (h) return { hex: h.hex, props: h.after_props };
  // Version 1 of a seeded grid has no history row: it is the `before` of the first change.
  const first = await tx
    .selectFrom('grid_history')
    .select([sql<string | null>`encode(ST_AsEWKB(before_geom), 'hex')`.as('hex'), 'before_props'])
    .where('grid_id', '=', gridId)
    .where('version', '=', version + 1)
    .executeTakeFirst();
  return first ? { hex: first.hex, props: first.before_props } : undefined;
}

/** A grid's history, newest first. */
export async function gridHistory(db: Kysely<Database>, id: number) {
  return db
    .selectFrom('grid_history')
    .select([
      'version',
      'change_id',
      'operation',
      'changed_by',
      'changed_at',
      'note',
      'before_props',
      'after_props',
      sql<Polygon | null>`ST_AsGeoJSON(before_geom, 9)::json`.as('before_geometry'),
      sql<Polygon | null>`ST_AsGeoJSON(after_geom, 9)::json`.as('after_geometry'),
      sql<number | null>`ST_Area(after_geom::geography)`.as('area_m2'),
    ])
    .where('grid_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
}
