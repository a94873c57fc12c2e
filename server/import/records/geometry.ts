/**
 * Geometry checks of imported features, in the file's own coordinate system so reported positions
 * match the file. The predicates are the shared ones (../../validation/geometry.ts,
 * ../../validation/polygons.ts); what is done with them is the importer's: Z values are dropped,
 * every bad position counted (with hints for projected or swapped coordinates), and rings checked
 * for repeated consecutive points, spikes and self-intersections without a database.
 *
 * Repeated points, spikes and self-intersections are problems of the feature — unless the import
 * asks for repair: then repeated points and spike tips are removed here, a self-intersecting
 * geometry is passed on for PostGIS to make valid (../pipeline/geometry-checks.ts), and each is
 * returned as a `repair` note (never silently).
 */
import type { MultiPolygon, Point, Polygon, Position } from 'geojson';
import { hasFiniteXY, inLonLatRange, ringClosed, ringCollinear, samePoint } from '../../validation/geometry.js';
import { duplicatePoints, ringDefects, spike, withoutRingDefects } from '../../validation/polygons.js';
import type { Problem as SharedProblem } from '../../validation/problem.js';
import type { Message } from '../../validation/problem.js';
import { findSelfIntersections } from '../../validation/self-intersections.js';
import { fmtPos, isObject, P, show, typeName, type RecordProblem as Problem } from './problems.js';
import type { ReasonCode } from './types.js';

interface PositionCheck {
  /** Non-numeric / non-finite / too short positions. */
  invalid: { count: number; first?: unknown };
  /** Numeric but outside lon −180..180 / lat −90..90. */
  outOfRange: { count: number; first?: Position };
}

/** Problems of a ring's shape that repair can fix, with their place (file coordinates). */
type Notes = SharedProblem[];

/** Validates and cleans one position list: 2D copies, consecutive duplicates removed (and listed in `dups`). */
function cleanPositions(raw: unknown, check: PositionCheck, dups?: Position[]): Position[] | null {
  if (!Array.isArray(raw)) return null;
  const out: Position[] = [];
  for (const p of raw) {
    if (!hasFiniteXY(p)) {
      check.invalid.count++;
      check.invalid.first ??= p;
      continue;
    }
    const pos: Position = [p[0], p[1]];
    if (!inLonLatRange(pos)) {
      check.outOfRange.count++;
      check.outOfRange.first ??= pos;
    }
    const last = out[out.length - 1];
    if (!last || !samePoint(last, pos)) out.push(pos);
    else dups?.push(pos);
  }
  return out;
}

function positionProblems(check: PositionCheck): Problem[] {
  const problems: Problem[] = [];
  if (check.invalid.count > 0) {
    problems.push(
      P(
        `坐标无效（应为 [经度, 纬度] 数值对，如 ${show(check.invalid.first)}；共 ${check.invalid.count} 处）`,
        `invalid coordinates (expected [lon, lat] numbers, got ${show(check.invalid.first)}; ${check.invalid.count} in total)`,
        'invalid_coordinates',
      ),
    );
  }
  if (check.outOfRange.count > 0) {
    const [x, y] = check.outOfRange.first!;
    let hintZh = '';
    let hintEn = '';
    let reason: ReasonCode = 'invalid_coordinates';
    if (Math.abs(x) > 1000 || Math.abs(y) > 1000) {
      hintZh = '，似为投影坐标（如 EPSG:3857 米制坐标），请转换为经纬度';
      hintEn = '; these look like projected coordinates (e.g. EPSG:3857 metres), convert to lon/lat';
      reason = 'projected_coordinates';
    } else if (Math.abs(y) > 90 && Math.abs(x) <= 90 && Math.abs(y) <= 180) {
      hintZh = '，经纬度可能颠倒（应为 [经度, 纬度]）';
      hintEn = '; longitude and latitude may be swapped (expected [lon, lat])';
      reason = 'swapped_lat_lon';
    }
    problems.push(
      P(
        `坐标超出范围（经度 −180..180，纬度 −90..90），位置 ${fmtPos([x, y])}；共 ${check.outOfRange.count} 处${hintZh}`,
        `coordinate out of range (lon −180..180, lat −90..90) at ${fmtPos([x, y])}; ${check.outOfRange.count} in total${hintEn}`,
        reason,
      ),
    );
  }
  return problems;
}

/**
 * Checks one polygon's rings (already cleaned). With `repair`, spike tips are removed from `rings`
 * in place and spikes and self-intersections go to `notes` instead of the problems.
 */
