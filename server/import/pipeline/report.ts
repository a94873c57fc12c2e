/** Report rows as sentences ("第 5 行（编码 X）：… / row 5 (code X): …") and the error a rejected file throws. */
import type { ImportFormat, Rejected } from '../formats/read.js';
import type { ImportError } from '../records/types.js';
import type { ImportReport, RepairEntry } from './types.js';

const rowLabel = (format: ImportFormat, row: number | null) => {
  if (row === null) return { zh: '文件', en: 'file' };
  if (format === 'csv' || format === 'xlsx') return { zh: `第 ${row} 行`, en: `row ${row}` };
  if (format === 'kml' || format === 'kmz') return { zh: `第 ${row} 个地标`, en: `placemark #${row}` };
  if (format === 'shapefile') return { zh: `第 ${row} 条记录`, en: `record #${row}` };
  return { zh: `第 ${row} 个要素`, en: `feature #${row}` };
};

const m2 = (v: number) => (Math.abs(v) >= 10_000 ? `${(v / 10_000).toFixed(2)} 公顷` : `${v.toFixed(1)} m²`);
const m2En = (v: number) => (Math.abs(v) >= 10_000 ? `${(v / 10_000).toFixed(2)} ha` : `${v.toFixed(1)} m²`);

/** "第 2 个要素（编码 X）已修复：…；面积 1.20 公顷 → 1.18 公顷 / feature #2 (code X) repaired: …; area … → …" */
export function repairMessage(format: ImportFormat, r: RepairEntry): string {
  const l = rowLabel(format, r.row);
  const c = r.feature_code ? { zh: `（编码 ${r.feature_code}）`, en: ` (code ${r.feature_code})` } : { zh: '', en: '' };
  return (
    `${l.zh}${c.zh}已修复：${r.fixes.map((f) => f.reason_zh).join('；')}；面积 ${m2(r.area_before_m2)} → ${m2(r.area_after_m2)}` +
    ` / ${l.en}${c.en} repaired: ${r.fixes.map((f) => f.reason_en).join('; ')}; area ${m2En(r.area_before_m2)} → ${m2En(r.area_after_m2)}`
  );
}

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
    super(
      `导入失败，共 ${errors.length} 个问题，未写入任何数据 / import failed with ${errors.length} problem(s); nothing was written\n${errors.map((e) => `  - ${e.message}`).join('\n')}`,
    );
  }

  static fromReport(report: ImportReport): ImportFailed {
    return new ImportFailed(
      report.rejected.map((r) => ({
        feature: r.row === null ? -1 : r.row - 1,
        ...(r.feature_code ? { id: r.feature_code } : {}),
        message: rejectedMessage(report.format, r),
      })),
      report,
    );
  }
}
