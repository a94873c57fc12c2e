/**
 * Structural geometry checks shared by editing and import (pure, no database).
 *
 * The predicates at the top (numeric positions, the lon/lat range, equal points, closed rings,
 * collinear rings) are what both sides test; the editor's checks of a drawn polygon or split line
 * follow: the shape of the JSON, coordinate ranges, closed rings, repeated points and vertex limits
 * (and, once PostGIS has found the polygon valid, RFC 7946 winding). Each problem names where it is
 * (ring, vertex) in Chinese and English.
 * Topological validity (self-intersection, holes outside the shell) of an edit is checked by PostGIS
 * (ST_IsValidDetail), which also gives the location; see ../editing/grids/checks.ts. Imports check
 * self-intersections without a database: ./self-intersections.ts, used by ../import/records/geometry.ts.
 *
 * What each side does with a failed predicate differs on purpose and is kept: a drawn polygon is
 * refused at its first bad or repeated vertex and has a vertex cap; an imported feature drops
 * Z values and consecutive duplicate positions, counts every bad position, and has no cap.
 */
import type { LineString, Polygon, Position } from 'geojson';
import type { Checked, Problem } from './problem.js';

// --- Shared predicates --------------------------------------------------------------------------

/** x and y are finite numbers (further ordinates are not looked at). */
export const hasFiniteXY = (p: unknown): p is Position =>
  Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number' && Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** Longitude −180..180 and latitude −90..90. */
export const inLonLatRange = (p: Position) => !(p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90);

export const samePoint = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

/** First and last positions equal (an empty ring is not closed). */
export const ringClosed = (ring: readonly Position[]) => ring.length > 0 && samePoint(ring[0], ring[ring.length - 1]);

/** Whether all positions of a ring lie on one straight line (zero area; a bowtie has zero signed area but is not collinear). */
export function ringCollinear(ring: readonly Position[]): boolean {
  const [x0, y0] = ring[0];
  const [x1, y1] = ring[1];
  for (let i = 2; i < ring.length; i++) {
    if ((x1 - x0) * (ring[i][1] - y0) - (y1 - y0) * (ring[i][0] - x0) !== 0) return false;
  }
  return true;
}

/** Twice the signed area in degrees² (shoelace): > 0 counter-clockwise. */
export function signedArea2(ring: readonly Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s;
}

// --- Drawn polygons and split lines (the editor) ------------------------------------------------

export const MAX_VERTICES = 10_000;
export const MAX_RINGS = 100;

type Label = { zh: string; en: string };

const ringLabel = (k: number): Label => (k === 0 ? { zh: '外环', en: 'Exterior ring' } : { zh: `第 ${k} 个内环`, en: `Hole ${k}` });

/** A drawn vertex: [lon, lat] or [lon, lat, z], all finite numbers. */
const isPosition = (p: unknown): p is Position =>
  hasFiniteXY(p) && (p.length === 2 || p.length === 3) && p.every((v) => typeof v === 'number' && Number.isFinite(v));

function checkPositions(positions: unknown[], label: Label, problems: Problem[]): positions is Position[] {
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    if (!isPosition(p)) {
      problems.push({
        code: 'bad_position',
        zh: `${label.zh}第 ${i + 1} 个顶点不是 [经度, 纬度] 数字对`,
        en: `${label.en} vertex ${i + 1} is not a [lon, lat] pair of numbers`,
      });
      return false;
    }
    if (!inLonLatRange(p)) {
      problems.push({
        code: 'out_of_range',
        zh: `${label.zh}第 ${i + 1} 个顶点 [${p[0]}, ${p[1]}] 超出经纬度范围（经度 ±180，纬度 ±90）`,
        en: `${label.en} vertex ${i + 1} [${p[0]}, ${p[1]}] is outside lon ±180 / lat ±90`,
      });
      return false;
    }
  }
  return true;
}

function repeatedVertex(ring: Position[], label: Label): Problem | null {
  for (let i = 1; i < ring.length; i++) {
    if (samePoint(ring[i], ring[i - 1])) {
      return {
        code: 'duplicate_vertex',
        zh: `${label.zh}第 ${i} 与第 ${i + 1} 个顶点重复`,
        en: `${label.en} vertices ${i} and ${i + 1} are the same point`,
        location: [ring[i][0], ring[i][1]],
      };
    }
  }
  return null;
}

/** The geometry of a Feature, or the input itself, and its `type`. */
function unwrapFeature(input: unknown): { g: unknown; type: unknown } {
  const g = (input as { type?: unknown })?.type === 'Feature' ? (input as { geometry?: unknown }).geometry : input;
  return { g, type: (g as { type?: unknown })?.type };
}

const gotType = (g: unknown, type: unknown) => (typeof type === 'string' ? type : typeof g);

