/**
 * Re-imports: the current state of existing rows by code, and upserts (create / update in place,
 * version + 1, history) for grids, stations and admin units. The first imports and the sample city
 * write through ./dataset.repository.ts. Callers wrap both in one transaction.
 */
import { sql } from 'kysely';
import type { MultiPolygon, Point, Polygon } from 'geojson';
import { fromGeoJson, multiFromGeoJson } from './st.js';
import type { AdminProps, GridProps, StationProps } from '../../geodata/types.js';
import { chunks, codeToId, DatasetError, type AdminLevel, type Tx } from './dataset.repository.js';

// ---------------------------------------------------------------------------------------------
// Upsert by code (re-imports): the current state of existing rows, and writes with history.
// ---------------------------------------------------------------------------------------------

export type UpsertTable = 'districts' | 'streets' | 'communities' | 'grids' | 'stations';

/** An existing row as the importer compares it: props in the import record's shape, geometry as GeoJSON. */
export interface ExistingRow {
  id: number;
  code: string;
  version: number;
  deleted: boolean;
  props: Record<string, unknown>;
  geometry: Polygon | MultiPolygon | Point;
}

/** Rows with these codes (soft-deleted ones included), full precision geometry. */
export async function existingByCode(tx: Tx, table: UpsertTable, codes: string[]): Promise<Map<string, ExistingRow>> {
  const out = new Map<string, ExistingRow>();
  for (const part of chunks([...new Set(codes)], 2000)) {
    if (part.length === 0) continue;
    if (table === 'grids') {
      const rows = await sql<{
        id: number;
        code: string;
        version: number;
        deleted: boolean;
        name: string;
        community_code: string;
        leader_name: string | null;
        leader_phone: string | null;
        party_branch: string | null;
        population: number;
        households: number;
        g: Polygon;
      }>`
        SELECT g.id, g.code, g.version, g.deleted_at IS NOT NULL AS deleted, g.name, c.code AS community_code, g.leader_name, g.leader_phone, g.party_branch,
               g.population, g.households, ST_AsGeoJSON(g.boundary, 15)::json AS g
          FROM grids g JOIN communities c ON c.id = g.community_id WHERE g.code = ANY(${part}::text[])`.execute(tx);
      for (const r of rows.rows) {
        out.set(r.code, {
          id: r.id,
          code: r.code,
          version: r.version,
          deleted: r.deleted,
          geometry: r.g,
          props: {
            code: r.code,
            name: r.name,
            communityCode: r.community_code,
            leaderName: r.leader_name,
            leaderPhone: r.leader_phone,
            partyBranch: r.party_branch,
            population: r.population,
            households: r.households,
          },
        });
      }
    } else if (table === 'stations') {
      const rows = await sql<{
        id: number;
        code: string;
        version: number;
        deleted: boolean;
        type_code: string;
        name: string;
        address: string | null;
        amenities: string[];
        opening_hours: string;
        opening_hours_text: string | null;
        phone: string | null;
        operator: string | null;
        status: string;
        g: Point;
      }>`
        SELECT id, code, version, deleted_at IS NOT NULL AS deleted, type_code, name, address, amenities, opening_hours, opening_hours_text, phone, operator, status, ST_AsGeoJSON(geom, 15)::json AS g
          FROM stations WHERE code = ANY(${part}::text[])`.execute(tx);
      for (const r of rows.rows) {
        out.set(r.code, {
          id: r.id,
          code: r.code,
          version: r.version,
          deleted: r.deleted,
          geometry: r.g,
          props: {
            code: r.code,
            type: r.type_code,
            name: r.name,
            address: r.address,
            amenities: [...r.amenities],
            openingHours: r.opening_hours,
            openingHoursText: r.opening_hours_text,
            phone: r.phone,
            operator: r.operator,
            status: r.status,
          },
        });
      }
    } else {
      const parent =
        table === 'streets'
          ? sql`(SELECT p.code FROM districts p WHERE p.id = t.district_id)`
          : table === 'communities'
            ? sql`(SELECT p.code FROM streets p WHERE p.id = t.street_id)`
            : sql`NULL::text`;
      const rows = await sql<{ id: number; code: string; name: string; parent_code: string | null; g: MultiPolygon }>`
        SELECT t.id, t.code, t.name, ${parent} AS parent_code, ST_AsGeoJSON(t.boundary, 15)::json AS g FROM ${sql.table(table)} t WHERE t.code = ANY(${part}::text[])`.execute(
        tx,
      );
      for (const r of rows.rows) {
        out.set(r.code, {
          id: r.id,
          code: r.code,
          version: 1,
          deleted: false,
          geometry: r.g,
          props: { code: r.code, name: r.name, parentCode: r.parent_code },
        });
      }
    }
  }
  return out;
}