function polygonProblems(rings: Position[][], partLabel: Message, bruteForceLimit: number, repair: boolean, notes: Notes): Problem[] {
  const problems: Problem[] = [];
  if (rings.length === 0) return [P(`${partLabel.zh}多边形没有环`, `${partLabel.en}polygon has no rings`, 'invalid_geometry')];
  let ringsOk = true;
  rings.forEach((ring, r) => {
    const ringZh = `${partLabel.zh}${r === 0 ? '外环' : `第 ${r} 个内环`}`;
    const ringEn = `${partLabel.en}${r === 0 ? 'outer ring' : `hole ${r}`}`;
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (ring.length > 0 && !ringClosed(ring)) {
      ringsOk = false;
      problems.push(
        P(
          `${ringZh}未闭合（首点 ${fmtPos(first)} ≠ 末点 ${fmtPos(last)}）`,
          `${ringEn} is not closed (first ${fmtPos(first)} ≠ last ${fmtPos(last)})`,
          'invalid_geometry',
        ),
      );
    } else if (ring.length < 4) {
      ringsOk = false;
      problems.push(
        P(
          `${ringZh}点数不足（闭合环至少 4 个点，实际 ${ring.length} 个）`,
          `${ringEn} has too few positions (a closed ring needs ≥ 4, got ${ring.length})`,
          'invalid_geometry',
        ),
      );
    } else if (ringCollinear(ring)) {
      ringsOk = false;
      problems.push(P(`${ringZh}面积为零（所有点共线）`, `${ringEn} has zero area (all positions collinear)`, 'invalid_geometry'));
    }
  });
  let spiky = false;
  if (ringsOk) {
    rings.forEach((ring, r) => {
      const { spikes } = ringDefects(ring);
      if (spikes.length === 0) return;
      const label = { zh: `${partLabel.zh}${r === 0 ? '外环' : `第 ${r} 个内环`}`, en: `${partLabel.en}${r === 0 ? 'outer ring ' : `hole ${r} `}` };
      const p = spike(label, spikes.length, [spikes[0][0], spikes[0][1]]);
      if (repair) {
        notes.push(p);
        rings[r] = withoutRingDefects(ring);
        if (rings[r].length < 4) {
          ringsOk = false;
          problems.push(P(`${label.zh}去掉尖刺后点数不足`, `${label.en}has too few positions once its spikes are removed`, 'invalid_geometry'));
        }
      } else {
        problems.push({ ...p, code: 'invalid_geometry', zh: `几何无效（${p.zh}）`, en: `invalid geometry (${p.en})` });
        spiky = true;
      }
    });
  }
  // A spike that runs straight back also touches itself: the spike is the news, not the crossing.
  if (ringsOk && !spiky) {
    const kinks = findSelfIntersections(rings, bruteForceLimit);
    if (kinks.length > 0) {
      const more = kinks.length > 1 ? `；共 ${kinks.length} 处` : '';
      const moreEn = kinks.length > 1 ? `; ${kinks.length} in total` : '';
      const zh = `几何无效（${partLabel.zh}自相交，位置 ${fmtPos(kinks[0])}${more}）`;
      const en = `invalid geometry (${partLabel.en}self-intersection at ${fmtPos(kinks[0])}${moreEn})`;
      if (repair)
        notes.push({
          code: 'self_intersection',
          zh: `${partLabel.zh}自相交（位置 ${fmtPos(kinks[0])}${more}）`,
          en: `${partLabel.en}self-intersection at ${fmtPos(kinks[0])}${moreEn}`,
          location: [kinks[0][0], kinks[0][1]],
        });
      else problems.push({ ...P(zh, en, 'invalid_geometry'), location: [kinks[0][0], kinks[0][1]] });
    }
  }
  return problems;
}

export type AllowedGeometry = 'admin' | 'grid' | 'point';

/**
 * Validates a geometry in its input CRS; returns the cleaned geometry (input CRS) or problems. With
 * `repair`, what repair fixes is listed in `repairs` instead (see the module comment).
 */
