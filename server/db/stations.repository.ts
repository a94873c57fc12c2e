/** Reads of stations and station types. */
import { sql, type Kysely } from 'kysely';
import type { Point } from 'geojson';
import type { Database } from './schema.js';
import { asGeoJson, envelope } from './st.js';
import type { Bbox } from '../schemas/common.js';

export interface StationFilter {
  types?: string[];
  /** All of these amenities. */
  amenities?: string[];
  bbox?: Bbox;
  /** Only stations not temporarily closed. */
  operatingOnly?: boolean;
}

export interface StationRow {
  id: number;
  code: string;
  type_code: string;
  type_name_zh: string;
  type_name_en: string;
  name: string;
  address: string | null;
  amenities: string[];
  opening_hours: string;
  /** The hours as an imported list wrote them ("周一至周五 8:30-17:30"), when converted to `opening_hours`; null otherwise. */
  opening_hours_text: string | null;
  phone: string | null;
  operator: string | null;
  status: 'open' | 'temporarily_closed';
  version: number;
  updated_at: Date;
  geometry: Point;
}

/** Stations joined to their type names, with the columns every reader needs. */
export function stationsWithTypes(db: Kysely<Database>) {
  return db
    .selectFrom('stations as st')
    .innerJoin('station_types as t', 't.code', 'st.type_code')
    .select([
      'st.id',
      'st.code',
      'st.type_code',
      't.name_zh as type_name_zh',
      't.name_en as type_name_en',
      'st.name',
      'st.address',
      'st.amenities',
      'st.opening_hours',
      'st.opening_hours_text',
      'st.phone',
      'st.operator',
      'st.status',
      'st.version',
      'st.updated_at',
      asGeoJson<Point>(sql`st.geom`).as('geometry'),
    ])
    .where('st.deleted_at', 'is', null);
}

function baseQuery(db: Kysely<Database>, f: StationFilter) {
  let q = stationsWithTypes(db);
  if (f.types?.length) q = q.where('st.type_code', 'in', f.types);
  if (f.amenities?.length) q = q.where(sql<boolean>`st.amenities @> ${sql.val(f.amenities)}::text[]`);
  if (f.bbox) q = q.where(sql<boolean>`st.geom && ${envelope(f.bbox)}`);
  if (f.operatingOnly) q = q.where('st.status', '=', 'open');
  return q;
}

export async function listStations(db: Kysely<Database>, f: StationFilter): Promise<StationRow[]> {
  return (await baseQuery(db, f).orderBy('st.code').execute()) as StationRow[];
}

export async function getStation(db: Kysely<Database>, idOrCode: string): Promise<StationRow | undefined> {
  const q = baseQuery(db, {});
  const byId = /^\d{1,9}$/.test(idOrCode);
  return (await (byId ? q.where('st.id', '=', Number(idOrCode)) : q.where('st.code', '=', idOrCode)).executeTakeFirst()) as StationRow | undefined;
}

/** A live station with the same name as an imported row, near it (re-imports of lists without codes). */
export interface NamedStationNear {
  /** Index of the asking row. */
  i: number;
  code: string;
  type_code: string;
  distance_m: number;
}

/**
 * Live stations whose name equals a row's name and that stand within `toleranceM` of its point
 * (geodesic metres, PostGIS geography). One query for all rows.
 */
export async function stationsNamedNear(
  db: Kysely<Database>,
  rows: { name: string; lon: number; lat: number }[],
  toleranceM: number,
): Promise<NamedStationNear[]> {
  if (rows.length === 0) return [];
  const r = await sql<NamedStationNear>`
    SELECT (t.ord - 1)::int AS i, st.code, st.type_code, ST_Distance(st.geom::geography, p.g::geography) AS distance_m
      FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) WITH ORDINALITY AS t(e, ord)
      CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint((t.e->>'lon')::float8, (t.e->>'lat')::float8), 4326) AS g) p
      JOIN stations st ON st.deleted_at IS NULL AND st.name = t.e->>'name'
       AND st.geom && ST_Expand(p.g, ${toleranceM / 40_000}) AND ST_DWithin(st.geom::geography, p.g::geography, ${toleranceM})
     ORDER BY 1, 4`.execute(db);
  return r.rows.map((x) => ({ ...x, distance_m: Number(x.distance_m) }));
}

export async function listStationTypes(db: Kysely<Database>) {
  return db.selectFrom('station_types').selectAll().orderBy('code').execute();
}

/** Whether a station with this id was ever written (deleted ones too). */
export async function stationExists(db: Kysely<Database>, id: number): Promise<boolean> {
  return !!(await db.selectFrom('stations').select('id').where('id', '=', id).executeTakeFirst());
}
