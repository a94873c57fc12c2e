/**
 * Measuring on the WGS84 ellipsoid, in one place: metres per degree, local metre frames, short and
 * exact geodesic distances, street lengths, polygon areas and display tolerances. PostGIS `geography` is the reference the numbers are
 * checked against; every degrees → metres conversion in the server goes through here.
 *
 * Pure.
 */
// A UMD bundle: its named exports are not visible to ESM, so take them from the default export.
import geographiclib from 'geographiclib-geodesic';
import type { MultiPolygon, Polygon, Position } from 'geojson';

// WGS84 ellipsoid: semi-major axis and first eccentricity squared.
const A = 6_378_137;
const E2 = 0.00669437999014;
const RAD = Math.PI / 180;
const WGS84 = geographiclib.Geodesic.WGS84;
const DISTANCE = geographiclib.Geodesic.DISTANCE;
const AREA = geographiclib.Geodesic.AREA;
const E = Math.sqrt(E2);

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
 * `m` metres as a tolerance in degrees for simplifying lon/lat geometry (ST_Simplify): at most `m`
 * metres in every direction at every latitude (a degree is longest north–south at the poles,
 * 111,694 m). Display tolerances only; measurements use the functions below.
 * @example toleranceDeg(5) // 4.476…e-5
 */
export function toleranceDeg(m: number): number {
  return m / MAX_M_PER_DEG;
}
const MAX_M_PER_DEG = metresPerDegree(90).y;

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
 * Length of a lon/lat polyline on the WGS84 ellipsoid in metres: {@link localDistanceM} per segment
 * (within 1 mm per km of the geodesic), GeographicLib for segments over 1 km. Street-edge lengths
 * everywhere (OSM import, sample city) come from here; PostGIS `ST_Length(geography)` agrees.
 * @example lineLengthM([[121.6, 38.91], [121.601, 38.91]]) // 86.77…
 */
export function lineLengthM(coords: readonly Position[]): number {
  let sum = 0;
  for (let i = 1; i < coords.length; i++) {
    const [x0, y0] = coords[i - 1]! as [number, number];
    const [x1, y1] = coords[i]! as [number, number];
    const d = localDistanceM(x0, y0, x1, y1);
    sum += d > 1000 ? geodesicDistanceM(x0, y0, x1, y1) : d;
  }
  return sum;
}

/**
 * Area between the equator and latitude `lat` per radian of longitude, m² (a²·q(φ)/2, q the
 * authalic function): the y of the ellipsoid's cylindrical equal-area projection.
 */
function zoneM2(lat: number): number {
  const s = Math.sin(lat * RAD);
  return ((A * A) / 2) * (1 - E2) * (s / (1 - E2 * s * s) + Math.atanh(E * s) / E);
}

/** Edges longer than this (m) are measured exactly with GeographicLib in {@link areaM2}. */
export const AREA_EXACT_EDGE_M = 250;

const EXACT2 = AREA_EXACT_EDGE_M * AREA_EXACT_EDGE_M;

/** Longitude difference in radians, wrapped into (−π, π]. */
function dLonRad(lon1: number, lon2: number): number {
  let d = lon2 - lon1;
  if (d > 180) d -= 360;
  else if (d <= -180) d += 360;
  return d * RAD;
}

/**
 * Signed area of one ring on the ellipsoid (counter-clockwise > 0), m². Each edge contributes the
 * area between it and the equator (a trapezoid in the cylindrical equal-area projection, exact
 * for the projection's straight line); edges longer than {@link AREA_EXACT_EDGE_M} take
 * GeographicLib's S12 instead (the same quantity for the geodesic).
 */
function ringAreaM2(ring: readonly Position[]): number {
  const n = ring.length;
  if (n < 3) return 0;
  const closed = ring[0]![0] === ring[n - 1]![0] && ring[0]![1] === ring[n - 1]![1];
  const m = closed ? n - 1 : n;
  if (m < 3) return 0;
  // Shoelace with coordinates relative to the first vertex (x: radians of longitude, y: zone
  // area − its value at the first vertex); Σ Δx = 0 for a closed ring, so the offsets cancel.
  const y0 = zoneM2(ring[0]![1]!);
  let x = 0;
  let y = 0;
  let twice = 0;
  let correction = 0;
  for (let i = 1; i <= m; i++) {
    const p = ring[i - 1]!;
    const q = ring[i % m]!;
    const dx = dLonRad(p[0]!, q[0]!);
    const nx = x + dx;
    const ny = i === m ? 0 : zoneM2(q[1]!) - y0;
    twice += x * ny - nx * y;
    const cm = Math.cos(((p[1]! + q[1]!) / 2) * RAD);
    const ex = dx * A * cm;
    const ey = (q[1]! - p[1]!) * RAD * A;
    if (ex * ex + ey * ey > EXACT2) {
      // The geodesic's area to the equator minus the projection's straight edge's.
      const straight = (dx * (y + ny)) / 2 + dx * y0;
      correction += WGS84.Inverse(p[1]!, p[0]!, q[1]!, q[0]!, AREA).S12! - straight;
    }
    x = nx;
    y = ny;
  }
  return twice / 2 - correction;
}

/**
 * Area of a polygon or multipolygon on the WGS84 ellipsoid in m² (outer rings minus holes,
 * whatever their winding), the number PostGIS `ST_Area(geography)` gives for the same polygon.
 *
 * Edges up to 250 m are taken as straight lines of the ellipsoid's cylindrical equal-area projection
 * (authalic latitude), exact for that line; a geodesic of length L bows away from it by O(L²/R), so
 * its area differs by O(L³/R) — about 1 m² at most for a 250 m edge at 70°, and opposite edges
 * cancel: measured within 0.001 % of GeographicLib's PolygonArea (= PostGIS ST_Area(geography)) for
 * polygons of 50 m to 10 km at latitudes up to ±70° (measure.test.ts). Longer edges are measured
 * with GeographicLib (exact, ~13 µs each); the rest cost ~0.06 µs per vertex (Turf's spherical
 * formula, 0.1–0.7 % off the ellipsoid, costs about the same; GeographicLib for every edge ~8 µs).
 * Not for polygons around a pole or wider than 180° of longitude.
 */
export function areaM2(geometry: Polygon | MultiPolygon): number {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let total = 0;
  for (const rings of polys) {
    for (let r = 0; r < rings.length; r++) {
      const a = Math.abs(ringAreaM2(rings[r]!));
      total += r === 0 ? a : -a;
    }
  }
  return total;
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