/** Ids of parent units by code (for checking references before writing). */
export async function idsByCode(tx: Tx, table: 'districts' | 'streets' | 'communities', codes: string[]): Promise<Map<string, number>> {
  return codeToId(tx, table, codes);
}

const gridHistoryProps = (p: GridProps) => ({
  code: p.code,
  name: p.name,
  community_code: p.communityCode,
  leader_name: p.leaderName ?? null,
  leader_phone: p.leaderPhone ?? null,
  party_branch: p.partyBranch ?? null,
  population: p.population ?? 0,
  households: p.households ?? 0,
});

const stationHistoryProps = (p: StationProps, g: Point) => ({
  code: p.code,
  type_code: p.type,
  name: p.name,
  address: p.address ?? null,
  amenities: [...p.amenities],
  opening_hours: p.openingHours,
  phone: p.phone ?? null,
  operator: p.operator ?? null,
  status: p.status,
  lon: g.coordinates[0],
  lat: g.coordinates[1],
});

export interface UpsertItem<P> {
  props: P;
  geometry: Polygon | MultiPolygon | Point;
  /** The existing row to update; absent → insert. */
  existing?: ExistingRow;
}

/**
 * Inserts new grids and updates existing ones (version + 1, updated_at/by, undeleted), writing one
 * grid_history row per grid (operation 'import') under one change id. Returns the change id.
 */
export async function upsertGrids(tx: Tx, items: UpsertItem<GridProps>[], by: string, onRow?: () => void): Promise<number> {
  const change = await sql<{ id: string }>`SELECT nextval('grid_change_seq')::text AS id`.execute(tx);
  const changeId = Number(change.rows[0].id);
  const communities = await codeToId(
    tx,
    'communities',
    items.map((i) => i.props.communityCode),
  );
  for (const it of items) {
    const p = it.props;
    const communityId = communities.get(p.communityCode);
    if (communityId === undefined)
      throw new DatasetError(`社区编码 ${p.communityCode} 不存在 / unknown community code ${p.communityCode}`, [{ code: p.code, kind: 'grid' }]);
    const values = {
      name: p.name,
      community_id: communityId,
      boundary: fromGeoJson(it.geometry),
      leader_name: p.leaderName ?? null,
      leader_phone: p.leaderPhone ?? null,
      party_branch: p.partyBranch ?? null,
      population: p.population ?? 0,
      households: p.households ?? 0,
      updated_by: by,
    };
    const after = JSON.stringify(gridHistoryProps(p));
    if (!it.existing) {
      const row = await tx
        .insertInto('grids')
        .values({ code: p.code, ...values })
        .returning(['id', 'version'])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('grid_history')
        .values({
          grid_id: row.id,
          version: row.version,
          change_id: changeId,
          operation: 'import',
          changed_by: by,
          before_geom: null,
          after_geom: fromGeoJson(it.geometry),
          before_props: null,
          after_props: after,
        })
        .execute();
    } else {
      const ex = it.existing;
      const before = JSON.stringify(gridHistoryProps(ex.props as unknown as GridProps));
      await sql`
        INSERT INTO grid_history (grid_id, version, change_id, operation, changed_by, before_geom, after_geom, before_props, after_props)
        SELECT g.id, g.version + 1, ${changeId}, 'import', ${by}, g.boundary, ${fromGeoJson(it.geometry)}, ${before}::jsonb, ${after}::jsonb FROM grids g WHERE g.id = ${ex.id}`.execute(
        tx,
      );
      await tx
        .updateTable('grids')
        .set({ ...values, version: sql`version + 1`, updated_at: sql`now()`, deleted_at: null })
        .where('id', '=', ex.id)
        .execute();
    }
    onRow?.();
  }
  return changeId;
}

