/**
 * Measuring on the WGS84 ellipsoid, in one place: metres per degree, local metre frames, short and
 * exact geodesic distances, and polygon areas. PostGIS `geography` is the reference the numbers are
 * checked against; every degrees → metres conversion in the server goes through here.
 *
 * Pure.
 */
import turfArea from '@turf/area';
// A UMD bundle: its named exports are not visible to ESM, so take them from the default export.
import geographiclib from 'geographiclib-geodesic';
import type { MultiPolygon, Polygon } from 'geojson';

// WGS84 ellipsoid: semi-major axis and first eccentricity squared.
const A = 6_378_137;
const E2 = 0.00669437999014;
const RAD = Math.PI / 180;
const WGS84 = geographiclib.Geodesic.WGS84;
const DISTANCE = geographiclib.Geodesic.DISTANCE;

/**
 * Metres per degree of longitude (`x`) and of latitude (`y`) at `lat` on the WGS84 ellipsoid
 * (prime-vertical and meridional radii of curvature). A sphere is off by up to ~0.3 % — 2–3 m on a
 * 1 km circle, enough to move per-grid shares by a percentage point against PostGIS.
 * @example metresPerDegree(38.91) // { x: 86_774.6…, y: 111_031.7… }
 */
export function metresPerDegree(lat: number): { x: number; y: number } {
  const s = Math.sin(lat * RAD);
  const w = Math.sqrt(1 - E2 * s * s);
  const m = (A * (1 - E2)) / (w * w * w);
  const n = A / w;
  return { y: m * RAD, x: n * Math.cos(lat * RAD) * RAD };
}

/**
 * Ellipsoidal distance in metres for short distances (up to a few km): the local tangent-plane
 * metric at the mean latitude (within ~1 mm per km of GeographicLib at these ranges).
 */
export function localDistanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const k = metresPerDegree((lat1 + lat2) / 2);
  return Math.hypot((lon2 - lon1) * k.x, (lat2 - lat1) * k.y);
}

/** Exact ellipsoidal geodesic distance in metres (GeographicLib, as PostGIS `ST_Distance(geography)`). */
export function geodesicDistanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return WGS84.Inverse(lat1, lon1, lat2, lon2, DISTANCE).s12!;
}

/**
 * Geodesic area of a polygon or multipolygon in m². Today Turf's spherical area (within ~0.3 % of
 * the ellipsoid); the one place to change when areas move to the ellipsoid.
 */
export function areaM2(geometry: Polygon | MultiPolygon): number {
  return turfArea(geometry);
}

/**
 * A local equirectangular frame: x metres east, y metres north of (lon0, lat0), with the
 * ellipsoid's scales at lat0. Good for a few km; see {@link frameStretch} for how far off it gets.
 */
export interface LocalFrame {
  lon0: number;
  lat0: number;
  /** Metres per degree of longitude / latitude at lat0. */
  kx: number;
  ky: number;
}

export function localFrame(lon0: number, lat0: number): LocalFrame {
  const k = metresPerDegree(lat0);
  return { lon0, lat0, kx: k.x, ky: k.y };
}

/**
 * The largest factor by which the frame overstates a true distance anywhere between `minLat` and
 * `maxLat` (≥ 1): a buffer of radius r·stretch in the frame holds every point within r of a line
 * there. About 1 + 1.3e-7 per metre of latitude away from lat0 at 39°.
 */
export function frameStretch(f: LocalFrame, minLat: number, maxLat: number): number {
  let worst = 1;
  // Both scales change monotonically with |lat|, so the ends of the span (and the equator, when
  // the span crosses it) bound them.
  for (const lat of minLat < 0 && maxLat > 0 ? [minLat, 0, maxLat] : [minLat, maxLat]) {
    const k = metresPerDegree(lat);
    worst = Math.max(worst, f.kx / k.x, f.ky / k.y);
  }
  return worst;
}
