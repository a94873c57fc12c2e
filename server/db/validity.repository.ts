/**
 * Polygon validity and repair in PostGIS, for many polygons at once (imports): what
 * `ST_IsValidDetail` says, which parts of a MultiPolygon overlap (and by how much), which parts or
 * holes are slivers; and the repair (`ST_MakeValid` by structure: overlapping parts unioned, then
 * slivers dropped, then the storage grid). Read-only: nothing is written. Places are WGS84.
 * The thresholds and the wording are ../validation/polygons.ts's.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Database } from './schema.js';
import { GRID_DEG, SERVED_DECIMALS, SLIVER_MAX_AREA_M2, SLIVER_MAX_WIDTH_M } from '../validation/polygons.js';

type Poly = Polygon | MultiPolygon;

export interface InvalidDetail {
  i: number;
  reason: string;
  x: number | null;
  y: number | null;
}
export interface PartOverlap {
  i: number;
  /** Parts, counting from 1. */
  a: number;
  b: number;
  area_m2: number;
  x: number;
  y: number;
}
export interface SliverRow {
  i: number;
  /** Part (from 1) of a MultiPolygon; 1 for a Polygon. */
  part: number;
  /** 0: the part's exterior; else the hole's number. */
  hole: number;
  area_m2: number;
  width_m: number;
  x: number;
  y: number;
}

const inputs = (geoms: Poly[]) => sql`
  SELECT (t.ord - 1)::int AS i, ST_SetSRID(ST_GeomFromGeoJSON(t.e::text), 4326) AS g
    FROM jsonb_array_elements(${JSON.stringify(geoms)}::jsonb) WITH ORDINALITY AS t(e, ord)`;

/** Whether a polygon (an expression) is a sliver: tiny, or thinner than the width threshold on average. */
const isSliver = (p: RawBuilder<unknown>) =>
  sql`(ST_Area(${p}::geography) < ${SLIVER_MAX_AREA_M2} OR 2 * ST_Area(${p}::geography) < ${SLIVER_MAX_WIDTH_M} * ST_Perimeter(${p}::geography))`;

const BATCH = 2000;

/** What is wrong with each polygon (by index in `geoms`): invalidity, overlapping parts, slivers. */
export async function polygonFindings(
  db: Kysely<Database>,
  geoms: Poly[],
): Promise<{ invalid: InvalidDetail[]; overlaps: PartOverlap[]; slivers: SliverRow[] }> {
  const out = { invalid: [] as InvalidDetail[], overlaps: [] as PartOverlap[], slivers: [] as SliverRow[] };
  for (let start = 0; start < geoms.length; start += BATCH) {
    const part = geoms.slice(start, start + BATCH);
    const shift = <T extends { i: number }>(rows: T[]) => rows.map((r) => ({ ...r, i: r.i + start }));
    const invalid = await sql<InvalidDetail>`
      WITH input AS MATERIALIZED (${inputs(part)})
      SELECT i, (d).reason, ST_X((d).location) AS x, ST_Y((d).location) AS y
        FROM (SELECT i, ST_IsValidDetail(g) AS d FROM input) s WHERE NOT (d).valid ORDER BY i`.execute(db);
    out.invalid.push(...shift(invalid.rows));
    // Overlaps between valid parts of MultiPolygons (an invalid part is reported by the detail).
    const overlaps = await sql<PartOverlap>`
      WITH input AS MATERIALIZED (${inputs(part)}),
           parts AS MATERIALIZED (
             SELECT i, (d).path[1] AS k, (d).geom AS p FROM (SELECT i, ST_Dump(g) AS d FROM input WHERE ST_NumGeometries(g) > 1) x
              WHERE ST_IsValid((d).geom)),
           pairs AS MATERIALIZED (
             SELECT a.i, a.k AS a, b.k AS b, ST_Intersection(a.p, b.p) AS x
               FROM parts a JOIN parts b ON a.i = b.i AND a.k < b.k AND a.p && b.p
              WHERE ST_Intersects(a.p, b.p))
      SELECT i, a, b, ST_Area(x::geography) AS area_m2, ST_X(ST_PointOnSurface(x)) AS x, ST_Y(ST_PointOnSurface(x)) AS y
        FROM (SELECT i, a, b, ST_CollectionExtract(x, 3) AS x FROM pairs) o WHERE NOT ST_IsEmpty(x) ORDER BY i, a, b`.execute(db);
    out.overlaps.push(...shift(overlaps.rows));
    const slivers = await sql<SliverRow>`
      WITH input AS MATERIALIZED (${inputs(part)}),
           parts AS MATERIALIZED (SELECT i, coalesce((d).path[1], 1) AS k, (d).geom AS p FROM (SELECT i, ST_Dump(g) AS d FROM input) x WHERE ST_IsValid((d).geom)),
           rings AS MATERIALIZED (SELECT i, k, (r).path[1] AS h, (r).geom AS q FROM (SELECT i, k, ST_DumpRings(p) AS r FROM parts) y)
      SELECT i, k AS part, h AS hole, ST_Area(q::geography) AS area_m2, 2 * ST_Area(q::geography) / nullif(ST_Perimeter(q::geography), 0) AS width_m,
             ST_X(ST_PointOnSurface(q)) AS x, ST_Y(ST_PointOnSurface(q)) AS y
        FROM rings WHERE ${isSliver(sql`q`)} ORDER BY i, k, h`.execute(db);
    out.slivers.push(...shift(slivers.rows.map((r) => ({ ...r, width_m: r.width_m ?? 0 }))));
  }
  return out;
}

