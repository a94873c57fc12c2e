/**
 * Typed ST_* helpers (Kysely's reusable-helper recipe): the only place geometry crosses between
 * GeoJSON and PostGIS. Output is 7 decimals (≈1 cm), enough for any boundary and compact.
 */
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Geometry } from 'geojson';

/** A column/expression as a parsed GeoJSON geometry. */
export function asGeoJson<T extends Geometry = Geometry>(geom: Expression<unknown> | RawBuilder<unknown>, decimals = 7): RawBuilder<T> {
  return sql<T>`ST_AsGeoJSON(${geom}, ${sql.lit(decimals)})::json`;
}

/** A GeoJSON geometry parameter as a PostGIS geometry in EPSG:4326. */
export function fromGeoJson(geometry: Geometry): RawBuilder<unknown> {
  return sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326)`;
}

/** As `fromGeoJson`, promoted to MultiPolygon (admin boundaries are stored as MultiPolygon). */
export function multiFromGeoJson(geometry: Geometry): RawBuilder<unknown> {
  return sql`ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(geometry)}), 4326))`;
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