export function checkGeometry(
  raw: unknown,
  allowed: AllowedGeometry,
  bruteForceLimit: number,
  repair = false,
): { geometry?: Polygon | MultiPolygon | Point; problems: Problem[]; repairs?: SharedProblem[]; asRead?: Polygon | MultiPolygon } {
  const expectedZh = allowed === 'point' ? 'Point（点）' : allowed === 'grid' ? 'Polygon（单个多边形）' : 'Polygon 或 MultiPolygon（面）';
  const expectedEn = allowed === 'point' ? 'a Point' : allowed === 'grid' ? 'a single Polygon' : 'a Polygon or MultiPolygon';
  if (!isObject(raw)) {
    return { problems: [P(`缺少几何（geometry 为 ${typeName(raw)}）`, `missing geometry (geometry is ${typeName(raw)})`, 'missing_geometry')] };
  }
  let type = raw.type;
  let coords = raw.coordinates;
  // Unwrap single-part multi geometries where a single part is required.
  if (allowed === 'grid' && type === 'MultiPolygon' && Array.isArray(coords)) {
    if (coords.length === 1) {
      type = 'Polygon';
      coords = coords[0];
    } else {
      return {
        problems: [
          P(
            `网格必须是单个多边形，实际为含 ${coords.length} 个多边形的 MultiPolygon`,
            `a grid must be a single Polygon, got a MultiPolygon of ${coords.length} polygons`,
            'invalid_geometry',
          ),
        ],
      };
    }
  }
  if (allowed === 'point' && type === 'MultiPoint' && Array.isArray(coords) && coords.length === 1) {
    type = 'Point';
    coords = coords[0];
  }
  const typeOk = allowed === 'point' ? type === 'Point' : allowed === 'grid' ? type === 'Polygon' : type === 'Polygon' || type === 'MultiPolygon';
  if (!typeOk) {
    return { problems: [P(`几何类型应为 ${expectedZh}，实际为 ${show(type)}`, `geometry must be ${expectedEn}, got ${show(type)}`, 'invalid_geometry')] };
  }
  if (!Array.isArray(coords)) {
    return { problems: [P(`几何缺少 coordinates 数组`, `geometry has no coordinates array`, 'invalid_geometry')] };
  }

  const check: PositionCheck = { invalid: { count: 0 }, outOfRange: { count: 0 } };
  if (type === 'Point') {
    const pts = cleanPositions([coords], check);
    const problems = positionProblems(check);
    if (problems.length > 0 || !pts || pts.length !== 1)
      return { problems: problems.length ? problems : [P('点坐标无效', 'invalid point coordinates', 'invalid_geometry')] };
    return { geometry: { type: 'Point', coordinates: pts[0] }, problems: [] };
  }

  const structure: Problem[] = [];
  const notes: Notes = [];
  const dupProblems: Problem[] = [];
  const cleanPolygon = (rawRings: unknown, label: string, labelEn: string): Position[][] => {
    if (!Array.isArray(rawRings)) {
      structure.push(P(`${label}坐标结构错误（应为环的数组）`, `${labelEn}malformed coordinates (expected an array of rings)`, 'invalid_geometry'));
      return [];
    }
    return rawRings.map((r, k) => {
      const dups: Position[] = [];
      const ring = cleanPositions(r, check, dups);
      if (!ring) {
        structure.push(
          P(`${label}坐标结构错误（环应为点的数组）`, `${labelEn}malformed coordinates (a ring must be an array of positions)`, 'invalid_geometry'),
        );
        return [];
      }
      if (dups.length > 0) {
        const p = duplicatePoints(
          { zh: `${label}${k === 0 ? '外环' : `第 ${k} 个内环`}`, en: `${labelEn}${k === 0 ? 'outer ring ' : `hole ${k} `}` },
          dups.length,
          [dups[0][0], dups[0][1]],
        );
        if (repair) notes.push(p);
        else dupProblems.push({ ...p, code: 'invalid_geometry', zh: `几何无效（${p.zh}）`, en: `invalid geometry (${p.en})` });
      }
      return ring;
    });
  };
  const polygons: Position[][][] =
    type === 'Polygon' ? [cleanPolygon(coords, '', '')] : coords.map((pc: unknown, i: number) => cleanPolygon(pc, `第 ${i + 1} 个部分`, `part ${i + 1}: `));
  if (type === 'MultiPolygon' && polygons.length === 0) structure.push(P('MultiPolygon 不含任何多边形', 'MultiPolygon has no polygons', 'invalid_geometry'));
  const problems = [...structure, ...positionProblems(check)];
  if (problems.length > 0) return { problems };
  problems.push(...dupProblems);
  const asRead = polygons.map((rings) => rings.slice());

  polygons.forEach((rings, i) => {
    const label = type === 'MultiPolygon' ? { zh: `第 ${i + 1} 个部分`, en: `part ${i + 1}: ` } : { zh: '', en: '' };
    problems.push(...polygonProblems(rings, label, bruteForceLimit, repair, notes));
  });
  if (problems.length > 0) return { problems };
  return {
    geometry: type === 'Polygon' ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons },
    problems: [],
    ...(notes.length > 0
      ? { repairs: notes, asRead: type === 'Polygon' ? { type: 'Polygon', coordinates: asRead[0] } : { type: 'MultiPolygon', coordinates: asRead } }
      : {}),
  };
}
