/**
 * Uploads: a file's raw bytes as the body (no multipart), checked and reported row by row, written
 * only when `dry_run=false` and nothing was rejected.
 *
 *   POST /api/imports/preview?format=csv|xlsx          → detected header → field per column, first rows
 *   POST /api/imports/:kind?format=…&crs=…&dry_run=…   → {created, updated, unchanged, rejected: [{row, code, reason_zh, reason_en}], …}
 *
 * Bodies: application/zip (Shapefile), application/vnd.google-earth.kml+xml, application/vnd.google-earth.kmz,
 * text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/geo+json,
 * application/octet-stream (then `format` is required). The parsers are registered inside this
 * plugin only, with their own size limit (`BODY_LIMIT`, at least 20 MB for files).
 *
 * Both need import rights. Files are read within the upload limits (`uploadLimits` in the config:
 * zip inflation and ratio, table rows, columns and cells) → 413 `too_large` naming the limit; one
 * upload at a time per user (another → 429 `import_in_progress`), `IMPORT_RATE_PER_MINUTE` per
 * session (→ 429 `too_many_requests`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { sessionToken } from '../auth/plugin.js';
import { tokenHash } from '../db/users.repository.js';
import { ApiError, badRequest } from '../errors.js';
import { tooManyResponse } from '../plugins/rate-limit.js';
import { LimitExceeded } from '../import/formats/limits.js';
import { errorResponses } from '../schemas/common.js';
import {
  type ImportFormat as ImportFormatSchema,
  type ImportKind as ImportKindSchema,
  ImportParams,
  ImportQuery,
  ImportReport as ImportReportSchema,
  PreviewQuery,
  type TableField as TableFieldSchema,
  TablePreview,
} from '../schemas/imports.js';
import { importFile } from '../import/pipeline/import-file.js';
import { ImportFailed, rejectedMessage } from '../import/pipeline/report.js';
import type { ImportReport } from '../import/pipeline/types.js';
import { FileFormatError } from '../import/formats/errors.js';
import { IMPORT_FORMATS, previewTableFile, readImportFile, type ImportFormat } from '../import/formats/read.js';
import { importReaderOn, tablePreviewOn } from '../compute/file-process.js';
import type { ImportKind } from '../import/records/types.js';
import { TABLE_FIELDS, type TableField } from '../import/formats/table.js';

const FILE_TYPES: Record<string, ImportFormat | null> = {
  'application/zip': 'shapefile',
  'application/x-zip-compressed': 'shapefile',
  'application/vnd.google-earth.kml+xml': 'kml',
  'application/vnd.google-earth.kmz': 'kmz',
  'text/csv': 'csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/geo+json': 'geojson',
  'application/octet-stream': null,
};

// The schemas' lists are the importer's: a compile error here when one changes without the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<Static<typeof ImportFormatSchema>, ImportFormat>,
  Same<Static<typeof ImportKindSchema>, ImportKind>,
  Same<Static<typeof TableFieldSchema>, TableField>,
] = [true, true, true];
void agree;

function bodyBytes(req: FastifyRequest): Uint8Array {
  const b = req.body as unknown;
  if (Buffer.isBuffer(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (b !== undefined && b !== null && typeof b === 'object') return new TextEncoder().encode(JSON.stringify(b)); // application/json GeoJSON
  throw badRequest('empty_body', '请求体为空：请以文件内容作为请求体上传', 'Empty body: send the file’s bytes as the request body');
}

function formatOf(req: FastifyRequest, given: ImportFormat | undefined): ImportFormat {
  if (given) return given;
  const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/json') return 'geojson';
  const f = FILE_TYPES[ct];
  if (f) return f;
  throw badRequest(
    'format_required',
    `无法从内容类型 ${ct || '（无）'} 判断文件格式，请加 format=${IMPORT_FORMATS.join('|')}`,
    `cannot tell the file format from content type ${ct || '(none)'}; add format=${IMPORT_FORMATS.join('|')}`,
  );
}

function parseColumns(value: string | undefined): Record<string, TableField | null> | undefined {
  if (!value) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(value);
  } catch {
    throw badRequest(
      'invalid_columns',
      'columns 应为 JSON 对象，如 {"站名":"name","备注":null}',
      'columns must be a JSON object such as {"站名":"name","备注":null}',
    );
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw badRequest('invalid_columns', 'columns 应为 JSON 对象', 'columns must be a JSON object');
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && !TABLE_FIELDS.includes(v as TableField)) {
      throw badRequest(
        'invalid_columns',
        `列 ${k} 对应的字段 ${String(v)} 无效；可选：${TABLE_FIELDS.join(', ')} 或 null`,
        `column ${k}: unknown field ${String(v)}; allowed: ${TABLE_FIELDS.join(', ')} or null`,
      );
    }
  }
  return o as Record<string, TableField | null>;
}

/** A file past an upload limit: 413 naming the limit (`details`: limit, max, and entry / row / column). */
const tooLarge = (e: LimitExceeded) => new ApiError(413, 'too_large', e.zh, e.en, e.details);

