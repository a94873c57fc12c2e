/**
 * GeoJSON import parsing (pure): a parsed FeatureCollection of districts, streets, communities, grids
 * or stations, in WGS84, GCJ-02 or BD-09, → validated plain records with WGS84 geometry, or a list of
 * bilingual errors naming every bad feature.
 *
 * Checks, per feature:
 *   - Feature shape; geometry type (Polygon/MultiPolygon for admin units; a single Polygon for grids —
 *     a MultiPolygon holding exactly one polygon is unwrapped; Point for stations, a one-point
 *     MultiPoint is unwrapped).
 *   - Positions: numeric and finite, lon −180..180 and lat −90..90 (with hints for projected or
 *     swapped coordinates). Z values are dropped, consecutive duplicate positions removed.
 *   - Rings: closed, ≥ 4 positions, non-zero area; no self-intersections (turf.kinks semantics: proper
 *     crossings between segments of the same polygon's rings, incl. hole vs. shell; touching at a
 *     vertex counts; collinear overlaps and overlaps between parts of a MultiPolygon are not detected).
 *   - Properties: required ones present with the right type (names: camelCase as in geodata/types.ts,
 *     snake_case / other case variants, or common Chinese keys — see PROPERTY_ALIASES); 12-digit admin
 *     codes; 15-digit grid codes starting with their community code; station type, amenities, opening
 *     hours (opening_hours library), status; non-negative integer population / households;
 *     codes unique within the file.
 *
 * Error messages are Chinese first, then English, and use the 1-based ordinal ("第 3 个要素 / feature #3")
 * while `ImportError.feature` is the 0-based index (−1 = the file as a whole).
 */
import { kinks as turfKinks, polygon as turfPolygon } from '@turf/turf';
import Flatbush from 'flatbush';
import type { Geometry, MultiPolygon, Point, Polygon, Position } from 'geojson';
import opening_hours from 'opening_hours';
import type { GridProps, StationProps } from '../../geodata/types.js';
import { AMENITIES, AMENITY_NAMES_ZH, STATION_STATUSES, STATION_TYPES, STATION_TYPE_CODES, type Amenity, type StationStatus } from '../domain/stations.js';
import { toWgs84, type Crs } from './crs.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type ImportKind = 'districts' | 'streets' | 'communities' | 'grids' | 'stations';
export const IMPORT_KINDS: readonly ImportKind[] = ['districts', 'streets', 'communities', 'grids', 'stations'];

export type AdminLevel = 'district' | 'street' | 'community';
export const ADMIN_LEVEL_OF: Record<'districts' | 'streets' | 'communities', AdminLevel> = {
  districts: 'district',
  streets: 'street',
  communities: 'community',
};

/** Machine-readable reason of a rejected feature (reports and the HTTP API). */
export type ReasonCode =
  | 'invalid_coordinates'
  | 'swapped_lat_lon'
  | 'projected_coordinates'
  | 'missing_geometry'
  | 'invalid_geometry'
  | 'missing_field'
  | 'unknown_type'
  | 'duplicate_code'
  | 'invalid_value'
  | 'invalid_file';

export interface ImportError {
  /** 0-based index of the feature in `features`; −1 for problems with the file as a whole. */
  feature: number;
  /** The feature's code, when it has one. */
  id?: string;
  /** Chinese first, then English: "第 3 个要素（code …）：… / feature #3 (code …): …". */
  message: string;
  /** Why, machine-readable (absent on old-style file errors: treat as invalid_file). */
  reason?: ReasonCode;
  /** The reason alone (without the feature ordinal), Chinese and English. */
  zh?: string;
  en?: string;
}

/** A district, street or community, ready to insert (WGS84). */
export interface AdminRecord {
  level: AdminLevel;
  code: string;
  name: string;
  /** Required for streets and communities; null for districts unless given. */
  parentCode: string | null;
  geometry: Polygon | MultiPolygon;
}

/** A grid, ready to insert (WGS84). */
export interface GridRecord extends GridProps {
  geometry: Polygon;
}

/** A service station, ready to insert (WGS84). */
export interface StationRecord extends StationProps {
  geometry: Point;
}