export interface Repaired {
  i: number;
  /** The repaired polygon on the storage grid (counter-clockwise), null when nothing is left. */
  geometry: Poly | null;
  parts: number;
  area_before_m2: number;
  area_after_m2: number;
}

/**
 * Repairs polygons: `ST_MakeValid` keeping the rings' structure (overlapping parts are unioned, a
 * self-intersecting ring split where it crosses itself), sliver parts dropped and sliver holes
 * filled, then reduced to the storage grid and wound counter-clockwise. Areas are geodesic: before
 * as the file has it (`asRead`; overlapping parts counted twice), after as repaired.
 */
export async function repairPolygons(db: Kysely<Database>, items: { geometry: Poly; asRead: Poly }[]): Promise<Repaired[]> {
  const out: Repaired[] = [];
  for (let start = 0; start < items.length; start += BATCH) {
    const part = items.slice(start, start + BATCH);
    const r = await sql<Repaired>`
      WITH input AS MATERIALIZED (${inputs(part.map((x) => x.geometry))}),
           read AS MATERIALIZED (${inputs(part.map((x) => x.asRead))}),
           made AS MATERIALIZED (SELECT i, ST_CollectionExtract(ST_MakeValid(g, 'method=structure'), 3) AS g FROM input),
           parts AS MATERIALIZED (SELECT i, (d).geom AS p FROM (SELECT i, ST_Dump(g) AS d FROM made) x WHERE NOT ${isSliver(sql`(d).geom`)}),
           rebuilt AS MATERIALIZED (
             SELECT i, ST_MakePolygon(ST_ExteriorRing(p),
                      ARRAY(SELECT ST_InteriorRingN(p, n) FROM generate_series(1, ST_NumInteriorRings(p)) n
                             WHERE NOT ${isSliver(sql`ST_MakePolygon(ST_InteriorRingN(p, n))`)})) AS p
               FROM parts),
           fixed AS MATERIALIZED (
             SELECT input.i, ST_ForcePolygonCCW(ST_CollectionExtract(ST_ReducePrecision(ST_Collect(rebuilt.p), ${GRID_DEG}), 3)) AS g
               FROM input LEFT JOIN rebuilt ON rebuilt.i = input.i GROUP BY input.i)
      SELECT fixed.i, CASE WHEN fixed.g IS NULL OR ST_IsEmpty(fixed.g) THEN NULL ELSE ST_AsGeoJSON(CASE WHEN ST_NumGeometries(fixed.g) = 1 THEN ST_GeometryN(fixed.g, 1) ELSE fixed.g END, ${sql.lit(SERVED_DECIMALS)})::json END AS geometry,
             coalesce(ST_NumGeometries(fixed.g), 0)::int AS parts,
             ST_Area(read.g::geography) AS area_before_m2, coalesce(ST_Area(fixed.g::geography), 0) AS area_after_m2
        FROM fixed JOIN read ON read.i = fixed.i ORDER BY fixed.i`.execute(db);
    out.push(...r.rows.map((x) => ({ ...x, i: x.i + start })));
  }
  return out;
}
