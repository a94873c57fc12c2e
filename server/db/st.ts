/**
 * Typed ST_* helpers (Kysely's reusable-helper recipe): the only place geometry crosses between
 * GeoJSON and PostGIS.
 *
 * Polygons are written on the storage grid (every coordinate a multiple of 1e-9°) with RFC 7946
 * winding, and read back with 9 decimals (`SERVED_DECIMALS`): served = stored, so every polygon
 * served is exactly as valid as the stored one and an unchanged polygon sent back is unchanged
 * (../validation/polygons.ts). Points and lines are written as given.
 */
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Geometry } from 'geojson';
import { SERVED_DECIMALS, snapToGrid } from '../validation/polygons.js';

export { SERVED_DECIMALS };

/**
 * A column/expression as a parsed GeoJSON geometry. Polygons that may be sent back (edited,
 * re-imported) must be read with `SERVED_DECIMALS`; 7 decimals (≈ 1 cm) is the default for points.
 */
export function asGeoJson<T extends Geometry = Geometry>(geom: Expression<unknown> | RawBuilder<unknown>, decimals = 7): RawBuilder<T> {
  return sql<T>`ST_AsGeoJSON(${geom}, ${sql.lit(decimals)})::json`;
}

/** A geometry as it is stored: polygons on the 1e-9° grid, counter-clockwise exteriors. */
function stored(geometry: Geometry): RawBuilder<unknown> {
  if (geometry.type === 'Polygon' || geometry.type === 'MultiPolygon') {
    return sql`ST_ForcePolygonCCW(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(snapToGrid(geometry))}), 4326))`;
  }
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326)`;
}

/**
 * A polygon expression as it is stored: counter-clockwise, every coordinate exactly the double that
 * its 9-decimal text parses to. Overlays with a 1e-9 grid size land on the grid only up to an ulp
 * (GEOS 3.11 scales by 1/1e-9 ≠ 1e9): passing the result through its own 9-decimal text makes
 * served and stored the same numbers on every engine.
 */
export function onStorageGrid(g: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_ForcePolygonCCW(${g}), ${sql.lit(SERVED_DECIMALS)})), 4326)`;
}

/** A GeoJSON geometry parameter as a PostGIS geometry in EPSG:4326 (polygons on the storage grid). */
export function fromGeoJson(geometry: Geometry): RawBuilder<unknown> {
  return stored(geometry);
}

/** As `fromGeoJson`, promoted to MultiPolygon (admin boundaries are stored as MultiPolygon). */
export function multiFromGeoJson(geometry: Geometry): RawBuilder<unknown> {
  return sql`ST_Multi(${stored(geometry)})`;
}

/** A WGS84 point. */
export function point(lon: number, lat: number): RawBuilder<unknown> {
  return sql`ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)`;
}

/** The envelope of a bbox [minLon, minLat, maxLon, maxLat] in EPSG:4326 (index-friendly with &&). */
export function envelope(b: readonly [number, number, number, number]): RawBuilder<unknown> {
  return sql`ST_MakeEnvelope(${b[0]}, ${b[1]}, ${b[2]}, ${b[3]}, 4326)`;
}

/** Geodesic area in square metres. */
export function geodesicArea(geom: Expression<unknown>): RawBuilder<number> {
  return sql<number>`ST_Area(${geom}::geography)`;
}