export interface ImportRecordByKind {
  districts: AdminRecord;
  streets: AdminRecord;
  communities: AdminRecord;
  grids: GridRecord;
  stations: StationRecord;
}

export type ImportResult<R> = { ok: true; records: R[] } | { ok: false; errors: ImportError[] };

export interface ImportOptions {
  /** Stop recording errors after this many (a final note says how many more there were). Default 100. */
  maxErrors?: number;
  /** Rings with more segments than this are checked with an indexed search instead of turf.kinks. Default 3000. */
  kinksBruteForceLimit?: number;
}

// ---------------------------------------------------------------------------------------------
// Property names
// ---------------------------------------------------------------------------------------------

type Canonical =
  | 'code'
  | 'name'
  | 'parentCode'
  | 'communityCode'
  | 'leaderName'
  | 'leaderPhone'
  | 'partyBranch'
  | 'population'
  | 'households'
  | 'type'
  | 'address'
  | 'amenities'
  | 'openingHours'
  | 'phone'
  | 'operator'
  | 'status';

const CODE_ALIASES = ['code', '编码', '代码', '区划代码', '行政区划代码'];
const NAME_ALIASES = ['name', '名称'];

/**
 * Accepted property names per kind (first = canonical). Latin names match case-insensitively and
 * ignoring "_", "-" and spaces, so parentCode, parent_code and PARENT-CODE are the same key.
 */
export const PROPERTY_ALIASES: Record<ImportKind, Partial<Record<Canonical, readonly string[]>>> = {
  districts: { code: CODE_ALIASES, name: NAME_ALIASES, parentCode: ['parentCode', '上级编码', '上级代码'] },
  streets: { code: CODE_ALIASES, name: NAME_ALIASES, parentCode: ['parentCode', '上级编码', '上级代码'] },
  communities: { code: CODE_ALIASES, name: NAME_ALIASES, parentCode: ['parentCode', '上级编码', '上级代码'] },
  grids: {
    code: [...CODE_ALIASES, '网格编码'],
    name: [...NAME_ALIASES, '网格名称'],
    communityCode: ['communityCode', 'communityC', 'comm_code', '社区编码', '社区代码'],
    leaderName: ['leaderName', 'leader', '网格长', '网格长姓名'],
    leaderPhone: ['leaderPhone', 'leaderPhon', 'leader_tel', '电话', '联系电话', '网格长电话'],
    partyBranch: ['partyBranch', 'partyBranc', 'party', '党支部'],
    population: ['population', '人口', '人口数'],
    households: ['households', '户数'],
  },
  stations: {
    code: [...CODE_ALIASES, '站点编码'],
    type: ['type', '类型', '站点类型'],
    name: [...NAME_ALIASES, '站点名称'],
    address: ['address', '地址'],
    amenities: ['amenities', '设施', '服务设施'],
    openingHours: ['openingHours', 'openingHou', 'opening_hours', 'hours', '营业时间', '开放时间'],
    phone: ['phone', '电话', '联系电话'],
    operator: ['operator', '运营方', '运营单位'],
    status: ['status', '状态'],
  },
};

const normKey = (k: string) => k.trim().toLowerCase().replace(/[\s_-]/g, '');

/** Chinese labels used in messages. */
const LABEL_ZH: Record<Canonical, string> = {
  code: '编码',
  name: '名称',
  parentCode: '上级编码',
  communityCode: '社区编码',
  leaderName: '网格长',
  leaderPhone: '网格长电话',
  partyBranch: '党支部',
  population: '人口',
  households: '户数',
  type: '类型',
  address: '地址',
  amenities: '设施',
  openingHours: '营业时间',
  phone: '电话',
  operator: '运营方',
  status: '状态',
};

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const fmtNum = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? String(Math.round(n * 1e6) / 1e6) : JSON.stringify(n));
const fmtPos = (p: readonly unknown[]) => `${fmtNum(p[0])} ${fmtNum(p[1])}`;
const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** A pair of messages for one problem. */
interface Problem {
  zh: string;
  en: string;
  reason: ReasonCode;
}
const P = (zh: string, en: string, reason: ReasonCode = 'invalid_value'): Problem => ({ zh, en, reason });

// ---------------------------------------------------------------------------------------------
// Geometry checks
// ---------------------------------------------------------------------------------------------

