/** Reads of grids (网格) with their owning community, street and district. */
import { sql, type Kysely } from 'kysely';
import type { Polygon } from 'geojson';
import type { Database } from './schema.js';
import { asGeoJson, envelope, SERVED_DECIMALS } from './st.js';
import type { Bbox } from '../schemas/common.js';
import { toleranceDeg } from '../geo/measure.js';

export interface GridFilter {
  bbox?: Bbox;
  streetCode?: string;
  communityCode?: string;
  /** Name contains it, or code starts with it (search box). */
  q?: string;
  /** Simplification tolerance in metres (for low zooms); topology-preserving per grid. */
  simplifyM?: number;
  limit?: number;
}

export interface GridRow {
  id: number;
  code: string;
  name: string;
  community_code: string;
  community_name: string;
  street_code: string;
  street_name: string;
  district_code: string;
  district_name: string;
  leader_name: string | null;
  leader_phone: string | null;
  party_branch: string | null;
  population: number;
  households: number;
  area_m2: number;
  version: number;
  updated_at: Date;
  updated_by: string;
  geometry: Polygon;
}

/** Live grids joined to their community, street and district, with the columns every reader needs. */
export function gridsWithUnits(db: Kysely<Database>) {
  return db
    .selectFrom('grids as g')
    .innerJoin('communities as c', 'c.id', 'g.community_id')
    .innerJoin('streets as s', 's.id', 'c.street_id')
    .innerJoin('districts as d', 'd.id', 's.district_id')
    .where('g.deleted_at', 'is', null)
    .select([
      'g.id',
      'g.code',
      'g.name',
      'c.code as community_code',
      'c.name as community_name',
      's.code as street_code',
      's.name as street_name',
      'd.code as district_code',
      'd.name as district_name',
      'g.leader_name',
      'g.leader_phone',
      'g.population',
      'g.households',
    ]);
}

function baseQuery(db: Kysely<Database>, simplifyM?: number) {
  // Degrees for ST_SimplifyPreserveTopology: metres / metres-per-degree of latitude is a slight
  // over-simplification in longitude, acceptable for display tolerances.
  const geom = simplifyM && simplifyM > 0 ? sql`ST_SimplifyPreserveTopology(g.boundary, ${toleranceDeg(simplifyM)})` : sql`g.boundary`;
  return gridsWithUnits(db).select([
    'g.party_branch',
    'g.version',
    'g.updated_at',
    'g.updated_by',
    sql<number>`ST_Area(g.boundary::geography)`.as('area_m2'),
    // Simplified (display) geometry needs no more than 6 decimals (≈ 0.1 m); full detail is the
    // stored polygon exactly (9 decimals, the storage grid), so it can be sent back unchanged.
    asGeoJson<Polygon>(geom, simplifyM && simplifyM > 0 ? 6 : SERVED_DECIMALS).as('geometry'),
  ]);
}

export async function listGrids(db: Kysely<Database>, f: GridFilter): Promise<GridRow[]> {
  let q = baseQuery(db, f.simplifyM);
  if (f.bbox) q = q.where(sql<boolean>`g.boundary && ${envelope(f.bbox)}`);
  if (f.streetCode) q = q.where('s.code', '=', f.streetCode);
  if (f.communityCode) q = q.where('c.code', '=', f.communityCode);
  if (f.q) {
    const like = f.q.replace(/[\\%_]/g, (c) => `\\${c}`);
    q = q.where((eb) => eb.or([eb('g.name', 'ilike', `%${like}%`), eb('g.code', 'like', `${like}%`)]));
  }
  return (await q
    .orderBy('g.code')
    .limit(f.limit ?? 20_000)
    .execute()) as GridRow[];
}

export async function getGrid(db: Kysely<Database>, idOrCode: string): Promise<GridRow | undefined> {
  const q = baseQuery(db);
  const byId = /^\d{1,9}$/.test(idOrCode);
  return (await (byId ? q.where('g.id', '=', Number(idOrCode)) : q.where('g.code', '=', idOrCode)).executeTakeFirst()) as GridRow | undefined;
}

/** Each live grid's party branch (not held by the in-memory city). */
export async function gridPartyBranches(db: Kysely<Database>): Promise<Map<number, string | null>> {
  const rows = await db.selectFrom('grids').select(['id', 'party_branch']).where('deleted_at', 'is', null).execute();
  return new Map(rows.map((r) => [r.id, r.party_branch]));
}

/** The id of the grid with this code, deleted ones too (edits, restore and history name grids by id or code). */
export async function gridIdByCode(db: Kysely<Database>, code: string): Promise<number | undefined> {
  return (await db.selectFrom('grids').select('id').where('code', '=', code).executeTakeFirst())?.id;
}

/** Whether a grid with this id was ever written (deleted ones too). */
export async function gridExists(db: Kysely<Database>, id: number): Promise<boolean> {
  return !!(await db.selectFrom('grids').select('id').where('id', '=', id).executeTakeFirst());
}
