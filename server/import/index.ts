/**
 * Imports into the database. Every format is read and validated first (pure: ./formats.ts →
 * ./geojson.ts, ./osm.ts), then checked against the database (outside the city, swapped
 * coordinates, unknown parents, a coordinate system that does not fit the street network), then —
 * unless it is a dry run — written in one transaction: new codes are inserted, existing codes
 * updated (version + 1, history rows), identical rows left alone. A file with any rejected row is
 * not written at all.
 */
import type { Kysely } from 'kysely';
import type { LineString } from 'geojson';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { existingByCode, idsByCode, replaceNetwork, setMeta, upsertAdminUnits, upsertGrids, upsertStations, DatasetError, type ExistingRow, type UpsertItem } from '../db/dataset.repository.js';
import { listEdges } from '../db/network.repository.js';
import { sql } from 'kysely';
import type { AdminProps, GridProps, StationProps } from '../../geodata/types.js';
import { convertPosition, CRS_VALUES, type Crs } from './crs.js';
import { ADMIN_LEVEL_OF, type AdminRecord, type GridRecord, type ImportError, type ImportKind, type StationRecord } from './geojson.js';
import { readImportFile, type ImportFormat, type ReadOptions, type ReadResult, type Rejected } from './formats.js';
import { checkDeclaredCrs, crsSuspicionMessage, looksSwapped, PolylineIndex, type Bbox, type CrsCheck, type LonLat } from './sanity.js';
import { importOsmPbf, type OsmImportResult, type OsmReadProgress } from './osm.js';

export type { Rejected } from './formats.js';

export interface ImportReport {
  kind: ImportKind;
  format: ImportFormat;
  crs: Crs;
  dry_run: boolean;
  /** True when the rows were written. */
  committed: boolean;
  /** Features/rows in the file. */
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: Rejected[];
  /** What happens (or happened) to each accepted row. */
  changes: { row: number; code: string; action: 'create' | 'update' | 'unchanged' }[];
  warnings: { zh: string; en: string }[];
  info: Record<string, unknown>;
  /** The coordinate-system check (stations, when a street network is loaded). */
  crs_check?: { suspected: Crs | null; mean_m: Record<Crs, number>; median_m: Record<Crs, number>; points: number };
}

const rowLabel = (format: ImportFormat, row: number | null) => {
  if (row === null) return { zh: '文件', en: 'file' };
  if (format === 'csv' || format === 'xlsx') return { zh: `第 ${row} 行`, en: `row ${row}` };
  if (format === 'kml' || format === 'kmz') return { zh: `第 ${row} 个地标`, en: `placemark #${row}` };
  if (format === 'shapefile') return { zh: `第 ${row} 条记录`, en: `record #${row}` };
  return { zh: `第 ${row} 个要素`, en: `feature #${row}` };
};

/** "第 5 行（编码 X）：… / row 5 (code X): …" */
export function rejectedMessage(format: ImportFormat, r: Rejected): string {
  const l = rowLabel(format, r.row);
  const c = r.feature_code ? { zh: `（编码 ${r.feature_code}）`, en: ` (code ${r.feature_code})` } : { zh: '', en: '' };
  return `${l.zh}${c.zh}：${r.reason_zh} / ${l.en}${c.en}: ${r.reason_en}`;
}

export class ImportFailed extends Error {
  constructor(
    readonly errors: ImportError[],
    readonly report?: ImportReport,
  ) {
    super(`导入失败，共 ${errors.length} 个问题，未写入任何数据 / import failed with ${errors.length} problem(s); nothing was written\n` + errors.map((e) => `  - ${e.message}`).join('\n'));
  }

  static fromReport(report: ImportReport): ImportFailed {
    return new ImportFailed(
      report.rejected.map((r) => ({ feature: r.row === null ? -1 : r.row - 1, ...(r.feature_code ? { id: r.feature_code } : {}), message: rejectedMessage(report.format, r) })),
      report,
    );
  }
}

