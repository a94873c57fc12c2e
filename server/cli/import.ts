/**
 * Import data into either engine (DATABASE_URL set → server, else the embedded DATA_DIR):
 *   npm run import -- geojson|shapefile|kml|kmz|csv|xlsx FILE --kind KIND [--crs wgs84|gcj02|bd09] [--dry-run] [--repair] [--force] [--sheet NAME] [--layer NAME] [--by NAME]
 *   npm run import -- osm [--respect-access] FILE.osm.pbf
 * Admin units go top-down (districts, streets, communities, then grids). Existing codes are
 * updated (version + 1, history). A file with any rejected row is not written at all; the report
 * lists every problem by row. `--dry-run` only reports. `--repair` repairs invalid polygons
 * (repeated points, spikes, self-intersections, overlapping parts, slivers) instead of rejecting
 * them, and lists each repair with the area before and after. A database error while writing is
 * reported against the row being written, like any rejected row.
 */
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { importFile } from '../import/pipeline/import-file.js';
import { importOsmNetwork } from '../import/pipeline/osm-network.js';
import { ImportFailed, rejectedMessage, repairMessage } from '../import/pipeline/report.js';
import type { ImportReport } from '../import/pipeline/types.js';
import { IMPORT_KINDS, type ImportKind } from '../import/records/types.js';
import { IMPORT_FORMATS, type ImportFormat } from '../import/formats/read.js';
import { parseCrs } from '../import/crs.js';
import { parseCli } from './args.js';

const USAGE = `usage:
  npm run import -- ${IMPORT_FORMATS.join('|')} FILE --kind ${IMPORT_KINDS.join('|')} [--crs wgs84|gcj02|bd09] [--dry-run] [--repair] [--force] [--sheet NAME] [--layer NAME] [--by NAME]
      shapefile = a .zip with .shp/.dbf/.prj/.cpg; csv/xlsx: stations, or grids and admin units with a WKT / GeoJSON column (边界)
      --repair: fix invalid polygons (and list each fix with the area before/after) instead of rejecting them
  npm run import -- osm [--respect-access] FILE.osm.pbf`;

const { values, positionals } = parseCli(
  {
    kind: { type: 'string' },
    crs: { type: 'string' },
    'respect-access': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    repair: { type: 'boolean' },
    sheet: { type: 'string' },
    layer: { type: 'string' },
    by: { type: 'string' },
  },
  USAGE,
);
let [format, file] = positionals;
if (format === 'shp') format = 'shapefile';
if (values.help || !format || !file || ![...IMPORT_FORMATS, 'osm'].includes(format)) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

const fail = (msg: string): never => {
  console.error(`${msg}\n\n${USAGE}`);
  process.exit(2);
};

