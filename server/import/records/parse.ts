/**
 * GeoJSON import parsing (pure): a parsed FeatureCollection of districts, streets, communities, grids
 * or stations, in WGS84, GCJ-02 or BD-09, → validated plain records with WGS84 geometry, or a list of
 * bilingual errors naming every bad feature. Every file format ends here (../formats/read.ts).
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
 *     See ./geometry.ts.
 *   - Properties (./properties.ts, then per kind ./admin-units.ts, ./grids.ts, ./stations.ts):
 *     required ones present with the right type (names: camelCase as in geodata/types.ts,
 *     snake_case / other case variants, or common Chinese keys — see PROPERTY_ALIASES); 12-digit admin
 *     codes; 15-digit grid codes starting with their community code; station type, amenities, opening
 *     hours (opening_hours library), status; non-negative integer population / households;
 *     codes unique within the file.
 *
 * Error messages are Chinese first, then English, and use the 1-based ordinal ("第 3 个要素 / feature #3")
 * while `ImportError.feature` is the 0-based index (−1 = the file as a whole).
 */
import type { Geometry } from 'geojson';
import { toWgs84, type Crs } from '../crs.js';
import { readAdmin } from './admin-units.js';
import { checkGeometry, type AllowedGeometry } from './geometry.js';
import { readGrid } from './grids.js';
import { isObject, P, show, typeName, type RecordProblem as Problem } from './problems.js';
import { normalizeProperties, PropReader } from './properties.js';
import { readStation } from './stations.js';
import {
  ADMIN_LEVEL_OF,
  IMPORT_KINDS,
  type AdminRecord,
  type GridRecord,
  type ImportError,
  type ImportKind,
  type ImportRecordByKind,
  type ImportResult,
  type ParseOptions,
  type RepairNotes,
  type StationRecord,
} from './types.js';

const ordinal = (i: number, code?: string) => ({
  zh: `第 ${i + 1} 个要素${code ? `（code ${code}）` : ''}`,
  en: `feature #${i + 1}${code ? ` (code ${code})` : ''}`,
});

/**
 * Parses and validates an imported FeatureCollection of one kind. Pure: no I/O, the input is not
 * modified. Returns WGS84 records, or every error found (up to `maxErrors`).
 */
export function parseGeoJsonImport<K extends ImportKind>(input: unknown, kind: K, crs: Crs, opts: ParseOptions = {}): ImportResult<ImportRecordByKind[K]> {
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
  if (!isObject(input))
    return fileError(
      `文件内容应为 GeoJSON FeatureCollection 对象，实际为 ${typeName(input)}`,
      `expected a GeoJSON FeatureCollection object, got ${typeName(input)}`,
    );
  if (input.type !== 'FeatureCollection') {
    return fileError(
      `GeoJSON 的 type 应为 "FeatureCollection"，实际为 ${show(input.type)}`,
      `GeoJSON type must be "FeatureCollection", got ${show(input.type)}`,
    );
  }
  if (!Array.isArray(input.features)) return fileError('FeatureCollection 缺少 features 数组', 'FeatureCollection has no features array');
  if (input.features.length === 0) return fileError('文件中没有要素', 'the file contains no features');

  const records: ImportRecordByKind[K][] = [];
  const repairs: (RepairNotes | undefined)[] = [];
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
    const geo = checkGeometry(feature.geometry, allowed, bruteForceLimit, !!opts.repair);
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

    // Stations listed without a code get a generated one (./stations.ts): the same type, name and place twice is the same station twice.
    const generated = kind === 'stations' && (record as { codeGenerated?: true }).codeGenerated === true;
    const key = generated ? (record as { code: string }).code : code;
    if (key !== undefined) {
      const first = firstByCode.get(key);
      if (first !== undefined && generated)
        problems.push(
          P(
            '与文件中前面一行的类型、名称和位置都相同（重复的站点）',
            'same type, name and position as an earlier row of the file (a duplicate station)',
            'duplicate_code',
          ),
        );
      else if (first !== undefined)
        problems.push(P(`编码重复（与第 ${first + 1} 个要素相同）`, `duplicate code (same as feature #${first + 1})`, 'duplicate_code'));
      else firstByCode.set(key, i);
    }

    if (problems.length > 0) {
      const o = ordinal(i, code);
      // The edge of the validator: a Problem's code is reported as the error's `reason`.
      for (const p of problems)
        addError({
          feature: i,
          ...(code !== undefined ? { id: code } : {}),
          message: `${o.zh}：${p.zh} / ${o.en}: ${p.en}`,
          reason: p.code,
          zh: p.zh,
          en: p.en,
          ...(p.location ? { location: p.location } : {}),
        });
      return;
    }
    records.push({ ...record, geometry: wgs } as ImportRecordByKind[K]);
    repairs.push(geo.repairs && geo.asRead ? { notes: geo.repairs, asRead: toWgs84(geo.asRead, crs) as RepairNotes['asRead'] } : undefined);
  });

  if (errors.length > 0 || omitted > 0) {
    if (omitted > 0)
      errors.push({
        feature: -1,
        message: `另有 ${omitted} 条错误未列出（仅显示前 ${maxErrors} 条） / ${omitted} more errors not shown (first ${maxErrors} listed)`,
      });
    return { ok: false, errors };
  }
  return { ok: true, records, ...(opts.repair ? { repairs } : {}) };
}

/** Districts, streets or communities. */
export function parseAdminUnits(input: unknown, kind: 'districts' | 'streets' | 'communities', crs: Crs, opts?: ParseOptions): ImportResult<AdminRecord> {
  return parseGeoJsonImport(input, kind, crs, opts);
}

export function parseGrids(input: unknown, crs: Crs, opts?: ParseOptions): ImportResult<GridRecord> {
  return parseGeoJsonImport(input, 'grids', crs, opts);
}

export function parseStations(input: unknown, crs: Crs, opts?: ParseOptions): ImportResult<StationRecord> {
  return parseGeoJsonImport(input, 'stations', crs, opts);
}
