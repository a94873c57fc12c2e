/**
 * Export layers (pure): grids, stations and coverage gaps as GeoJSON features whose properties use
 * the importer's names (so an export can be imported again), in WGS84, GCJ-02 or BD-09; and the
 * matching Shapefile field lists (≤ 10-byte ASCII names the importer also accepts).
 */
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import type { GridRow } from '../db/grids.repository.js';
import type { StationRow } from '../db/stations.repository.js';
import { convertGeometry, type Crs } from '../import/crs.js';
import { AMENITY_NAMES_ZH, type Amenity } from '../domain/stations.js';
import type { DbfField, ShapefileLayer } from './shapefile.js';

export type ExportLayer = 'grids' | 'stations' | 'gaps';

export function gridFeatures(rows: GridRow[], crs: Crs): Feature<Polygon>[] {
  return rows.map((r) => ({
    type: 'Feature',
    geometry: convertGeometry(r.geometry, 'wgs84', crs),
    properties: {
      code: r.code,
      name: r.name,
      communityCode: r.community_code,
      leaderName: r.leader_name,
      leaderPhone: r.leader_phone,
      partyBranch: r.party_branch,
      population: r.population,
      households: r.households,
      communityName: r.community_name,
      streetCode: r.street_code,
      streetName: r.street_name,
      districtName: r.district_name,
      areaM2: Math.round(r.area_m2 * 100) / 100,
    },
  }));
}

export function stationFeatures(rows: StationRow[], crs: Crs): Feature<Point>[] {
  return rows.map((r) => ({
    type: 'Feature',
    geometry: convertGeometry(r.geometry, 'wgs84', crs),
    properties: {
      code: r.code,
      type: r.type_code,
      typeName: r.type_name_zh,
      name: r.name,
      address: r.address,
      amenities: [...r.amenities],
      openingHours: r.opening_hours,
      openingHoursText: r.opening_hours_text,
      phone: r.phone,
      operator: r.operator,
      status: r.status,
    },
  }));
}

export interface GapInput {
  gridCode: string;
  gridName: string;
  communityName: string;
  streetName: string;
  leaderName: string | null;
  leaderPhone: string | null;
  gapAreaM2: number;
  uncoveredPopulation: number;
  /** The chosen station types that leave part of the grid uncovered (Chinese names, joined with 、). */
  missingTypes: string;
  /** Gap parts (WGS84 polygons' rings). */
  parts: MultiPolygon['coordinates'];
}

export function gapFeatures(gaps: GapInput[], crs: Crs): Feature<MultiPolygon>[] {
  return gaps
    .filter((g) => g.parts.length > 0)
    .map((g) => ({
      type: 'Feature',
      geometry: convertGeometry({ type: 'MultiPolygon', coordinates: g.parts }, 'wgs84', crs),
      properties: {
        gridCode: g.gridCode,
        gridName: g.gridName,
        communityName: g.communityName,
        streetName: g.streetName,
        leaderName: g.leaderName,
        leaderPhone: g.leaderPhone,
        gapAreaM2: Math.round(g.gapAreaM2 * 100) / 100,
        uncoveredPopulation: Math.round(g.uncoveredPopulation * 100) / 100,
        missingTypes: g.missingTypes,
      },
    }));
}

export const featureCollection = <G extends Polygon | MultiPolygon | Point>(features: Feature<G>[], crs: Crs): FeatureCollection<G> & { crs_note: string } => ({
  type: 'FeatureCollection',
  // RFC 7946 has no CRS member; say which system the numbers are in for people reading the file.
  crs_note:
    crs === 'wgs84' ? 'WGS84 lon/lat (EPSG:4326)' : crs === 'gcj02' ? 'GCJ-02 lon/lat (Amap/Tencent), not EPSG:4326' : 'BD-09 lon/lat (Baidu), not EPSG:4326',
  features,
});

// Shapefile columns (ASCII, ≤ 10 bytes; the importer maps them back).
const GRID_FIELDS: [string, string, DbfField['type'], number?][] = [
  ['code', 'code', 'C'],
  ['name', 'name', 'C'],
  ['communityCode', 'comm_code', 'C'],
  ['leaderName', 'leader', 'C'],
  ['leaderPhone', 'leader_tel', 'C'],
  ['partyBranch', 'party', 'C'],
  ['population', 'population', 'N', 0],
  ['households', 'households', 'N', 0],
  ['communityName', 'comm_name', 'C'],
  ['streetName', 'street', 'C'],
  ['areaM2', 'area_m2', 'N', 2],
];
const STATION_FIELDS: [string, string, DbfField['type'], number?][] = [
  ['code', 'code', 'C'],
  ['type', 'type', 'C'],
  ['name', 'name', 'C'],
  ['address', 'address', 'C'],
  ['amenities', 'amenities', 'C'],
  ['openingHours', 'hours', 'C'],
  ['phone', 'phone', 'C'],
  ['operator', 'operator', 'C'],
  ['status', 'status', 'C'],
];
const GAP_FIELDS: [string, string, DbfField['type'], number?][] = [
  ['gridCode', 'grid_code', 'C'],
  ['gridName', 'grid_name', 'C'],
  ['communityName', 'comm_name', 'C'],
  ['streetName', 'street', 'C'],
  ['leaderName', 'leader', 'C'],
  ['leaderPhone', 'leader_tel', 'C'],
  ['gapAreaM2', 'gap_m2', 'N', 2],
  ['uncoveredPopulation', 'uncov_pop', 'N', 2],
  ['missingTypes', 'missing', 'C'],
];

const FIELDS: Record<ExportLayer, typeof GRID_FIELDS> = { grids: GRID_FIELDS, stations: STATION_FIELDS, gaps: GAP_FIELDS };

export function shapefileLayer(layer: ExportLayer, features: Feature<Polygon | MultiPolygon | Point>[]): ShapefileLayer {
  const defs = FIELDS[layer];
  return {
    name: layer,
    fields: defs.map(([, name, type, decimals]) => ({ name, type, ...(type === 'N' ? { length: 18, decimals: decimals ?? 0 } : {}) })),
    features: features.map((f) => ({
      geometry: f.geometry,
      properties: Object.fromEntries(
        defs.map(([key, name]) => {
          const v = (f.properties as Record<string, unknown>)[key];
          return [name, Array.isArray(v) ? v.join(',') : v];
        }),
      ),
    })),
  };
}

/** Chinese amenity names, for tables people read. */
export const amenitiesZh = (a: readonly string[]) => a.map((x) => AMENITY_NAMES_ZH[x as Amenity] ?? x).join('、');
