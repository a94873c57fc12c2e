/**
 * The checks of read records against the database (read-only): inside the city (or swapped
 * coordinates), parents that exist, and a declared coordinate system that fits the street network.
 */
import { sql, type Kysely } from 'kysely';
import type { LineString } from 'geojson';
import type { Database } from '../../db/schema.js';
import { idsByCode } from '../../db/upsert.repository.js';
import { listEdges } from '../../db/network.repository.js';
import type { Message } from '../../validation/problem.js';
import { convertPosition, CRS_VALUES } from '../crs.js';
import type { ReadResult, Rejected } from '../formats/read.js';
import type { AdminRecord, GridRecord, ImportKind } from '../records/types.js';
import {
  checkDeclaredCrs,
  crsNotEnoughEvidenceMessage,
  crsSuspicionMessage,
  looksSwapped,
  PolylineIndex,
  type Bbox,
  type CrsCheck,
  type LonLat,
} from '../sanity.js';
import type { AnyRecord, ImportOptions } from './types.js';

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

const PARENT: Partial<Record<ImportKind, 'districts' | 'streets' | 'communities'>> = { streets: 'districts', communities: 'streets', grids: 'communities' };
const parentCodeOf = (kind: ImportKind, r: AnyRecord) => (kind === 'grids' ? (r as GridRecord).communityCode : ((r as AdminRecord).parentCode ?? ''));

/** The checks against the database; read-only. */
/** Points per outside-the-city statement. */
const CITY_CHECK_SLICE = 1000;
/** Rows the coordinate-system check looks at, at most. */
export const CRS_CHECK_POINTS = 500;

export async function checkRecords(q: Kysely<Database>, read: ReadResult<ImportKind>, opts: ImportOptions) {
  const rejected: Rejected[] = [];
  const warnings: Message[] = [];
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
        SELECT ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax FROM (SELECT ST_Extent(boundary)::geometry AS e FROM ${sql.table(ref)}) x`.execute(
        q,
      )
    ).rows[0];
    if (extent && extent.xmin !== null) {
      const pts = read.records.map((r) => representative(r.record));
      // In slices: on the embedded engine every statement runs on the event loop, so a 200k-row
      // file in one statement held it for tens of seconds; between slices other requests go first.
      const outside = { rows: [] as { i: number }[] };
      for (let from = 0; from < pts.length; from += CITY_CHECK_SLICE) {
        const slice = pts.slice(from, from + CITY_CHECK_SLICE);
        const r = await sql<{ i: number }>`
        SELECT (t.ord - 1)::int AS i
          FROM jsonb_array_elements(${JSON.stringify(slice)}::jsonb) WITH ORDINALITY AS t(e, ord)
          CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint((t.e->>0)::float8, (t.e->>1)::float8), 4326) AS p) pt
         WHERE NOT EXISTS (SELECT 1 FROM ${sql.table(ref)} d WHERE ST_Intersects(d.boundary, pt.p))
           AND NOT EXISTS (SELECT 1 FROM ${sql.table(ref)} d WHERE d.boundary && ST_Expand(pt.p, ${tol / 80_000}) AND ST_DWithin(d.boundary::geography, pt.p::geography, ${tol}))`.execute(
          q,
        );
        for (const { i } of r.rows) outside.rows.push({ i: i + from });
        await new Promise((resolve) => setImmediate(resolve));
      }
      const bbox: Bbox = [extent.xmin, extent.ymin, extent.xmax, extent.ymax];
      for (const { i } of outside.rows) {
        const { row, record } = read.records[i];
        const p = pts[i];
        const at = `${p[0].toFixed(6)}, ${p[1].toFixed(6)}`;
        if (looksSwapped(p as LonLat, bbox)) {
          reject(
            row,
            'swapped_lat_lon',
            record.code,
            `经纬度疑似颠倒（${at} 在城市范围外，交换后在范围内）`,
            `longitude and latitude look swapped (${at} is outside the city, swapped it is inside)`,
          );
        } else {
          reject(
            row,
            'outside_city',
            record.code,
            `位置 ${at} 不在本市范围内（距各区边界超过 ${tol} 米）`,
            `position ${at} is outside the city (more than ${tol} m from every district)`,
          );
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
      if (!bad.has(row) && !ids.has(codes[i]))
        reject(
          row,
          'unknown_parent',
          record.code,
          `所属${label[0]}编码 ${codes[i] || '（空）'} 在数据库中不存在，请先导入${label[0]}`,
          `${label[1]} code ${codes[i] || '(empty)'} does not exist in the database; import the ${label[1]} first`,
        );
    });
  }

  // 3. Does the declared coordinate system fit the street network? (stations: they stand on streets)
  let crsCheck: CrsCheck | undefined;
  if (kind === 'stations' && read.raw.length > 0) {
    // small files too: the check weighs the evidence and says when there is not enough
    // At most CRS_CHECK_POINTS rows, evenly spaced: the evidence of hundreds of stations is
    // already overwhelming either way, and every point costs three nearest-street searches here.
    const step = Math.max(1, Math.ceil(read.raw.length / CRS_CHECK_POINTS));
    const raws: LonLat[] = [];
    for (let i = 0; i < read.raw.length; i += step) raws.push(read.raw[i].position as LonLat);
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of raws) {
      for (const c of CRS_VALUES) {
        const w = convertPosition([p[0], p[1]], c, 'wgs84');
        x0 = Math.min(x0, w[0]);
        y0 = Math.min(y0, w[1]);
        x1 = Math.max(x1, w[0]);
        y1 = Math.max(y1, w[1]);
      }
    }
    const m = 0.012; // ≈ 1 km
    const edges = await listEdges(q, [x0 - m, y0 - m, x1 + m, y1 + m], { limit: 200_000 });
    if (edges.length > 0) {
      const index = new PolylineIndex(edges.map((e) => (e.geometry as LineString).coordinates as unknown as LonLat[]));
      crsCheck = checkDeclaredCrs(raws, read.crs, index);
      if (crsCheck.suspected) {
        const msg = crsSuspicionMessage(crsCheck, read.crs);
        if (opts.force) warnings.push(msg);
        else reject(null, 'suspected_crs', undefined, `${msg.zh}（确认无误可加 --force 强制导入）`, `${msg.en} (add --force if you are sure)`);
      } else if (crsCheck.verdict === 'not_enough_evidence') warnings.push(crsNotEnoughEvidenceMessage(crsCheck, read.crs));
    }
  }
  return { rejected, warnings, bad, crsCheck };
}