/**
 * Self-intersection points of a polygon's rings (turf.kinks semantics). Uses turf.kinks for rings with
 * up to `bruteForceLimit` segments in total (it is O(n²): ~2.4 s for 20,000 vertices) and an equivalent
 * Flatbush-indexed search above that. Returned points are de-duplicated.
 */
export function findSelfIntersections(rings: readonly (readonly Position[])[], bruteForceLimit = 3000): Position[] {
  const segments = rings.reduce((n, r) => n + Math.max(0, r.length - 1), 0);
  let points: Position[];
  if (segments <= bruteForceLimit) {
    points = turfKinks(turfPolygon(rings.map((r) => r.map((p) => [p[0], p[1]])))).features.map((f) => f.geometry.coordinates);
  } else {
    points = indexedKinks(rings);
  }
  const seen = new Set<string>();
  return points.filter((p) => {
    const k = `${p[0]},${p[1]}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The same intersection test as turf.kinks (proper or endpoint-touching crossings, parallel segments ignored). */
function segmentIntersection(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): Position | null {
  const den = (dy - cy) * (bx - ax) - (dx - cx) * (by - ay);
  if (den === 0) return null;
  const a0 = ay - cy;
  const b0 = ax - cx;
  const ua = ((dx - cx) * a0 - (dy - cy) * b0) / den;
  const ub = ((bx - ax) * a0 - (by - ay) * b0) / den;
  if (ua < 0 || ua > 1 || ub < 0 || ub > 1) return null;
  return [ax + ua * (bx - ax), ay + ua * (by - ay)];
}

function indexedKinks(rings: readonly (readonly Position[])[]): Position[] {
  const segRing: number[] = [];
  const segIdx: number[] = [];
  for (let r = 0; r < rings.length; r++) {
    for (let i = 0; i < rings[r].length - 1; i++) {
      segRing.push(r);
      segIdx.push(i);
    }
  }
  const n = segRing.length;
  const index = new Flatbush(Math.max(1, n));
  for (let s = 0; s < n; s++) {
    const ring = rings[segRing[s]];
    const p = ring[segIdx[s]];
    const q = ring[segIdx[s] + 1];
    index.add(Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[0], q[0]), Math.max(p[1], q[1]));
  }
  if (n === 0) index.add(0, 0, 0, 0);
  index.finish();
  const out: Position[] = [];
  for (let s = 0; s < n; s++) {
    const ring = rings[segRing[s]];
    const i = segIdx[s];
    const p = ring[i];
    const q = ring[i + 1];
    const closed = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1];
    const hits = index.search(Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[0], q[0]), Math.max(p[1], q[1]));
    for (const t of hits) {
      if (t <= s) continue; // each unordered pair once
      if (segRing[t] === segRing[s]) {
        const k = segIdx[t];
        if (Math.abs(i - k) === 1) continue;
        if (closed && i === 0 && k === ring.length - 2) continue;
      }
      const r2 = rings[segRing[t]];
      const u = r2[segIdx[t]];
      const v = r2[segIdx[t] + 1];
      const x = segmentIntersection(p[0], p[1], q[0], q[1], u[0], u[1], v[0], v[1]);
      if (x) out.push(x);
    }
  }
  return out;
}

/** Whether all positions of a ring lie on one straight line (zero area; a bowtie has zero signed area but is not collinear). */
function ringCollinear(ring: readonly Position[]): boolean {
  const [x0, y0] = ring[0];
  const [x1, y1] = ring[1];
  for (let i = 2; i < ring.length; i++) {
    if ((x1 - x0) * (ring[i][1] - y0) - (y1 - y0) * (ring[i][0] - x0) !== 0) return false;
  }
  return true;
}

interface PositionCheck {
  /** Non-numeric / non-finite / too short positions. */
  invalid: { count: number; first?: unknown };
  /** Numeric but outside lon −180..180 / lat −90..90. */
  outOfRange: { count: number; first?: Position };
}

/** Validates and cleans one position list: 2D copies, consecutive duplicates removed. */
function cleanPositions(raw: unknown, check: PositionCheck): Position[] | null {
  if (!Array.isArray(raw)) return null;
  const out: Position[] = [];
  for (const p of raw) {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      check.invalid.count++;
      check.invalid.first ??= p;
      continue;
    }
    const pos: Position = [p[0], p[1]];
    if (pos[0] < -180 || pos[0] > 180 || pos[1] < -90 || pos[1] > 90) {
      check.outOfRange.count++;
      check.outOfRange.first ??= pos;
    }
    const last = out[out.length - 1];
    if (!last || last[0] !== pos[0] || last[1] !== pos[1]) out.push(pos);
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

/** Checks one polygon's rings (already cleaned). */
function polygonProblems(rings: Position[][], partLabel: { zh: string; en: string }, bruteForceLimit: number): Problem[] {
  const problems: Problem[] = [];
  if (rings.length === 0) return [P(`${partLabel.zh}多边形没有环`, `${partLabel.en}polygon has no rings`, 'invalid_geometry')];
  let ringsOk = true;
  rings.forEach((ring, r) => {
    const ringZh = `${partLabel.zh}${r === 0 ? '外环' : `第 ${r} 个内环`}`;
    const ringEn = `${partLabel.en}${r === 0 ? 'outer ring' : `hole ${r}`}`;
    const first = ring[0];
    const last = ring[ring.length - 1];
    if (ring.length > 0 && (first[0] !== last[0] || first[1] !== last[1])) {
      ringsOk = false;
      problems.push(P(`${ringZh}未闭合（首点 ${fmtPos(first)} ≠ 末点 ${fmtPos(last)}）`, `${ringEn} is not closed (first ${fmtPos(first)} ≠ last ${fmtPos(last)})`, 'invalid_geometry'));
    } else if (ring.length < 4) {
      ringsOk = false;
      problems.push(P(`${ringZh}点数不足（闭合环至少 4 个点，实际 ${ring.length} 个）`, `${ringEn} has too few positions (a closed ring needs ≥ 4, got ${ring.length})`, 'invalid_geometry'));
    } else if (ringCollinear(ring)) {
      ringsOk = false;
      problems.push(P(`${ringZh}面积为零（所有点共线）`, `${ringEn} has zero area (all positions collinear)`, 'invalid_geometry'));
    }
  });
  if (ringsOk) {
    const kinks = findSelfIntersections(rings, bruteForceLimit);
    if (kinks.length > 0) {
      const more = kinks.length > 1 ? `；共 ${kinks.length} 处` : '';
      const moreEn = kinks.length > 1 ? `; ${kinks.length} in total` : '';
      problems.push(
        P(`几何无效（${partLabel.zh}自相交，位置 ${fmtPos(kinks[0])}${more}）`, `invalid geometry (${partLabel.en}self-intersection at ${fmtPos(kinks[0])}${moreEn})`, 'invalid_geometry'),
      );
    }
  }
  return problems;
}

type AllowedGeometry = 'admin' | 'grid' | 'point';

/** Validates a geometry in its input CRS; returns the cleaned geometry (input CRS) or problems. */
function checkGeometry(raw: unknown, allowed: AllowedGeometry, bruteForceLimit: number): { geometry?: Polygon | MultiPolygon | Point; problems: Problem[] } {
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
        problems: [P(`网格必须是单个多边形，实际为含 ${coords.length} 个多边形的 MultiPolygon`, `a grid must be a single Polygon, got a MultiPolygon of ${coords.length} polygons`, 'invalid_geometry')],
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
    if (problems.length > 0 || !pts || pts.length !== 1) return { problems: problems.length ? problems : [P('点坐标无效', 'invalid point coordinates', 'invalid_geometry')] };
    return { geometry: { type: 'Point', coordinates: pts[0] }, problems: [] };
  }

  const structure: Problem[] = [];
  const cleanPolygon = (rawRings: unknown, label: string, labelEn: string): Position[][] => {
    if (!Array.isArray(rawRings)) {
      structure.push(P(`${label}坐标结构错误（应为环的数组）`, `${labelEn}malformed coordinates (expected an array of rings)`, 'invalid_geometry'));
      return [];
    }
    return rawRings.map((r) => {
      const ring = cleanPositions(r, check);
      if (!ring) {
        structure.push(P(`${label}坐标结构错误（环应为点的数组）`, `${labelEn}malformed coordinates (a ring must be an array of positions)`, 'invalid_geometry'));
        return [];
      }
      return ring;
    });
  };
  const polygons: Position[][][] =
    type === 'Polygon'
      ? [cleanPolygon(coords, '', '')]
      : coords.map((pc: unknown, i: number) => cleanPolygon(pc, `第 ${i + 1} 个部分`, `part ${i + 1}: `));
  if (type === 'MultiPolygon' && polygons.length === 0) structure.push(P('MultiPolygon 不含任何多边形', 'MultiPolygon has no polygons', 'invalid_geometry'));
  const problems = [...structure, ...positionProblems(check)];
  if (problems.length > 0) return { problems };

  polygons.forEach((rings, i) => {
    const label = type === 'MultiPolygon' ? { zh: `第 ${i + 1} 个部分`, en: `part ${i + 1}: ` } : { zh: '', en: '' };
    problems.push(...polygonProblems(rings, label, bruteForceLimit));
  });
  if (problems.length > 0) return { problems };
  return {
    geometry: type === 'Polygon' ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons },
    problems: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Property checks
// ---------------------------------------------------------------------------------------------

/** Resolves aliases to canonical names. Problems for conflicting duplicates. */
function normalizeProperties(raw: Record<string, unknown>, kind: ImportKind): { props: Partial<Record<Canonical, unknown>>; problems: Problem[] } {
  const aliases = PROPERTY_ALIASES[kind];
  const lookup = new Map<string, Canonical>();
  for (const [canonical, names] of Object.entries(aliases) as [Canonical, readonly string[]][]) {
    for (const n of names) lookup.set(normKey(n), canonical);
  }
  const props: Partial<Record<Canonical, unknown>> = {};
  const source: Partial<Record<Canonical, string>> = {};
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const canonical = lookup.get(normKey(key));
    if (!canonical) continue;
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
    if (canonical in props) {
      if (JSON.stringify(props[canonical]) !== JSON.stringify(value)) {
        problems.push(
          P(
            `属性 ${source[canonical]} 与 ${key} 都表示${LABEL_ZH[canonical]}（${canonical}），但取值不同：${show(props[canonical])} ≠ ${show(value)}`,
            `properties ${source[canonical]} and ${key} both mean ${canonical} but differ: ${show(props[canonical])} ≠ ${show(value)}`,
          ),
        );
      }
      continue;
    }
    props[canonical] = value;
    source[canonical] = key;
  }
  return { props, problems };
}

class PropReader {
  problems: Problem[] = [];
  constructor(private props: Partial<Record<Canonical, unknown>>) {}

  private missing(key: Canonical) {
    this.problems.push(P(`缺少必填属性 ${key}（${LABEL_ZH[key]}）`, `missing required property ${key}`, 'missing_field'));
  }

  private wrongType(key: Canonical, expectZh: string, expectEn: string) {
    const v = this.props[key];
    this.problems.push(P(`属性 ${key}（${LABEL_ZH[key]}）应为${expectZh}，实际为 ${typeName(v)} ${show(v)}`, `property ${key} must be ${expectEn}, got ${typeName(v)} ${show(v)}`));
  }

  has(key: Canonical): boolean {
    return this.props[key] !== undefined;
  }

  /** A trimmed string; numbers are accepted when `allowNumber` (codes, phones). */
  string(key: Canonical, required: true, allowNumber?: boolean): string | undefined;
  string(key: Canonical, required: false, allowNumber?: boolean): string | null | undefined;
  string(key: Canonical, required: boolean, allowNumber = false): string | null | undefined {
    const v = this.props[key];
    if (v === undefined) {
      if (required) this.missing(key);
      return required ? undefined : null;
    }
    if (typeof v === 'string') return v.trim();
    if (allowNumber && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
    this.wrongType(key, '文本', 'a string');
    return undefined;
  }

  code(key: Canonical, digits: number, required: boolean): string | null | undefined {
    const v = required ? this.string(key, true, true) : this.string(key, false, true);
    if (v === undefined || v === null) return v;
    if (!new RegExp(`^\\d{${digits}}$`).test(v)) {
      this.problems.push(P(`${key}（${LABEL_ZH[key]}）应为 ${digits} 位数字，实际为 ${show(v)}`, `${key} must be ${digits} digits, got ${show(v)}`));
      return undefined;
    }
    return v;
  }

  nonNegativeInt(key: Canonical): number | undefined {
    const v = this.props[key];
    if (v === undefined) {
      this.missing(key);
      return undefined;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) {
      this.wrongType(key, '非负整数', 'a non-negative integer');
      return undefined;
    }
    return n;
  }

  raw(key: Canonical): unknown {
    return this.props[key];
  }

  problem(p: Problem) {
    this.problems.push(p);
  }
}

const TYPE_BY_NAME = new Map<string, string>();
for (const t of STATION_TYPES) {
  TYPE_BY_NAME.set(t.code.toLowerCase(), t.code);
  TYPE_BY_NAME.set(t.nameZh, t.code);
}
const AMENITY_BY_NAME = new Map<string, Amenity>();
for (const a of AMENITIES) {
  AMENITY_BY_NAME.set(a, a);
  AMENITY_BY_NAME.set(AMENITY_NAMES_ZH[a], a);
}
const STATUS_BY_NAME = new Map<string, StationStatus>([
  ['open', 'open'],
  ['temporarily_closed', 'temporarily_closed'],
  ['开放', 'open'],
  ['营业', 'open'],
  ['正常', 'open'],
  ['暂停', 'temporarily_closed'],
  ['暂停营业', 'temporarily_closed'],
  ['暂时关闭', 'temporarily_closed'],
  ['临时关闭', 'temporarily_closed'],
]);
const VALID_TYPES_ZH = STATION_TYPES.map((t) => `${t.code}（${t.nameZh}）`).join('、');
const VALID_TYPES_EN = STATION_TYPE_CODES.join(', ');

/** Validates an opening_hours value (OSM syntax). Returns null when valid, else the parser's message. */
export function openingHoursError(value: string, lonLat: readonly [number, number] = [121.6, 38.91]): string | null {
  try {
    // A country is needed for PH (public holiday) rules; the project is China-only.
    new opening_hours(value, { lat: lonLat[1], lon: lonLat[0], address: { country_code: 'cn', state: '' } });
    return null;
  } catch (e) {
    return String(e instanceof Error ? e.message : e)
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 160);
  }
}

function readAdmin(r: PropReader, kind: 'districts' | 'streets' | 'communities') {
  const code = r.code('code', 12, true) as string | undefined;
  const name = r.string('name', true);
  const parentCode = r.code('parentCode', 12, kind !== 'districts');
  if (code && parentCode && code === parentCode) r.problem(P('上级编码不能与自身编码相同', 'parentCode must differ from code'));
  return { code, name, parentCode };
}

function readGrid(r: PropReader) {
  const code = r.code('code', 15, true) as string | undefined;
  const communityCode = r.code('communityCode', 12, true) as string | undefined;
  if (code && communityCode && !code.startsWith(communityCode)) {
    r.problem(P(`网格编码 ${code} 应以所属社区编码 ${communityCode} 开头（社区编码 + 3 位序号）`, `grid code ${code} must start with its communityCode ${communityCode} (community code + 3-digit sequence)`));
  }
  return {
    code,
    name: r.string('name', true),
    communityCode,
    leaderName: r.string('leaderName', true),
    leaderPhone: r.string('leaderPhone', true, true),
    partyBranch: r.string('partyBranch', false),
    population: r.nonNegativeInt('population'),
    households: r.nonNegativeInt('households'),
  };
}

function readStation(r: PropReader, lonLat: readonly [number, number] | null) {
  const code = r.string('code', true, true);
  let type: string | undefined;
  const rawType = r.string('type', true);
  if (rawType !== undefined) {
    type = TYPE_BY_NAME.get(rawType) ?? TYPE_BY_NAME.get(rawType.toLowerCase());
    if (!type) r.problem(P(`站点类型 ${show(rawType)} 无效，应为以下之一：${VALID_TYPES_ZH}`, `unknown station type ${show(rawType)}; valid types: ${VALID_TYPES_EN}`, 'unknown_type'));
  }

  let amenities: Amenity[] | undefined = [];
  const rawAm = r.raw('amenities');
  if (rawAm !== undefined) {
    const items = Array.isArray(rawAm) ? rawAm : typeof rawAm === 'string' ? rawAm.split(/[,，、;；]+/) : null;
    if (!items) {
      r.problem(P(`属性 amenities（设施）应为数组或逗号分隔的文本，实际为 ${typeName(rawAm)}`, `property amenities must be an array or a comma-separated string, got ${typeName(rawAm)}`));
      amenities = undefined;
    } else {
      const unknown: string[] = [];
      const set = new Set<Amenity>();
      for (const item of items) {
        const s = typeof item === 'string' ? item.trim() : show(item);
        if (s === '') continue;
        const a = AMENITY_BY_NAME.get(s) ?? AMENITY_BY_NAME.get(s.toLowerCase());
        if (a) set.add(a);
        else unknown.push(s);
      }
      if (unknown.length > 0) {
        r.problem(
          P(
            `未知设施 ${unknown.map((u) => show(u)).join('、')}，可用：${AMENITIES.map((a) => `${a}（${AMENITY_NAMES_ZH[a]}）`).join('、')}`,
            `unknown amenities ${unknown.map((u) => show(u)).join(', ')}; valid: ${AMENITIES.join(', ')}`,
          ),
        );
        amenities = undefined;
      } else {
        amenities = AMENITIES.filter((a) => set.has(a)); // canonical order
      }
    }
  }

  const openingHours = r.string('openingHours', true);
  if (openingHours !== undefined) {
    const err = openingHoursError(openingHours, lonLat ?? undefined);
    if (err) r.problem(P(`营业时间 ${show(openingHours)} 不符合 OSM opening_hours 语法（如 "Mo-Fr 08:00-18:00" 或 "24/7"）：${err}`, `openingHours ${show(openingHours)} is not valid OSM opening_hours syntax (e.g. "Mo-Fr 08:00-18:00" or "24/7"): ${err}`));
  }

  let status: StationStatus | undefined = 'open';
  const rawStatus = r.string('status', false);
  if (rawStatus) {
    status = STATUS_BY_NAME.get(rawStatus) ?? STATUS_BY_NAME.get(rawStatus.toLowerCase());
    if (!status) r.problem(P(`状态 ${show(rawStatus)} 无效，应为 ${STATION_STATUSES.join(' 或 ')}（或 开放 / 暂停营业）`, `invalid status ${show(rawStatus)}; expected ${STATION_STATUSES.join(' or ')}`));
  }

  return {
    code,
    type,
    name: r.string('name', true),
    address: r.string('address', true),
    amenities,
    openingHours,
    phone: r.string('phone', false, true),
    operator: r.string('operator', false),
    status,
  };
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

const ordinal = (i: number, code?: string) => ({
  zh: `第 ${i + 1} 个要素${code ? `（code ${code}）` : ''}`,
  en: `feature #${i + 1}${code ? ` (code ${code})` : ''}`,
});

/**
 * Parses and validates an imported FeatureCollection of one kind. Pure: no I/O, the input is not
 * modified. Returns WGS84 records, or every error found (up to `maxErrors`).
 */
export function parseGeoJsonImport<K extends ImportKind>(input: unknown, kind: K, crs: Crs, opts: ImportOptions = {}): ImportResult<ImportRecordByKind[K]> {
  const maxErrors = opts.maxErrors ?? 100;
  const bruteForceLimit = opts.kinksBruteForceLimit ?? 3000;
  const errors: ImportError[] = [];
  let omitted = 0;
  const addError = (e: ImportError) => {
    if (errors.length < maxErrors) errors.push(e);
    else omitted++;
  };
  const fileError = (zh: string, en: string) => ({ ok: false as const, errors: [{ feature: -1, message: `${zh} / ${en}` }] });

  if (!IMPORT_KINDS.includes(kind)) return fileError(`未知的导入类型 ${show(kind)}`, `unknown import kind ${show(kind)}`);
  if (!isObject(input)) return fileError(`文件内容应为 GeoJSON FeatureCollection 对象，实际为 ${typeName(input)}`, `expected a GeoJSON FeatureCollection object, got ${typeName(input)}`);
  if (input.type !== 'FeatureCollection') {
    return fileError(`GeoJSON 的 type 应为 "FeatureCollection"，实际为 ${show(input.type)}`, `GeoJSON type must be "FeatureCollection", got ${show(input.type)}`);
  }
  if (!Array.isArray(input.features)) return fileError('FeatureCollection 缺少 features 数组', 'FeatureCollection has no features array');
  if (input.features.length === 0) return fileError('文件中没有要素', 'the file contains no features');

  const records: ImportRecordByKind[K][] = [];
  const firstByCode = new Map<string, number>();
  const allowed: AllowedGeometry = kind === 'stations' ? 'point' : kind === 'grids' ? 'grid' : 'admin';

  input.features.forEach((feature: unknown, i: number) => {
    if (!isObject(feature) || feature.type !== 'Feature') {
      const o = ordinal(i);
      const zh = `不是 GeoJSON Feature（type 为 ${show(isObject(feature) ? feature.type : typeName(feature))}）`;
      addError({ feature: i, message: `${o.zh}：${zh} / ${o.en}: not a GeoJSON Feature`, reason: 'invalid_geometry', zh, en: 'not a GeoJSON Feature' });
      return;
    }
    const problems: Problem[] = [];
    let rawProps: Record<string, unknown> = {};
    if (isObject(feature.properties)) rawProps = feature.properties;
    else if (feature.properties !== null && feature.properties !== undefined) {
      problems.push(P(`properties 应为对象，实际为 ${typeName(feature.properties)}`, `properties must be an object, got ${typeName(feature.properties)}`));
    }
    const { props, problems: aliasProblems } = normalizeProperties(rawProps, kind);
    problems.push(...aliasProblems);
    const rawCode = props.code;
    const code = typeof rawCode === 'string' ? rawCode.trim() || undefined : typeof rawCode === 'number' ? String(rawCode) : undefined;

    // Geometry (validated in the input CRS so reported positions match the file), then → WGS84.
    const geo = checkGeometry(feature.geometry, allowed, bruteForceLimit);
    problems.push(...geo.problems);
    const wgs = geo.geometry ? toWgs84(geo.geometry as Geometry, crs) : undefined;
    const point = wgs?.type === 'Point' ? ([wgs.coordinates[0], wgs.coordinates[1]] as const) : null;

    const reader = new PropReader(props);
    let record: Record<string, unknown>;
    if (kind === 'grids') record = readGrid(reader);
    else if (kind === 'stations') record = readStation(reader, point);
    else {
      const level = ADMIN_LEVEL_OF[kind as 'districts' | 'streets' | 'communities'];
      record = { level, ...readAdmin(reader, kind as 'districts' | 'streets' | 'communities') };
    }
    problems.push(...reader.problems);

    if (code !== undefined) {
      const first = firstByCode.get(code);
      if (first !== undefined) problems.push(P(`编码重复（与第 ${first + 1} 个要素相同）`, `duplicate code (same as feature #${first + 1})`, 'duplicate_code'));
      else firstByCode.set(code, i);
    }

    if (problems.length > 0) {
      const o = ordinal(i, code);
      for (const p of problems) addError({ feature: i, ...(code !== undefined ? { id: code } : {}), message: `${o.zh}：${p.zh} / ${o.en}: ${p.en}`, reason: p.reason, zh: p.zh, en: p.en });
      return;
    }
    records.push({ ...record, geometry: wgs } as ImportRecordByKind[K]);
  });

  if (errors.length > 0 || omitted > 0) {
    if (omitted > 0) errors.push({ feature: -1, message: `另有 ${omitted} 条错误未列出（仅显示前 ${maxErrors} 条） / ${omitted} more errors not shown (first ${maxErrors} listed)` });
    return { ok: false, errors };
  }
  return { ok: true, records };
}

/** Districts, streets or communities. */
export function parseAdminUnits(input: unknown, kind: 'districts' | 'streets' | 'communities', crs: Crs, opts?: ImportOptions): ImportResult<AdminRecord> {
  return parseGeoJsonImport(input, kind, crs, opts);
}

export function parseGrids(input: unknown, crs: Crs, opts?: ImportOptions): ImportResult<GridRecord> {
  return parseGeoJsonImport(input, 'grids', crs, opts);
}

export function parseStations(input: unknown, crs: Crs, opts?: ImportOptions): ImportResult<StationRecord> {
  return parseGeoJsonImport(input, 'stations', crs, opts);
}
