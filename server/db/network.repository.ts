/** Reads of the street network for display (the offline basemap). */
import { sql, type Kysely } from 'kysely';
import type { LineString, MultiLineString } from 'geojson';
import type { Database } from './schema.js';
import { asGeoJson, envelope } from './st.js';
import type { Bbox } from '../schemas/common.js';
import { toleranceDeg } from '../geo/measure.js';

const MAJOR = ['primary', 'secondary', 'tertiary', 'primary_link', 'secondary_link', 'tertiary_link', 'trunk', 'motorway'];

export interface RoadRow {
  highway: string;
  name: string | null;
  length_m: number;
  edges: number;
  geometry: LineString | MultiLineString;
}

/**
 * Major roads touching `bbox` for a zoomed-out map: the edges of one road (same class and name)
 * joined into as few lines as they make (`ST_LineMerge`) and simplified by `simplifyM`. At Dalian
 * scale this is ≈ 400 features instead of ≈ 20,000 two-point edges (bench/web.bench.ts).
 * Unnamed edges of a class are joined together too: they are one feature with many parts.
 */
export async function listRoadOverview(db: Kysely<Database>, bbox: Bbox, simplifyM: number): Promise<RoadRow[]> {
  const r = await sql<RoadRow>`
    SELECT highway, name, sum(length_m)::float8 AS length_m, count(*)::int AS edges,
           ST_AsGeoJSON(ST_Simplify(ST_LineMerge(ST_Collect(geom)), ${toleranceDeg(simplifyM)}), 5)::json AS geometry
      FROM network_edges
     WHERE geom && ${envelope(bbox)} AND walkable AND highway IN (${sql.join(MAJOR)})
     GROUP BY highway, name
     ORDER BY highway, name NULLS LAST`.execute(db);
  return r.rows;
}

export interface EdgeRow {
  id: number;
  highway: string;
  name: string | null;
  length_m: number;
  geometry: LineString;
}

/** Edges touching `bbox`; `minorFrom` drops minor classes (footpaths, service) for low zooms. */
export async function listEdges(db: Kysely<Database>, bbox: Bbox, opts: { majorOnly?: boolean; simplifyM?: number; limit?: number } = {}): Promise<EdgeRow[]> {
  const geom = opts.simplifyM ? sql`ST_Simplify(geom, ${toleranceDeg(opts.simplifyM)})` : sql`geom`;
  let q = db
    .selectFrom('network_edges')
    .select(['id', 'highway', 'name', 'length_m', asGeoJson<LineString>(geom, 6).as('geometry')])
    .where(sql<boolean>`geom && ${envelope(bbox)}`)
    .where('walkable', '=', true);
  if (opts.majorOnly) q = q.where('highway', 'in', MAJOR);
  return (await q
    .orderBy('id')
    .limit(opts.limit ?? 50_000)
    .execute()) as EdgeRow[];
}
