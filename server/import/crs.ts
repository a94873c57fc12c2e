/**
 * Chinese coordinate systems for imports.
 *
 *   wgs84 — GPS / OpenStreetMap / 天地图 (CGCS2000 is within centimetres of WGS84 at map scale);
 *           what the database stores.
 *   gcj02 — "Mars coordinates" (火星坐标): 高德 AMap, 腾讯 Tencent, Google Maps in China. Offset by a
 *           few hundred metres from WGS84 (in Dalian ≈ 430 m east, 85 m north).
 *   bd09  — Baidu Maps (BD-09 lon/lat): GCJ-02 plus another ~0.5–1 km offset.
 *
 * Conversion uses gcoord. gcoord's GCJ-02 → WGS84 inverse is iterative; measured round-trip error in
 * Dalian is below 1e-4 m (see crs.test.ts). Outside China gcoord leaves coordinates unchanged.
 *
 * Important: gcoord.transform() MUTATES GeoJSON input in place, so these helpers deep-copy first.
 * Z values (third ordinate) are preserved.
 */
import gcoordImport from 'gcoord';
import type { Geometry, Position } from 'geojson';

export type Crs = 'wgs84' | 'gcj02' | 'bd09';
export const CRS_VALUES: readonly Crs[] = ['wgs84', 'gcj02', 'bd09'];

type Gcoord = typeof gcoordImport.default;
// gcoord is CommonJS: depending on the loader the default import is the API object itself
// (Node ESM) or a namespace holding it under `default` (some transpilers); accept both.
const gcoord: Gcoord = ((gcoordImport as unknown as { default?: Gcoord }).default ?? gcoordImport) as Gcoord;

const GCOORD_CRS: Record<Crs, Gcoord['WGS84'] | Gcoord['GCJ02'] | Gcoord['BD09']> = {
  wgs84: gcoord.WGS84,
  gcj02: gcoord.GCJ02,
  bd09: gcoord.BD09,
};

/** Case-insensitive parse of a CRS name (also accepts aliases like "GCJ-02", "amap", "baidu", "EPSG:4326"). */
export function parseCrs(value: string): Crs | null {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  if (['wgs84', 'wgs1984', 'epsg:4326', 'epsg4326', 'cgcs2000', 'gps', 'osm', 'tianditu'].includes(v)) return 'wgs84';
  if (['gcj02', 'gcj', 'amap', 'gaode', 'tencent', 'qq', 'mars'].includes(v)) return 'gcj02';
  if (['bd09', 'bd09ll', 'baidu', 'bmap'].includes(v)) return 'bd09';
  return null;
}

/** Converts one [lon, lat(, z)] position; returns a new array. */
export function convertPosition(pos: Position, from: Crs, to: Crs): Position {
  if (from === to) return [...pos];
  const [x, y] = gcoord.transform([pos[0], pos[1]], GCOORD_CRS[from], GCOORD_CRS[to]);
  return pos.length > 2 ? [x, y, ...pos.slice(2)] : [x, y];
}

function mapGeometry<G extends Geometry>(geometry: G, f: (p: Position) => Position): G {
  switch (geometry.type) {
    case 'Point':
      return { ...geometry, coordinates: f(geometry.coordinates) };
    case 'MultiPoint':
    case 'LineString':
      return { ...geometry, coordinates: geometry.coordinates.map(f) };
    case 'MultiLineString':
    case 'Polygon':
      return { ...geometry, coordinates: geometry.coordinates.map((ring) => ring.map(f)) };
    case 'MultiPolygon':
      return { ...geometry, coordinates: geometry.coordinates.map((poly) => poly.map((ring) => ring.map(f))) };
    case 'GeometryCollection':
      return { ...geometry, geometries: geometry.geometries.map((g) => mapGeometry(g, f)) };
    default: {
      const never: never = geometry;
      throw new Error(`unsupported geometry type: ${(never as { type?: string }).type}`);
    }
  }
}

/** Converts every position of a geometry between two CRSs. Returns a new object (bbox dropped: it would be stale). */
export function convertGeometry<G extends Geometry>(geometry: G, from: Crs, to: Crs): G {
  const out = mapGeometry(geometry, (p) => convertPosition(p, from, to));
  if ('bbox' in out) delete (out as { bbox?: unknown }).bbox;
  return out;
}

/** Geometry in `crs` → WGS84 (new object; the input is not modified). */
export function toWgs84<G extends Geometry>(geometry: G, crs: Crs): G {
  return convertGeometry(geometry, crs, 'wgs84');
}

/** WGS84 geometry → `crs` (new object; the input is not modified). */
export function fromWgs84<G extends Geometry>(geometry: G, crs: Crs): G {
  return convertGeometry(geometry, 'wgs84', crs);
}
