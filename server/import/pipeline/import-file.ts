/**
 * Imports into the database. Every format is read and validated first (pure: ../formats/read.ts →
 * ../records/parse.ts), polygons are put on the storage grid with RFC 7946 winding and judged by
 * PostGIS — and repaired when asked (./geometry-checks.ts) —, then checked against the database
 * (./db-checks.ts: outside the city, swapped coordinates, unknown parents, a coordinate system that
 * does not fit the street network), then — unless it is a dry run — written in one transaction:
 * new codes are inserted, existing codes updated (version + 1, history rows), identical rows left
 * alone. A file with any rejected row is not written at all; a database error while writing names
 * the row being written (`database_refused`, a 4xx), never a bare 500.
 */
import type { Kysely } from 'kysely';
import { slicer } from '../../compute/slices.js';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';
import { DatasetError } from '../../db/dataset.repository.js';
import { existingByCode, upsertAdminUnits, upsertGrids, upsertStations, type ExistingRow, type UpsertItem } from '../../db/upsert.repository.js';
import type { AdminProps, GridProps, StationProps } from '../../../geodata/types.js';
import type { Crs } from '../crs.js';
import { readImportFile, type ImportFormat } from '../formats/read.js';
import { ADMIN_LEVEL_OF, type ImportKind } from '../records/types.js';
import { checkRecords } from './db-checks.js';
import { matchedBy, matchStationsByNamePosition, type StationMatchedBy } from './station-match.js';
import type { StationRecord } from '../records/types.js';
import { checkPolygons } from './geometry-checks.js';
import { ImportFailed } from './report.js';
import type { AnyRecord, ImportOptions, ImportReport } from './types.js';

const sameNumberTree = (a: unknown, b: unknown, eps: number): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= eps;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameNumberTree(x, b[i], eps));
  return false;
};

function unchanged(kind: ImportKind, rec: AnyRecord, ex: ExistingRow): boolean {
  if (ex.deleted) return false;
  const { geometry, ...props } = rec as AnyRecord & Record<string, unknown>;
  const norm = (v: unknown) => (v === undefined ? null : Array.isArray(v) ? [...v].sort() : v);
  const keys =
    kind === 'grids'
      ? ['code', 'name', 'communityCode', 'leaderName', 'leaderPhone', 'partyBranch', 'population', 'households']
      : kind === 'stations'
        ? ['code', 'type', 'name', 'address', 'amenities', 'openingHours', 'openingHoursText', 'phone', 'operator', 'status']
        : ['code', 'name', 'parentCode'];
  for (const k of keys) {
    if (kind !== 'stations' && kind !== 'grids' && k === 'parentCode' && kind === 'districts') continue;
    if (JSON.stringify(norm((props as Record<string, unknown>)[k])) !== JSON.stringify(norm(ex.props[k]))) return false;
  }
  // Admin units are stored as MultiPolygon.
  const g = geometry.type === 'Polygon' && ex.geometry.type === 'MultiPolygon' ? [geometry.coordinates] : geometry.coordinates;
  // 2e-6° ≈ 20 cm: gcoord's GCJ-02 → WGS84 inverse stops at a 1e-6° residual, so the same file
  // re-imported through a GCJ-02 round trip is "no change" rather than a new version.
  return geometry.type === ex.geometry.type || ex.geometry.type === 'MultiPolygon' ? sameNumberTree(g, ex.geometry.coordinates, 2e-6) : false;
}

/**
 * The database as the import uses it: after a statement, the event loop is handed back (a
 * setImmediate) once 10 ms have passed since the last time. On the embedded engine a statement
 * runs on the event loop and a chain of awaited statements resolves in microtasks only, so the
 * thousands of statements of a long list held it for the whole import (27 s for 4,000 rows).
 */
function yielding(k: Kysely<Database>): Kysely<Database> {
  const pause = slicer(10);
  return k.withPlugin({
    transformQuery: (a) => a.node,
    async transformResult(a) {
      await pause();
      return a.result;
    },
  });
}

/** Rows with at least one problem (file-level problems, `row: null`, are listed but are not rows). */
const rejectedRows = (r: ImportReport) => new Set(r.rejected.filter((x) => x.row !== null).map((x) => x.row)).size;

