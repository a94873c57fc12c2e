/**
 * Bulk reads feeding the in-memory analysis (coverage, walking graph): whole tables at once,
 * plus cheap fingerprints that say when they changed.
 */
import { sql, type Kysely } from 'kysely';
import type { Polygon } from 'geojson';
import type { Database } from './schema.js';
import { asGeoJson } from './st.js';
import { gridsWithUnits, type GridRow } from './grids.repository.js';
import { stationsWithTypes, type StationRow } from './stations.repository.js';
import type { StreetNetwork } from '../network/types.js';

/** A grid as the analysis needs it: the joined unit columns plus its polygon at full precision. */
export type AnalysisGrid = Omit<GridRow, 'party_branch' | 'area_m2' | 'updated_at' | 'updated_by' | 'geometry'> & { polygon: Polygon };

export async function loadAnalysisGrids(db: Kysely<Database>): Promise<AnalysisGrid[]> {
  const rows = await gridsWithUnits(db)
    .select(['g.version', asGeoJson<Polygon>(sql`g.boundary`, 9).as('polygon')])
    .orderBy('g.id')
    .execute();
  return rows as AnalysisGrid[];
}

/** Every station with its type names (as the API shows them), for in-memory search and coverage. */
export async function loadAnalysisStations(db: Kysely<Database>): Promise<StationRow[]> {
  return (await stationsWithTypes(db).orderBy('st.id').execute()) as StationRow[];
}

/**
 * The stations again after a change, reading in full only the rows whose version or last change
 * differs from `previous` (or that are new): unchanged rows keep their objects, removed ones are
 * dropped. Every write bumps `version` and sets `updated_at`, which is also what the stations
 * fingerprint sees. Falls back to a full load when many rows changed (an import).
 * @returns the stations ordered by id, and the ids read again.
 */
export async function reloadAnalysisStations(db: Kysely<Database>, previous: readonly StationRow[]): Promise<{ stations: StationRow[]; changed: number[] }> {
  const stamp = (version: number, at: Date | string) => `${version}:${new Date(at).getTime()}`;
  const live = await db.selectFrom('stations').select(['id', 'version', 'updated_at']).where('deleted_at', 'is', null).orderBy('id').execute();
  const before = new Map(previous.map((s) => [s.id, s]));
  const changed = live
    .filter((r) => {
      const b = before.get(r.id);
      return !b || stamp(b.version, b.updated_at) !== stamp(r.version, r.updated_at as Date);
    })
    .map((r) => r.id);
  if (changed.length > Math.max(50, live.length / 4)) {
    const stations = await loadAnalysisStations(db);
    return { stations, changed: stations.map((s) => s.id) };
  }
  const fresh = changed.length ? ((await stationsWithTypes(db).where('st.id', 'in', changed).execute()) as StationRow[]) : [];
  const byId = new Map(fresh.map((s) => [s.id, s]));
  const reread = new Set(changed);
  const stations: StationRow[] = [];
  for (const r of live) {
    // A row read again may have been deleted between the two reads: then it is left out.
    const s = byId.get(r.id) ?? (reread.has(r.id) ? undefined : before.get(r.id));
    if (s) stations.push(s);
  }
  return { stations, changed };
}

export async function loadNetwork(db: Kysely<Database>): Promise<StreetNetwork> {
  const [nodes, edges] = await Promise.all([
    sql<{ id: number; lon: number; lat: number }>`SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM network_nodes ORDER BY id`.execute(db),
    sql<{
      id: number;
      source: number;
      target: number;
      coords: { coordinates: [number, number][] };
      length_m: number;
      highway: string;
      walkable: boolean;
      name: string | null;
    }>`
      SELECT id, source, target, ST_AsGeoJSON(geom, 9)::json AS coords, length_m, highway, walkable, name FROM network_edges ORDER BY id`.execute(db),
  ]);
  return {
    nodes: nodes.rows,
    edges: edges.rows.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      coords: e.coords.coordinates,
      lengthM: e.length_m,
      highway: e.highway,
      walkable: e.walkable,
      name: e.name,
    })),
  };
}

/**
 * Changes whenever a row of the table is inserted, updated or deleted through the app or an import
 * (the network through `replaceNetwork`, which writes a new `network_version`).
 */
export async function fingerprints(db: Kysely<Database>): Promise<{ grids: string; stations: string; network: string; types: string }> {
  const r = await sql<{ grids: string; stations: string; network: string; types: string }>`
    SELECT (SELECT count(*) || ':' || coalesce(sum(version), 0) || ':' || coalesce(max(updated_at)::text, '') || ':' || count(deleted_at) FROM grids) AS grids,
           (SELECT count(*) || ':' || coalesce(sum(version), 0) || ':' || coalesce(max(updated_at)::text, '') || ':' || coalesce(max(id), 0) || ':' || count(deleted_at) FROM stations) AS stations,
           (SELECT coalesce((SELECT value::text FROM dataset_meta WHERE key = 'network_version'), 'none')) AS network,
           (SELECT string_agg(code || coverage_mode || coverage_radius_m || '/' || coverage_minutes, ',' ORDER BY code) FROM station_types) AS types`.execute(
    db,
  );
  return r.rows[0];
}