/** Inserts new stations and updates existing ones (version + 1, undeleted), with station_history rows. */
export async function upsertStations(tx: Tx, items: UpsertItem<StationProps>[], by: string, onRow?: () => void): Promise<void> {
  for (const it of items) {
    const p = it.props;
    const g = it.geometry as Point;
    const values = {
      type_code: p.type,
      name: p.name,
      address: p.address ?? null,
      geom: fromGeoJson(g),
      amenities: [...p.amenities],
      opening_hours: p.openingHours,
      // The hours as the list wrote them, when the importer converted them (else cleared: the OSM form is the original).
      opening_hours_text: (p as StationProps & { openingHoursText?: string }).openingHoursText ?? null,
      phone: p.phone ?? null,
      operator: p.operator ?? null,
      status: p.status,
      updated_by: by,
    };
    const after = JSON.stringify(stationHistoryProps(p, g));
    if (!it.existing) {
      const row = await tx
        .insertInto('stations')
        .values({ code: p.code, ...values })
        .returning(['id', 'version'])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('station_history')
        .values({ station_id: row.id, version: row.version, operation: 'import', changed_by: by, before_props: null, after_props: after })
        .execute();
    } else {
      const ex = it.existing;
      const before = JSON.stringify(stationHistoryProps(ex.props as unknown as StationProps, ex.geometry as Point));
      const row = await tx
        .updateTable('stations')
        .set({ ...values, version: sql`version + 1`, updated_at: sql`now()`, deleted_at: null })
        .where('id', '=', ex.id)
        .returning(['version'])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('station_history')
        .values({ station_id: ex.id, version: row.version, operation: 'import', changed_by: by, before_props: before, after_props: after })
        .execute();
    }
    onRow?.();
  }
}

/** Inserts or updates admin units of one level by code (they have no version or history). */
export async function upsertAdminUnits(tx: Tx, level: AdminLevel, items: UpsertItem<AdminProps>[], onRow?: () => void): Promise<void> {
  const table = level === 'district' ? 'districts' : level === 'street' ? 'streets' : 'communities';
  const parents =
    level === 'district'
      ? new Map<string, number>()
      : await codeToId(
          tx,
          level === 'street' ? 'districts' : 'streets',
          items.map((i) => i.props.parentCode ?? ''),
        );
  for (const it of items) {
    const p = it.props;
    const parentId = p.parentCode ? parents.get(p.parentCode) : undefined;
    if (level !== 'district' && parentId === undefined)
      throw new DatasetError(`上级编码 ${p.parentCode} 不存在 / unknown parent code ${p.parentCode}`, [{ code: p.code, kind: level }]);
    const geom = multiFromGeoJson(it.geometry);
    if (it.existing) {
      const set =
        level === 'district'
          ? { name: p.name, boundary: geom }
          : level === 'street'
            ? { name: p.name, boundary: geom, district_id: parentId! }
            : { name: p.name, boundary: geom, street_id: parentId! };
      await tx
        .updateTable(table)
        .set(set as never)
        .where('id', '=', it.existing.id)
        .execute();
    } else if (level === 'district') {
      await tx.insertInto('districts').values({ code: p.code, name: p.name, boundary: geom }).execute();
    } else if (level === 'street') {
      await tx.insertInto('streets').values({ code: p.code, name: p.name, district_id: parentId!, boundary: geom }).execute();
    } else {
      await tx.insertInto('communities').values({ code: p.code, name: p.name, street_id: parentId!, boundary: geom }).execute();
    }
    onRow?.();
  }
}
