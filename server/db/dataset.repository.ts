/**
 * Bulk writes of a whole data set: admin units, grids, stations, the street network. Used by the
 * sample-city seed and the importers; callers wrap them in one transaction so a failure leaves
 * nothing behind.
 */
import { sql, type Kysely } from 'kysely';
import type { Feature, MultiPolygon, Point, Polygon } from 'geojson';
import type { Database } from './schema.js';
import { fromGeoJson, multiFromGeoJson } from './st.js';
import type { AdminProps, GridProps, StationProps, SampleCity } from '../../geodata/types.js';
import type { StreetNetwork } from '../network/types.js';

export type AdminLevel = 'district' | 'street' | 'community';
export type Tx = Kysely<Database>;

const BATCH = 500;

export function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A data error found while writing (e.g. an unknown parent code), with the feature it concerns. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly details: { feature?: number; code?: string; kind?: string }[] = [],
  ) {
    super(message);
  }
}

export async function codeToId(tx: Tx, table: 'districts' | 'streets' | 'communities', codes: string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (const part of chunks([...new Set(codes)], 5000)) {
    if (part.length === 0) continue;
    const rows = await tx.selectFrom(table).select(['id', 'code']).where('code', 'in', part).execute();
    for (const r of rows) map.set(r.code, r.id);
  }
  return map;
}

function missingParents(kind: string, features: { properties: { code: string } }[], parentOf: (i: number) => string | undefined, ids: Map<string, number>) {
  const missing = features.map((f, i) => ({ i, code: f.properties.code, parent: parentOf(i) })).filter((x) => !x.parent || !ids.has(x.parent));
  if (missing.length) {
    const first = missing[0];
    throw new DatasetError(
      `${missing.length} 个${kind}的上级编码不存在，例如第 ${first.i + 1} 个（编码 ${first.code}，上级 ${first.parent ?? '缺失'}） / ${missing.length} ${kind} feature(s) reference an unknown parent, e.g. feature ${first.i + 1} (code ${first.code}, parent ${first.parent ?? 'missing'})`,
      missing.slice(0, 100).map((m) => ({ feature: m.i, code: m.code, kind })),
    );
  }
}

/** Inserts admin units of one level; parents must exist already (insert top-down). */
export async function insertAdminUnits(tx: Tx, level: AdminLevel, features: Feature<Polygon | MultiPolygon, AdminProps>[]): Promise<number> {
  if (level === 'district') {
    for (const part of chunks(features)) {
      await tx
        .insertInto('districts')
        .values(part.map((f) => ({ code: f.properties.code, name: f.properties.name, boundary: multiFromGeoJson(f.geometry) })))
        .execute();
    }
    return features.length;
  }
  const parentTable = level === 'street' ? 'districts' : 'streets';
  const ids = await codeToId(
    tx,
    parentTable,
    features.map((f) => f.properties.parentCode ?? ''),
  );
  missingParents(level === 'street' ? '街道 (street)' : '社区 (community)', features, (i) => features[i].properties.parentCode, ids);
  for (const part of chunks(features)) {
    if (level === 'street') {
      await tx
        .insertInto('streets')
        .values(
          part.map((f) => ({
            code: f.properties.code,
            name: f.properties.name,
            district_id: ids.get(f.properties.parentCode!)!,
            boundary: multiFromGeoJson(f.geometry),
          })),
        )
        .execute();
    } else {
      await tx
        .insertInto('communities')
        .values(
          part.map((f) => ({
            code: f.properties.code,
            name: f.properties.name,
            street_id: ids.get(f.properties.parentCode!)!,
            boundary: multiFromGeoJson(f.geometry),
          })),
        )
        .execute();
    }
  }
  return features.length;
}