const routes: FastifyPluginAsyncTypebox = async (app) => {
  // Counted per session where there is one (≈ per user), else per address, before authentication.
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (req) => {
      const t = sessionToken(req);
      return t ? `s:${tokenHash(t)}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: tooManyResponse({ zh: '上传过于频繁', en: 'Too many uploads' }),
  });
  const rate = { rateLimit: { max: app.config.importRatePerMinute, timeWindow: 60_000 } };
  const limits = app.config.uploadLimits;

  // One upload (preview or import) at a time per user: a second one while the first is read or
  // written is a 429 rather than another file in the queue of the reading process.
  const inFlight = new Set<string>();
  async function oneAtATime<T>(req: FastifyRequest, work: () => Promise<T>): Promise<T> {
    const who = String(req.actor!.id);
    if (inFlight.has(who)) {
      throw new ApiError(
        429,
        'import_in_progress',
        '您的上一个文件还在处理中，请等它完成后再上传，约 5 秒后重试',
        'Your previous upload is still being processed; wait for it to finish and retry in about 5 s',
        undefined,
        5,
      );
    }
    inFlight.add(who);
    try {
      return await work();
    } catch (err) {
      if (err instanceof LimitExceeded) throw tooLarge(err);
      throw err;
    } finally {
      inFlight.delete(who);
    }
  }

  const bodyLimit = Math.max(app.config.bodyLimit, 20 * 1024 * 1024);
  app.addContentTypeParser(Object.keys(FILE_TYPES), { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));

  // Uploads need a login. A file replaces many rows at once without the per-edit topology checks
  // of the editor, so: grids and admin units only by administrators, stations by administrators
  // and planners. (Street editors importing the rows of their own street is not built yet.)
  app.addHook('preHandler', app.requireActor);
  const actorName = (req: FastifyRequest) => req.actor!.username;
  const mayImport = (req: FastifyRequest, kind: string) => req.actor!.role === 'admin' || (kind === 'stations' && req.actor!.role === 'planner');
  const forbidden = (kind: string) =>
    new ApiError(
      403,
      'forbidden',
      kind === 'stations' ? '只有管理员和规划人员可以导入站点' : '只有管理员可以导入网格和行政区划',
      kind === 'stations' ? 'Only administrators and planners may import stations' : 'Only administrators may import grids and admin units',
    );

  app.post(
    '/imports/preview',
    {
      bodyLimit,
      config: rate,
      schema: {
        tags: ['stations'],
        summary: '表格导入预览：识别的表头与字段对应、前几行 / Table import preview: detected header → field mapping and the first rows',
        querystring: PreviewQuery,
        response: {
          200: TablePreview,
          ...errorResponses,
        },
      },
    },
    async (req) => {
      // A preview reads the whole file like an import does: the same rights (station imports).
      if (!mayImport(req, 'stations')) throw forbidden('stations');
      const format = formatOf(req, req.query.format);
      if (format !== 'csv' && format !== 'xlsx')
        throw badRequest('invalid_format', '预览只适用于 CSV 和 Excel 表格', 'preview is for CSV and Excel tables only');
      const bytes = bodyBytes(req);
      const columns = parseColumns(req.query.columns);
      return oneAtATime(req, async () => {
        try {
          const p = await tablePreviewOn(app.files, previewTableFile)(format, bytes, { sheet: req.query.sheet, limit: req.query.limit, columns, limits });
          return { ...p, fields: [...TABLE_FIELDS] };
        } catch (err) {
          if (err instanceof FileFormatError) throw new ApiError(422, err.code, err.zh, err.en);
          throw err;
        }
      });
    },
  );

  app.post(
    '/imports/:kind',
    {
      bodyLimit,
      config: rate,
      schema: {
        tags: ['grids'],
        summary: '上传导入（先试运行，再提交）/ Upload an import (dry run first, then commit)',
        description:
          'The body is the file itself. `dry_run=true` (default) reports what would be created, updated or rejected, row by row, and writes nothing. `dry_run=false` writes everything in one transaction, or nothing (422 with the same report in `details`) when any row is rejected.',
        params: ImportParams,
        querystring: ImportQuery,
        response: { 200: ImportReportSchema, ...errorResponses },
      },
    },
    async (req) => {
      if (!mayImport(req, req.params.kind)) throw forbidden(req.params.kind);
      const q = req.query;
      const format = formatOf(req, q.format);
      const dryRun = q.dry_run ?? true;
      const bytes = bodyBytes(req);
      const columns = parseColumns(q.columns);
      let report: ImportReport;
      try {
        report = await oneAtATime(req, () =>
          importFile(app.db, format, bytes, req.params.kind, {
            crs: q.crs ?? 'wgs84',
            dryRun,
            force: q.force,
            repair: q.repair,
            sheet: q.sheet,
            layer: q.layer,
            columns,
            limits,
            by: actorName(req),
            read: importReaderOn(app.files, readImportFile),
          }),
        );
      } catch (err) {
        if (err instanceof ImportFailed && err.report) {
          const r = err.report;
          const first = r.rejected.slice(0, 3).map((x) => rejectedMessage(r.format, x));
          throw new ApiError(
            422,
            'import_rejected',
            `导入被拒绝，${r.rejected_rows} 行共 ${r.rejected.length} 个问题，未写入任何数据：${first.map((m) => m.split(' / ')[0]).join('；')}`,
            `import rejected: ${r.rejected.length} problem(s) in ${r.rejected_rows} row(s); nothing was written: ${first.map((m) => m.split(' / ').slice(1).join(' / ')).join('; ')}`,
            r,
          );
        }
        throw err;
      }
      if (report.committed) app.city.invalidate();
      // The report's `info` is typed loosely by the importer; its shapes are those of ReadInfo.
      return report as Static<typeof ImportReportSchema>;
    },
  );
};
export default routes;