/** What a station row's report line adds: how it matched, whether its code was generated, the stored OSM hours and the original text. */
const stationChange = (r: StationRecord, matched: StationMatchedBy) => ({
  matched_by: matched,
  ...(r.codeGenerated ? { code_generated: true } : {}),
  opening_hours: r.openingHours,
  ...(r.openingHoursText !== undefined ? { opening_hours_text: r.openingHoursText } : {}),
});

/**
 * Reads, checks and (unless `dryRun`) writes one file. Returns the report; a file with rejected
 * rows throws ImportFailed carrying the same report (dry runs never throw for bad content).
 */
export async function importFile(db: Db, format: ImportFormat, bytes: Uint8Array, kind: ImportKind, opts: ImportOptions): Promise<ImportReport> {
  const progress = opts.onProgress ?? (() => {});
  const kysely = yielding(db.kysely);
  progress({ phase: 'read', done: 0, total: 1 });
  const { read: reader = readImportFile, onProgress: _p, ...readOpts } = opts;
  const read = await reader(format, bytes, kind, readOpts);
  progress({ phase: 'read', done: 1, total: 1 });
  const report: ImportReport = {
    kind,
    format,
    crs: opts.crs,
    dry_run: !!opts.dryRun,
    committed: false,
    total: read.total,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: [...read.rejected],
    rejected_rows: 0,
    changes: [],
    repairs: [],
    warnings: [...read.warnings],
    info: read.info,
  };
  const fileLevel = read.rejected.some((r) => r.row === null);
  let plan: { row: number; record: AnyRecord; existing?: ExistingRow; action: 'create' | 'update' | 'unchanged'; matched?: StationMatchedBy }[] = [];
  // Stations: rows without a code are matched by name and position first (./station-match.ts); the code as read is kept to redo that inside the transaction.
  const stationRows = kind === 'stations' ? read.records.map(({ row, record }) => ({ row, record: record as StationRecord, readCode: record.code })) : [];

  const classify = async (q: Kysely<Database>) => {
    const table = kind;
    const byNamePosition = kind === 'stations' ? await matchStationsByNamePosition(q, stationRows) : new Set<number>();
    const existing = await existingByCode(
      q,
      table,
      read.records.map((r) => r.record.code),
    );
    return read.records.map(({ row, record }) => {
      const ex = existing.get(record.code);
      const action: 'create' | 'update' | 'unchanged' = !ex ? 'create' : unchanged(kind, record, ex) ? 'unchanged' : 'update';
      return {
        row,
        record: record as AnyRecord,
        existing: ex,
        action,
        ...(kind === 'stations' ? { matched: matchedBy(record as StationRecord, byNamePosition.has(row), !!ex) } : {}),
      };
    });
  };

  if (!fileLevel) {
    progress({ phase: 'check', done: 0, total: 1 });
    const shapes = await checkPolygons(kysely, read, !!opts.repair);
    report.rejected.push(...shapes.rejected);
    report.repairs = shapes.repairs;
    const checks = await checkRecords(kysely, read, opts);
    for (const row of shapes.bad) checks.bad.add(row);
    report.rejected.push(...checks.rejected);
    report.rejected.sort((a, b) => (a.row ?? -1) - (b.row ?? -1));
    report.warnings.push(...checks.warnings);
    if (checks.crsCheck) {
      const r1 = (o: Record<Crs, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 10) / 10])) as Record<Crs, number>;
      report.crs_check = {
        suspected: checks.crsCheck.suspected,
        verdict: checks.crsCheck.verdict,
        log10_ratio: checks.crsCheck.log10Ratio,
        mean_m: r1(checks.crsCheck.meanM),
        median_m: r1(checks.crsCheck.medianM),
        points: checks.crsCheck.points,
      };
    }
    plan = (await classify(kysely)).filter((p) => !checks.bad.has(p.row));
    progress({ phase: 'check', done: 1, total: 1 });
  }
  const fill = () => {
    report.created = plan.filter((p) => p.action === 'create').length;
    report.updated = plan.filter((p) => p.action === 'update').length;
    report.unchanged = plan.filter((p) => p.action === 'unchanged').length;
    report.changes = plan.map((p) => ({
      row: p.row,
      code: p.record.code,
      action: p.action,
      ...(p.matched ? stationChange(p.record as StationRecord, p.matched) : {}),
    }));
    report.rejected_rows = rejectedRows(report);
  };
  fill();
  if (opts.dryRun) return report;
  if (report.rejected.length > 0) throw ImportFailed.fromReport(report);

  const by = opts.by ?? 'import';
  let writes: typeof plan = [];
  let done = 0;
  try {
    await kysely.transaction().execute(async (tx) => {
      plan = await classify(tx); // the state inside the transaction is what gets written against
      writes = plan.filter((p) => p.action !== 'unchanged');
      const tick = () => progress({ phase: 'write', done: ++done, total: writes.length });
      progress({ phase: 'write', done: 0, total: writes.length });
      const items = <P>() =>
        writes.map(({ record, existing }) => {
          const { geometry, ...props } = record;
          return { props: props as unknown as P, geometry, existing } as UpsertItem<P>;
        });
      if (kind === 'grids') await upsertGrids(tx, items<GridProps>(), by, tick);
      else if (kind === 'stations') await upsertStations(tx, items<StationProps>(), by, tick);
      else await upsertAdminUnits(tx, ADMIN_LEVEL_OF[kind], items<AdminProps>(), tick);
    });
  } catch (err) {
    if (err instanceof DatasetError) {
      report.rejected.push(
        ...err.details.map((d) => ({
          row: plan.find((p) => p.record.code === d.code)?.row ?? null,
          code: 'unknown_parent' as const,
          ...(d.code ? { feature_code: d.code } : {}),
          reason_zh: err.message.split(' / ')[0],
          reason_en: err.message.split(' / ').slice(1).join(' / '),
        })),
      );
      report.rejected_rows = rejectedRows(report);
      throw ImportFailed.fromReport(report);
    }
    const refused = databaseRefusal(err);
    if (refused) {
      // Rows are written one after the other: the one that failed is the one after the last done.
      const at = writes[done];
      report.rejected.push({
        row: at?.row ?? null,
        code: 'database_refused',
        ...(at ? { feature_code: at.record.code } : {}),
        reason_zh: refused.zh,
        reason_en: refused.en,
      });
      throw ImportFailed.fromReport(report);
    }
    throw err;
  }
  fill();
  report.committed = true;
  return report;
}