export async function insertGrids(tx: Tx, features: Feature<Polygon, GridProps>[], updatedBy = 'import'): Promise<number> {
  const ids = await codeToId(
    tx,
    'communities',
    features.map((f) => f.properties.communityCode),
  );
  missingParents('网格 (grid)', features, (i) => features[i].properties.communityCode, ids);
  for (const part of chunks(features)) {
    await tx
      .insertInto('grids')
      .values(
        part.map((f) => ({
          code: f.properties.code,
          name: f.properties.name,
          community_id: ids.get(f.properties.communityCode)!,
          boundary: fromGeoJson(f.geometry),
          leader_name: f.properties.leaderName ?? null,
          leader_phone: f.properties.leaderPhone ?? null,
          party_branch: f.properties.partyBranch ?? null,
          population: f.properties.population ?? 0,
          households: f.properties.households ?? 0,
          updated_by: updatedBy,
        })),
      )
      .execute();
  }
  return features.length;
}

export async function insertStations(tx: Tx, features: Feature<Point, StationProps>[], updatedBy = 'import'): Promise<number> {
  for (const part of chunks(features)) {
    await tx
      .insertInto('stations')
      .values(
        part.map((f) => ({
          code: f.properties.code,
          type_code: f.properties.type,
          name: f.properties.name,
          address: f.properties.address ?? null,
          geom: fromGeoJson(f.geometry),
          amenities: [...f.properties.amenities],
          opening_hours: f.properties.openingHours,
          phone: f.properties.phone ?? null,
          operator: f.properties.operator ?? null,
          status: f.properties.status,
          updated_by: updatedBy,
        })),
      )
      .execute();
  }
  return features.length;
}

/** Replaces the whole street network (nodes then edges). */
export async function replaceNetwork(tx: Tx, network: StreetNetwork): Promise<{ nodes: number; edges: number }> {
  await tx.deleteFrom('network_edges').execute();
  await tx.deleteFrom('network_nodes').execute();
  for (const part of chunks(network.nodes, 2000)) {
    await tx
      .insertInto('network_nodes')
      .values(part.map((n) => ({ id: n.id, geom: sql`ST_SetSRID(ST_MakePoint(${n.lon}, ${n.lat}), 4326)` })))
      .execute();
  }
  for (const part of chunks(network.edges, 1000)) {
    await tx
      .insertInto('network_edges')
      .values(
        part.map((e) => ({
          id: e.id,
          source: e.source,
          target: e.target,
          geom: fromGeoJson({ type: 'LineString', coordinates: e.coords }),
          length_m: e.lengthM,
          highway: e.highway,
          walkable: e.walkable,
          name: e.name ?? null,
          osm_way_id: e.wayId ?? null,
        })),
      )
      .execute();
  }
  // A new version tells in-memory walking graphs to rebuild (see analysis.repository fingerprints).
  await setMeta(tx, 'network_version', { at: new Date().toISOString(), nonce: Math.random().toString(36).slice(2), edges: network.edges.length });
  return { nodes: network.nodes.length, edges: network.edges.length };
}

export async function setMeta(tx: Tx, key: string, value: unknown): Promise<void> {
  await tx
    .insertInto('dataset_meta')
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
    .execute();
}

export async function getMeta<T>(tx: Tx, key: string): Promise<T | null> {
  const row = await tx.selectFrom('dataset_meta').select('value').where('key', '=', key).executeTakeFirst();
  return (row?.value as T) ?? null;
}

/** Deletes every data row (keeps schema and station types). */
export async function clearDataset(tx: Tx): Promise<void> {
  // History and street assignments point at the rows being replaced; accounts themselves stay.
  await sql`TRUNCATE grid_history, station_history, user_streets, network_edges, network_nodes, stations, grids, communities, streets, districts, dataset_meta RESTART IDENTITY`.execute(
    tx,
  );
}

/** Loads a whole sample city in the caller's transaction. */
export async function loadSampleCity(tx: Tx, city: SampleCity): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  counts.districts = await insertAdminUnits(tx, 'district', city.districts);
  counts.streets = await insertAdminUnits(tx, 'street', city.streets);
  counts.communities = await insertAdminUnits(tx, 'community', city.communities);
  counts.grids = await insertGrids(tx, city.grids, 'sample');
  counts.stations = await insertStations(tx, city.stations, 'sample');
  const net = await replaceNetwork(tx, city.network);
  counts.networkNodes = net.nodes;
  counts.networkEdges = net.edges;
  await setMeta(tx, 'dataset', { ...city.meta, loadedAt: new Date().toISOString() });
  await setMeta(tx, 'barriers', city.barriers);
  return counts;
}
