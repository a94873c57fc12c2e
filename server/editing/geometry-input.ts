/**
 * Structural checks of a drawn polygon or line before it goes anywhere near the database:
 * the shape of the JSON, coordinate ranges, closed rings, repeated points and vertex limits
 * (and, once PostGIS has found the polygon valid, RFC 7946 winding). Each problem names where it is (ring, vertex) in Chinese and English.
 * Topological validity (self-intersection, holes outside the shell) is checked by PostGIS
 * (ST_IsValidDetail), which also gives the location; see ./grid-edits.ts.
 */
import type { LineString, Polygon, Position } from 'geojson';

export interface Problem {
  code: string;
  zh: string;
  en: string;
  /** Where, as [lon, lat], when the problem has a place. */
  location?: [number, number];
  /** The grid concerned, when it is not the edited one. */
  grid?: { id: number; code: string };
  area_m2?: number;
}

export const MAX_VERTICES = 10_000;
export const MAX_RINGS = 100;

type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

const isPosition = (p: unknown): p is Position =>
  Array.isArray(p) && (p.length === 2 || p.length === 3) && p.every((v) => typeof v === 'number' && Number.isFinite(v));

function checkPositions(positions: unknown[], label: { zh: string; en: string }, problems: Problem[]): positions is Position[] {
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i];
    if (!isPosition(p)) {
      problems.push({ code: 'bad_position', zh: `${label.zh}第 ${i + 1} 个顶点不是 [经度, 纬度] 数字对`, en: `${label.en} vertex ${i + 1} is not a [lon, lat] pair of numbers` });
      return false;
    }
    if (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) {
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

function repeatedVertex(ring: Position[], label: { zh: string; en: string }): Problem | null {
  for (let i = 1; i < ring.length; i++) {
    if (ring[i][0] === ring[i - 1][0] && ring[i][1] === ring[i - 1][1]) {
      return { code: 'duplicate_vertex', zh: `${label.zh}第 ${i} 与第 ${i + 1} 个顶点重复`, en: `${label.en} vertices ${i} and ${i + 1} are the same point`, location: [ring[i][0], ring[i][1]] };
    }
  }
  return null;
}

/** Twice the signed area in degrees² (shoelace): > 0 counter-clockwise. */
function signedArea2(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length - 1; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s;
}

/** Unwraps a Feature; accepts only a Polygon. */
export function checkPolygon(input: unknown): Checked<Polygon> {
  const g = (input as { type?: unknown })?.type === 'Feature' ? (input as { geometry?: unknown }).geometry : input;
  const type = (g as { type?: unknown })?.type;
  if (!g || typeof g !== 'object' || type !== 'Polygon') {
    return {
      ok: false,
      problems: [{ code: 'not_polygon', zh: `几何必须是 GeoJSON Polygon（收到 ${typeof type === 'string' ? type : typeof g}）`, en: `Geometry must be a GeoJSON Polygon (got ${typeof type === 'string' ? type : typeof g})` }],
    };
  }
  const rings = (g as { coordinates?: unknown }).coordinates;
  if (!Array.isArray(rings) || rings.length === 0) return { ok: false, problems: [{ code: 'no_rings', zh: '多边形没有坐标环', en: 'The polygon has no rings' }] };
  if (rings.length > MAX_RINGS) return { ok: false, problems: [{ code: 'too_many_rings', zh: `多边形的环过多（${rings.length}，最多 ${MAX_RINGS}）`, en: `Too many rings (${rings.length}; at most ${MAX_RINGS})` }] };
  const problems: Problem[] = [];
  let vertices = 0;
  for (const r of rings) vertices += Array.isArray(r) ? r.length : 0;
  if (vertices > MAX_VERTICES) {
    return { ok: false, problems: [{ code: 'too_many_vertices', zh: `顶点过多（${vertices}，最多 ${MAX_VERTICES}）`, en: `Too many vertices (${vertices}; at most ${MAX_VERTICES})` }] };
  }
  rings.forEach((ring: unknown, k: number) => {
    const label = k === 0 ? { zh: '外环', en: 'Exterior ring' } : { zh: `第 ${k} 个内环`, en: `Hole ${k}` };
    if (!Array.isArray(ring)) {
      problems.push({ code: 'bad_ring', zh: `${label.zh}不是坐标数组`, en: `${label.en} is not an array of positions` });
      return;
    }
    if (!checkPositions(ring, label, problems)) return;
    if (ring.length < 4) {
      problems.push({ code: 'too_few_vertices', zh: `${label.zh}至少需要 4 个坐标（3 个顶点并闭合），收到 ${ring.length} 个`, en: `${label.en} needs at least 4 positions (3 vertices, closed); got ${ring.length}` });
      return;
    }
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      problems.push({ code: 'ring_not_closed', zh: `${label.zh}未闭合：首尾坐标必须相同`, en: `${label.en} is not closed: the first and last positions must be equal`, location: [last[0], last[1]] });
      return;
    }
    const dup = repeatedVertex(ring, label);
    if (dup) {
      problems.push(dup);
      return;
    }
  });
  return problems.length ? { ok: false, problems } : { ok: true, value: { type: 'Polygon', coordinates: (rings as Position[][]).map((r) => r.map((p) => [p[0], p[1]])) } };
}

/**
 * RFC 7946 winding (exterior counter-clockwise, holes clockwise). Checked after PostGIS validity:
 * the orientation of a self-intersecting ring means nothing, and its problem is the crossing.
 */
export function windingProblems(polygon: Polygon): Problem[] {
  const problems: Problem[] = [];
  polygon.coordinates.forEach((ring, k) => {
    const label = k === 0 ? { zh: '外环', en: 'Exterior ring' } : { zh: `第 ${k} 个内环`, en: `Hole ${k}` };
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
  const g = (input as { type?: unknown })?.type === 'Feature' ? (input as { geometry?: unknown }).geometry : input;
  const type = (g as { type?: unknown })?.type;
  if (!g || typeof g !== 'object' || type !== 'LineString') {
    return { ok: false, problems: [{ code: 'not_linestring', zh: `分割线必须是 GeoJSON LineString（收到 ${typeof type === 'string' ? type : typeof g}）`, en: `The split line must be a GeoJSON LineString (got ${typeof type === 'string' ? type : typeof g})` }] };
  }
  const coords = (g as { coordinates?: unknown }).coordinates;
  const label = { zh: '分割线', en: 'Split line' };
  const problems: Problem[] = [];
  if (!Array.isArray(coords) || coords.length < 2) return { ok: false, problems: [{ code: 'too_few_vertices', zh: '分割线至少需要 2 个顶点', en: 'The split line needs at least 2 vertices' }] };
  if (coords.length > MAX_VERTICES) return { ok: false, problems: [{ code: 'too_many_vertices', zh: `分割线顶点过多（最多 ${MAX_VERTICES}）`, en: `The split line has too many vertices (at most ${MAX_VERTICES})` }] };
  if (!checkPositions(coords, label, problems)) return { ok: false, problems };
  const dup = repeatedVertex(coords as Position[], label);
  if (dup) return { ok: false, problems: [dup] };
  return { ok: true, value: { type: 'LineString', coordinates: (coords as Position[]).map((p) => [p[0], p[1]]) } };
}
