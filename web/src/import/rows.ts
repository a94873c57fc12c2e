/**
 * The report's per-row table: for every row of the file, created / updated / unchanged /
 * rejected; for stations how the row matched its station (编码, or 名称 + 位置 for lists without
 * codes) and the opening hours as the list wrote them → as stored (OSM opening_hours). Figures
 * come from the API's report as they are (`rowResults` in ./report.ts).
 */
import { fmtInt, pick } from '../i18n/index.js';
import { h } from '../ui/dom.js';
import { MAX_LISTED_ROWS, rowResults, type ImportReport, type RowResult } from './report.js';

const RESULT: Record<RowResult['result'], [string, string]> = {
  create: ['新增', 'created'],
  update: ['更新', 'updated'],
  unchanged: ['未变', 'unchanged'],
  rejected: ['拒绝', 'rejected'],
};
const MATCHED: Record<NonNullable<RowResult['matchedBy']>, [string, string]> = {
  code: ['按编码', 'on code'],
  name_position: ['按名称 + 位置', 'on name + position'],
  none: ['新站点', 'new station'],
};

const tr = ([zh, en]: [string, string]) => pick(zh, en);

function hoursCell(x: RowResult, label: string) {
  const a = { class: 'hours', 'data-label': label };
  if (x.hours === null) return h('td', a, '');
  if (x.hoursText === null) return h('td', a, h('code', { 'data-osm': '' }, x.hours));
  // One span: on a phone the cell is a flex row (label, value) and the value wraps as a whole.
  return h('td', a, h('span', {}, h('span', { 'data-text': '' }, x.hoursText), h('span', { class: 'arrow' }, ' → '), h('code', { 'data-osm': '' }, x.hours)));
}

/** The list gave no code: a new station's was generated, a station matched on name + position keeps its own. */
function codeNote(x: RowResult) {
  if (!x.codeGenerated) return null;
  return h('small', { class: 'muted' }, x.matchedBy === 'name_position' ? pick('（沿用已有编码）', ' (existing code)') : pick('（生成）', ' (generated)'));
}

/** The table (null when the report has no rows to list). */
export function rowTable(r: ImportReport): HTMLElement | null {
  const rows = rowResults(r);
  if (!rows.length) return null;
  const stations = r.kind === 'stations';
  const shown = rows.slice(0, MAX_LISTED_ROWS);
  const L = {
    row: pick('行号', 'Row'),
    code: pick('编码', 'Code'),
    result: pick('结果', 'Result'),
    matched: pick('匹配', 'Matched'),
    hours: pick('营业时间（原文 → 存储）', 'Hours (as written → stored)'),
    notes: pick('说明', 'Notes'),
  };
  const head = [L.row, L.code, L.result, ...(stations ? [L.matched, L.hours] : []), L.notes];
  return h(
    'div',
    { class: 'imp-rows' },
    h('h4', {}, pick('逐行结果', 'Row by row')),
    rows.length > shown.length
      ? h(
          'p',
          { class: 'hint' },
          pick(`仅列出前 ${fmtInt(shown.length)} 行（共 ${fmtInt(rows.length)} 行）`, `First ${fmtInt(shown.length)} of ${fmtInt(rows.length)} rows`),
        )
      : null,
    h(
      'div',
      { class: 'imp-scroll' },
      h(
        'table',
        { class: 'imp-table imp-row-table', id: 'rows' },
        h('thead', {}, h('tr', {}, ...head.map((x) => h('th', {}, x)))),
        h(
          'tbody',
          {},
          ...shown.map((x) =>
            h(
              'tr',
              { 'data-row': x.row, 'data-result': x.result, 'data-matched': x.matchedBy ?? '' },
              h('td', { class: 'num', 'data-label': L.row }, String(x.row)),
              h('td', { class: 'code', 'data-label': L.code }, x.code ?? '', codeNote(x)),
              h('td', { class: 'result', 'data-label': L.result }, h('span', { class: `imp-result ${x.result}` }, tr(RESULT[x.result]))),
              ...(stations ? [h('td', { class: 'matched', 'data-label': L.matched }, x.matchedBy ? tr(MATCHED[x.matchedBy]) : ''), hoursCell(x, L.hours)] : []),
              h('td', { class: 'notes', 'data-label': L.notes }, x.problems.map((p) => pick(p.reason_zh, p.reason_en)).join('；')),
            ),
          ),
        ),
      ),
    ),
  );
}