/** Unwraps a Feature; accepts only a Polygon. */
export function checkPolygon(input: unknown): Checked<Polygon> {
  const { g, type } = unwrapFeature(input);
  if (!g || typeof g !== 'object' || type !== 'Polygon') {
    return {
      ok: false,
      problems: [
        {
          code: 'not_polygon',
          zh: `几何必须是 GeoJSON Polygon（收到 ${gotType(g, type)}）`,
          en: `Geometry must be a GeoJSON Polygon (got ${gotType(g, type)})`,
        },
      ],
    };
  }
  const rings = (g as { coordinates?: unknown }).coordinates;
  if (!Array.isArray(rings) || rings.length === 0)
    return { ok: false, problems: [{ code: 'no_rings', zh: '多边形没有坐标环', en: 'The polygon has no rings' }] };
  if (rings.length > MAX_RINGS)
    return {
      ok: false,
      problems: [
        { code: 'too_many_rings', zh: `多边形的环过多（${rings.length}，最多 ${MAX_RINGS}）`, en: `Too many rings (${rings.length}; at most ${MAX_RINGS})` },
      ],
    };
  const problems: Problem[] = [];
  let vertices = 0;
  for (const r of rings) vertices += Array.isArray(r) ? r.length : 0;
  if (vertices > MAX_VERTICES) {
    return {
      ok: false,
      problems: [
        { code: 'too_many_vertices', zh: `顶点过多（${vertices}，最多 ${MAX_VERTICES}）`, en: `Too many vertices (${vertices}; at most ${MAX_VERTICES})` },
      ],
    };
  }
  rings.forEach((ring: unknown, k: number) => {
    const label = ringLabel(k);
    if (!Array.isArray(ring)) {
      problems.push({ code: 'bad_ring', zh: `${label.zh}不是坐标数组`, en: `${label.en} is not an array of positions` });
      return;
    }
    if (!checkPositions(ring, label, problems)) return;
    if (ring.length < 4) {
      problems.push({
        code: 'too_few_vertices',
        zh: `${label.zh}至少需要 4 个坐标（3 个顶点并闭合），收到 ${ring.length} 个`,
        en: `${label.en} needs at least 4 positions (3 vertices, closed); got ${ring.length}`,
      });
      return;
    }
    if (!ringClosed(ring)) {
      const last = ring[ring.length - 1];
      problems.push({
        code: 'ring_not_closed',
        zh: `${label.zh}未闭合：首尾坐标必须相同`,
        en: `${label.en} is not closed: the first and last positions must be equal`,
        location: [last[0], last[1]],
      });
      return;
    }
    const dup = repeatedVertex(ring, label);
    if (dup) {
      problems.push(dup);
      return;
    }
  });
  return problems.length
    ? { ok: false, problems }
    : { ok: true, value: { type: 'Polygon', coordinates: (rings as Position[][]).map((r) => r.map((p) => [p[0], p[1]])) } };
}

/**
 * RFC 7946 winding (exterior counter-clockwise, holes clockwise). Checked after PostGIS validity:
 * the orientation of a self-intersecting ring means nothing, and its problem is the crossing.
 */
export function windingProblems(polygon: Polygon): Problem[] {
  const problems: Problem[] = [];
  polygon.coordinates.forEach((ring, k) => {
    const label = ringLabel(k);
    const a = signedArea2(ring);
    if (a === 0) {
      problems.push({ code: 'zero_area', zh: `${label.zh}面积为零`, en: `${label.en} has zero area`, location: [ring[0][0], ring[0][1]] });
    } else if ((k === 0) !== a > 0) {
      problems.push({
        code: 'wrong_winding',
        zh: `${label.zh}方向错误：按 GeoJSON 规范（RFC 7946）外环须为逆时针、内环须为顺时针`,
        en: `${label.en} is wound the wrong way: RFC 7946 wants exterior rings counter-clockwise and holes clockwise`,
      });
    }
  });
  return problems;
}

/** A split line: a GeoJSON LineString (or a Feature of one) with at least two distinct points. */
export function checkLine(input: unknown): Checked<LineString> {
  const { g, type } = unwrapFeature(input);
  if (!g || typeof g !== 'object' || type !== 'LineString') {
    return {
      ok: false,
      problems: [
        {
          code: 'not_linestring',
          zh: `分割线必须是 GeoJSON LineString（收到 ${gotType(g, type)}）`,
          en: `The split line must be a GeoJSON LineString (got ${gotType(g, type)})`,
        },
      ],
    };
  }
  const coords = (g as { coordinates?: unknown }).coordinates;
  const label = { zh: '分割线', en: 'Split line' };
  const problems: Problem[] = [];
  if (!Array.isArray(coords) || coords.length < 2)
    return { ok: false, problems: [{ code: 'too_few_vertices', zh: '分割线至少需要 2 个顶点', en: 'The split line needs at least 2 vertices' }] };
  if (coords.length > MAX_VERTICES)
    return {
      ok: false,
      problems: [
        { code: 'too_many_vertices', zh: `分割线顶点过多（最多 ${MAX_VERTICES}）`, en: `The split line has too many vertices (at most ${MAX_VERTICES})` },
      ],
    };
  if (!checkPositions(coords, label, problems)) return { ok: false, problems };
  const dup = repeatedVertex(coords as Position[], label);
  if (dup) return { ok: false, problems: [dup] };
  return { ok: true, value: { type: 'LineString', coordinates: (coords as Position[]).map((p) => [p[0], p[1]]) } };
}