export interface ImportProgress {
  phase: 'read' | 'check' | 'write';
  done: number;
  total: number;
}

export interface ImportOptions extends ReadOptions {
  dryRun?: boolean;
  /** Written to updated_by and the history tables. */
  by?: string;
  /** Import even when the coordinate-system check suspects a wrong --crs. */
  force?: boolean;
  /** Distance (m) beyond the districts that still counts as inside the city. Default 1000. */
  cityToleranceM?: number;
  onProgress?: (p: ImportProgress) => void;
}

type AnyRecord = AdminRecord | GridRecord | StationRecord;

/** A point that stands for the record in the outside-the-city test. */
function representative(r: AnyRecord): [number, number] {
  const g = r.geometry;
  if (g.type === 'Point') return [g.coordinates[0], g.coordinates[1]];
  const ring = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0];
  let x = 0;
  let y = 0;
  for (const p of ring.slice(0, -1)) {
    x += p[0];
    y += p[1];
  }
  const n = Math.max(1, ring.length - 1);
  return [x / n, y / n];
}

const sameNumberTree = (a: unknown, b: unknown, eps: number): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= eps;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameNumberTree(x, b[i], eps));
  return false;
};

function unchanged(kind: ImportKind, rec: AnyRecord, ex: ExistingRow): boolean {
  if (ex.deleted) return false;
  const { geometry, ...props } = rec as AnyRecord & Record<string, unknown>;
  const norm = (v: unknown) => (v === undefined ? null : Array.isArray(v) ? [...v].sort() : v);
  const keys = kind === 'grids' ? ['code', 'name', 'communityCode', 'leaderName', 'leaderPhone', 'partyBranch', 'population', 'households'] : kind === 'stations' ? ['code', 'type', 'name', 'address', 'amenities', 'openingHours', 'phone', 'operator', 'status'] : ['code', 'name', 'parentCode'];
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

const PARENT: Partial<Record<ImportKind, 'districts' | 'streets' | 'communities'>> = { streets: 'districts', communities: 'streets', grids: 'communities' };
const parentCodeOf = (kind: ImportKind, r: AnyRecord) => (kind === 'grids' ? (r as GridRecord).communityCode : (r as AdminRecord).parentCode ?? '');

/** The checks against the database; read-only. */
async function checkRecords(q: Kysely<Database>, read: ReadResult<ImportKind>, opts: ImportOptions) {
  const rejected: Rejected[] = [];
  const warnings: { zh: string; en: string }[] = [];
  const bad = new Set<number>();
  const reject = (row: number | null, code: Rejected['code'], featureCode: string | undefined, zh: string, en: string) => {
    rejected.push({ row, code, ...(featureCode ? { feature_code: featureCode } : {}), reason_zh: zh, reason_en: en });
    if (row !== null) bad.add(row);
  };
  const kind = read.kind;

  // 1. Inside the city: near the districts (or streets when there are no districts).
  if (kind !== 'districts' && read.records.length > 0) {
    const tol = opts.cityToleranceM ?? 1000;
    const ref = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM districts`.execute(q)).rows[0].n > 0 ? 'districts' : 'streets';
    const extent = (
      await sql<{ xmin: number | null; ymin: number; xmax: number; ymax: number }>`
        SELECT ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax FROM (SELECT ST_Extent(boundary)::geometry AS e FROM ${sql.table(ref)}) x`.execute(q)
    ).rows[0];
    if (extent && extent.xmin !== null) {
      const pts = read.records.map((r) => representative(r.record));
      const outside = await sql<{ i: number }>`
        SELECT (t.ord - 1)::int AS i
          FROM jsonb_array_elements(${JSON.stringify(pts)}::jsonb) WITH ORDINALITY AS t(e, ord)
          CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint((t.e->>0)::float8, (t.e->>1)::float8), 4326) AS p) pt
         WHERE NOT EXISTS (SELECT 1 FROM ${sql.table(ref)} d WHERE ST_Intersects(d.boundary, pt.p))
           AND NOT EXISTS (SELECT 1 FROM ${sql.table(ref)} d WHERE d.boundary && ST_Expand(pt.p, ${tol / 80_000}) AND ST_DWithin(d.boundary::geography, pt.p::geography, ${tol}))`.execute(q);
      const bbox: Bbox = [extent.xmin, extent.ymin, extent.xmax, extent.ymax];
      for (const { i } of outside.rows) {
        const { row, record } = read.records[i];
        const p = pts[i];
        const at = `${p[0].toFixed(6)}, ${p[1].toFixed(6)}`;
        if (looksSwapped(p as LonLat, bbox)) {
          reject(row, 'swapped_lat_lon', record.code, `经纬度疑似颠倒（${at} 在城市范围外，交换后在范围内）`, `longitude and latitude look swapped (${at} is outside the city, swapped it is inside)`);
        } else {
          reject(row, 'outside_city', record.code, `位置 ${at} 不在本市范围内（距各区边界超过 ${tol} 米）`, `position ${at} is outside the city (more than ${tol} m from every district)`);
        }
      }
    }
  }

  // 2. Parents must exist.
  const parentTable = PARENT[kind];
  if (parentTable) {
    const codes = read.records.map((r) => parentCodeOf(kind, r.record));
    const ids = await idsByCode(q, parentTable, codes);
    const label = { districts: ['区', 'district'], streets: ['街道', 'street'], communities: ['社区', 'community'] }[parentTable];
    read.records.forEach(({ row, record }, i) => {
      if (!bad.has(row) && !ids.has(codes[i])) reject(row, 'unknown_parent', record.code, `所属${label[0]}编码 ${codes[i] || '（空）'} 在数据库中不存在，请先导入${label[0]}`, `${label[1]} code ${codes[i] || '(empty)'} does not exist in the database; import the ${label[1]} first`);
    });
  }

  // 3. Does the declared coordinate system fit the street network? (stations: they stand on streets)
  let crsCheck: CrsCheck | undefined;
  if (kind === 'stations' && read.raw.length >= 5) {
    const raws = read.raw.map((r) => r.position as LonLat);
    const xs: number[] = [];
    const ys: number[] = [];
    for (const p of raws) {
      for (const c of CRS_VALUES) {
        const w = convertPosition([p[0], p[1]], c, 'wgs84');
        xs.push(w[0]);
        ys.push(w[1]);
      }
    }
    const m = 0.012; // ≈ 1 km
    const edges = await listEdges(q, [Math.min(...xs) - m, Math.min(...ys) - m, Math.max(...xs) + m, Math.max(...ys) + m], { limit: 200_000 });
    if (edges.length > 0) {
      const index = new PolylineIndex(edges.map((e) => (e.geometry as LineString).coordinates as unknown as LonLat[]));
      crsCheck = checkDeclaredCrs(raws, read.crs, index);
      if (crsCheck.suspected) {
        const msg = crsSuspicionMessage(crsCheck, read.crs);
        if (opts.force) warnings.push(msg);
        else reject(null, 'suspected_crs', undefined, `${msg.zh}（确认无误可加 --force 强制导入）`, `${msg.en} (add --force if you are sure)`);
      }
    }
  }
  return { rejected, warnings, bad, crsCheck };
}

/**
 * Reads, checks and (unless `dryRun`) writes one file. Returns the report; a file with rejected
 * rows throws ImportFailed carrying the same report (dry runs never throw for bad content).
 */
export async function importFile(db: Db, format: ImportFormat, bytes: Uint8Array, kind: ImportKind, opts: ImportOptions): Promise<ImportReport> {
  const progress = opts.onProgress ?? (() => {});
  progress({ phase: 'read', done: 0, total: 1 });
  const read = await readImportFile(format, bytes, kind, opts);
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
    changes: [],
    warnings: [...read.warnings],
    info: read.info,
  };
  const fileLevel = read.rejected.some((r) => r.row === null);
  let plan: { row: number; record: AnyRecord; existing?: ExistingRow; action: 'create' | 'update' | 'unchanged' }[] = [];

  const classify = async (q: Kysely<Database>) => {
    const table = kind;
    const existing = await existingByCode(q, table, read.records.map((r) => r.record.code));
    return read.records.map(({ row, record }) => {
      const ex = existing.get(record.code);
      const action: 'create' | 'update' | 'unchanged' = !ex ? 'create' : unchanged(kind, record, ex) ? 'unchanged' : 'update';
      return { row, record: record as AnyRecord, existing: ex, action };
    });
  };

  if (!fileLevel) {
    progress({ phase: 'check', done: 0, total: 1 });
    const checks = await checkRecords(db.kysely, read, opts);
    report.rejected.push(...checks.rejected);
    report.rejected.sort((a, b) => (a.row ?? -1) - (b.row ?? -1));
    report.warnings.push(...checks.warnings);
    if (checks.crsCheck) {
      const r1 = (o: Record<Crs, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 10) / 10])) as Record<Crs, number>;
      report.crs_check = { suspected: checks.crsCheck.suspected, mean_m: r1(checks.crsCheck.meanM), median_m: r1(checks.crsCheck.medianM), points: checks.crsCheck.points };
    }
    plan = (await classify(db.kysely)).filter((p) => !checks.bad.has(p.row));
    progress({ phase: 'check', done: 1, total: 1 });
  }
  const fill = () => {
    report.created = plan.filter((p) => p.action === 'create').length;
    report.updated = plan.filter((p) => p.action === 'update').length;
    report.unchanged = plan.filter((p) => p.action === 'unchanged').length;
    report.changes = plan.map((p) => ({ row: p.row, code: p.record.code, action: p.action }));
  };
  fill();
  if (opts.dryRun) return report;
  if (report.rejected.length > 0) throw ImportFailed.fromReport(report);

  const by = opts.by ?? 'import';
  try {
    await db.kysely.transaction().execute(async (tx) => {
      plan = await classify(tx); // the state inside the transaction is what gets written against
      const writes = plan.filter((p) => p.action !== 'unchanged');
      let done = 0;
      const tick = () => progress({ phase: 'write', done: ++done, total: writes.length });
      progress({ phase: 'write', done: 0, total: writes.length });
      const items = <P>() => writes.map(({ record, existing }) => {
        const { geometry, ...props } = record;
        return { props: props as unknown as P, geometry, existing } as UpsertItem<P>;
      });
      if (kind === 'grids') await upsertGrids(tx, items<GridProps>(), by, tick);
      else if (kind === 'stations') await upsertStations(tx, items<StationProps>(), by, tick);
      else await upsertAdminUnits(tx, ADMIN_LEVEL_OF[kind], items<AdminProps>(), tick);
    });
  } catch (err) {
    if (err instanceof DatasetError) {
      report.rejected.push(...err.details.map((d) => ({ row: plan.find((p) => p.record.code === d.code)?.row ?? null, code: 'unknown_parent' as const, ...(d.code ? { feature_code: d.code } : {}), reason_zh: err.message.split(' / ')[0], reason_en: err.message.split(' / ').slice(1).join(' / ') })));
      throw ImportFailed.fromReport(report);
    }
    throw err;
  }
  fill();
  report.committed = true;
  return report;
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

/**
 * Replaces the street network with the walkable network of an OpenStreetMap extract.
 * Everything is read and built before the transaction starts.
 */
export async function importOsmNetwork(
  db: Db,
  path: string,
  opts: { respectAccess?: boolean; onProgress?: (p: OsmReadProgress) => void } = {},
): Promise<OsmImportResult> {
  const result = await importOsmPbf(path, opts);
  await db.kysely.transaction().execute(async (tx) => {
    await replaceNetwork(tx, result.network);
    await setMeta(tx, 'network', {
      source: path.split('/').pop(),
      attribution: '© OpenStreetMap contributors (ODbL)',
      edges: result.network.edges.length,
      nodes: result.network.nodes.length,
      importedAt: new Date().toISOString(),
    });
  });
  return result;
}