/**
 * A database error caused by the data being written (SQLSTATE classes 22 data exception, 23
 * integrity constraint, XX internal — where GEOS errors arrive), in words; null for anything else
 * (a lost connection stays an error of the server).
 */
function databaseRefusal(err: unknown): { zh: string; en: string } | null {
  const e = err as { code?: unknown; message?: unknown; constraint?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (!/^(22|23|XX)/.test(code)) return null;
  const msg = String(e.message ?? '').slice(0, 200);
  const constraint = typeof e.constraint === 'string' ? e.constraint : /constraint "([^"]+)"/.exec(msg)?.[1];
  if (constraint && /_valid$/.test(constraint))
    return { zh: `数据库拒绝写入：几何无效（约束 ${constraint}）`, en: `the database refused the row: invalid geometry (constraint ${constraint})` };
  if (code === '23505') return { zh: `数据库拒绝写入：编码已存在（${msg}）`, en: `the database refused the row: the code exists already (${msg})` };
  if (code.startsWith('23'))
    return {
      zh: `数据库拒绝写入：违反约束 ${constraint ?? ''}（${msg}）`,
      en: `the database refused the row: constraint ${constraint ?? ''} violated (${msg})`,
    };
  return { zh: `数据库拒绝写入此行（${msg}）`, en: `the database refused the row (${msg})` };
}

export interface GeoJsonImportSummary {
  kind: ImportKind;
  /** New codes inserted. */
  inserted: number;
  updated: number;
  unchanged: number;
  report: ImportReport;
}

/**
 * Imports one GeoJSON FeatureCollection of `kind`, converting from `crs` to WGS84; existing codes
 * are updated.
 * @throws ImportFailed naming every bad feature; nothing is written then.
 */
export async function importGeoJson(db: Db, kind: ImportKind, input: unknown, crs: Crs, opts: Omit<ImportOptions, 'crs'> = {}): Promise<GeoJsonImportSummary> {
  const report = await importFile(db, 'geojson', new TextEncoder().encode(JSON.stringify(input)), kind, { ...opts, crs });
  if (report.rejected.length > 0) throw ImportFailed.fromReport(report);
  return { kind, inserted: report.created, updated: report.updated, unchanged: report.unchanged, report };
}
