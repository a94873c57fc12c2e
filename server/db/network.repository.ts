/** Reads of the street network for display (the offline basemap). */
import { sql, type Kysely } from 'kysely';
import type { LineString } from 'geojson';
import type { Database } from './schema.js';
import { asGeoJson, envelope } from './st.js';
import type { Bbox } from '../schemas/common.js';

export interface EdgeRow {
  id: number;
  highway: string;
  name: string | null;
  length_m: number;
  geometry: LineString;
}

/** Edges touching `bbox`; `minorFrom` drops minor classes (footpaths, service) for low zooms. */
export async function listEdges(db: Kysely<Database>, bbox: Bbox, opts: { majorOnly?: boolean; simplifyM?: number; limit?: number } = {}): Promise<EdgeRow[]> {
  const geom = opts.simplifyM ? sql`ST_Simplify(geom, ${opts.simplifyM / 111_320})` : sql`geom`;
  let q = db
    .selectFrom('network_edges')
    .select(['id', 'highway', 'name', 'length_m', asGeoJson<LineString>(geom, 6).as('geometry')])
    .where(sql<boolean>`geom && ${envelope(bbox)}`)
    .where('walkable', '=', true);
  if (opts.majorOnly) q = q.where('highway', 'in', ['primary', 'secondary', 'tertiary', 'primary_link', 'secondary_link', 'tertiary_link', 'trunk', 'motorway']);
  return (await q.orderBy('id').limit(opts.limit ?? 50_000).execute()) as EdgeRow[];
}