function printReport(r: ImportReport) {
  const out = r.rejected.length ? console.error : console.log;
  for (const [k, v] of Object.entries(r.info))
    if (k !== 'columns' && v !== null && v !== undefined) console.log(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  for (const w of r.warnings) console.log(`  ⚠ ${w.zh} / ${w.en}`);
  if (r.crs_check)
    console.log(
      `  坐标系检查 / CRS check: ${r.crs_check.verdict} (log10 ratio ${r.crs_check.log10_ratio}), mean distance to streets (m) ${JSON.stringify(r.crs_check.mean_m)}`,
    );
  console.log(
    `${r.dry_run ? '试运行（未写入）/ dry run (nothing written)' : r.committed ? '已写入 / written' : '未写入 / nothing written'}: ` +
      `共 ${r.total} 行 / ${r.total} rows: 新增 ${r.created} created, 更新 ${r.updated} updated, 不变 ${r.unchanged} unchanged, 拒绝 ${r.rejected_rows} rejected` +
      (r.rejected.length ? `（${r.rejected.length} 个问题 / problems）` : ''),
  );
  // Problems listed under their row: a row with three problems is one rejected row.
  let last: number | null | undefined;
  for (const x of r.rejected.slice(0, 200)) {
    if (x.row !== last)
      out(
        `  ${rejectedMessage(r.format, { ...x, reason_zh: '', reason_en: '' })
          .replace(/：\s*\/\s*/, ' / ')
          .replace(/:\s*$/, '')}`,
      );
    last = x.row;
    out(`    - [${x.code}] ${x.reason_zh} / ${x.reason_en}`);
  }
  if (r.rejected.length > 200) out(`  … ${r.rejected.length - 200} more`);
  // Stations: how rows matched, and hours converted from the list's wording.
  for (const c of r.changes) {
    const notes = [
      c.matched_by === 'name_position' ? '按名称和位置匹配 / matched by name + position' : '',
      c.code_generated && c.matched_by === 'none' ? '生成编码 / generated code' : '',
      c.opening_hours_text !== undefined ? `营业时间 hours "${c.opening_hours_text}" → ${c.opening_hours}` : '',
    ].filter(Boolean);
    if (notes.length) console.log(`  第 ${c.row} 行 / row ${c.row} (${c.code}, ${c.action}): ${notes.join('; ')}`);
  }
  if (r.repairs.length) console.log(`修复 / repaired: ${r.repairs.length}`);
  for (const x of r.repairs) console.log(`  * ${repairMessage(r.format, x)}`);
}

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
let exitCode = 0;
try {
  await migrate(db);
  if (format !== 'osm') {
    const kind = values.kind as ImportKind;
    if (!IMPORT_KINDS.includes(kind)) fail(`--kind 必须是 ${IMPORT_KINDS.join('|')} 之一 / --kind must be one of ${IMPORT_KINDS.join('|')}`);
    const crs = parseCrs(values.crs ?? 'wgs84') ?? fail(`--crs 只能是 wgs84|gcj02|bd09 / --crs must be wgs84|gcj02|bd09`);
    let bytes: Uint8Array = new Uint8Array();
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (err) {
      fail(`无法读取文件 ${file}：${(err as Error).message} / cannot read ${file}`);
    }
    const bar = new cliProgress.SingleBar(
      { format: '{phase} |{bar}| {percentage}% {value}/{total}', hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    let phase = '';
    const PHASES = { read: '读取 read  ', check: '检查 check ', write: '写入 write ' } as const;
    try {
      const r = await importFile(db, format as ImportFormat, bytes, kind, {
        crs,
        dryRun: values['dry-run'],
        force: values.force,
        repair: values.repair,
        sheet: values.sheet,
        layer: values.layer,
        by: values.by ?? 'cli',
        onProgress: (p) => {
          if (p.phase !== phase) {
            if (phase) bar.stop();
            phase = p.phase;
            bar.start(Math.max(1, p.total), p.done, { phase: PHASES[p.phase] });
          } else bar.update(p.done);
        },
      });
      bar.stop();
      printReport(r);
      if (r.rejected.length) exitCode = 1;
    } catch (err) {
      bar.stop();
      if (err instanceof ImportFailed && err.report) {
        printReport(err.report);
        exitCode = 1;
      } else throw err;
    }
  } else {
    const bar = new cliProgress.SingleBar({ format: '{phase} |{bar}| {percentage}% {value}/{total} MB', hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    const r = await importOsmNetwork(db, file, {
      respectAccess: values['respect-access'],
      onProgress: (p) => {
        const mb = (n: number) => Math.round(n / 1e5) / 10;
        if (!started) {
          bar.start(mb(p.totalBytes), 0, { phase: 'pass 1/2 ways ' });
          started = true;
        }
        bar.update(mb(p.bytesRead), { phase: p.pass === 1 ? 'pass 1/2 ways ' : 'pass 2/2 nodes' });
      },
    });
    bar.stop();
    console.log(
      `已导入步行路网 / imported walkable network: ${r.network.edges.length} edges, ${r.network.nodes.length} vertices, ` +
        `${r.components.length} connected parts (largest ${r.components[0] ?? 0}); read ${Math.round(r.ms.read)} ms, built ${Math.round(r.ms.build)} ms. © OpenStreetMap contributors`,
    );
  }
} catch (err) {
  if (err instanceof ImportFailed) {
    console.error(err.message);
    exitCode = 1;
  } else {
    console.error(`导入出错 / import error: ${(err as Error).message}`);
    exitCode = 1;
  }
} finally {
  await db.close();
}
process.exit(exitCode);
