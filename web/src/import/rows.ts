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

function hoursCell(x: RowResult) {
  if (x.hours === null) return h('td', { class: 'hours' }, '');
  if (x.hoursText === null) return h('td', { class: 'hours' }, h('code', { 'data-osm': '' }, x.hours));
  return h('td', { class: 'hours' }, h('span', { 'data-text': '' }, x.hoursText), h('span', { class: 'arrow' }, ' → '), h('code', { 'data-osm': '' }, x.hours));
}

/** The table (null when the report has no rows to list). */
export function rowTable(r: ImportReport): HTMLElement | null {
  const rows = rowResults(r);
  if (!rows.length) return null;
  const stations = r.kind === 'stations';
  const shown = rows.slice(0, MAX_LISTED_ROWS);
  const head = [pick('行号', 'Row'), pick('编码', 'Code'), pick('结果', 'Result')];
  if (stations) head.push(pick('匹配', 'Matched'), pick('营业时间（原文 → 存储）', 'Hours (as written → stored)'));
  head.push(pick('说明', 'Notes'));
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
              h('td', { class: 'num' }, String(x.row)),
              h('td', { class: 'code' }, x.code ?? '', x.codeGenerated ? h('small', { class: 'muted' }, pick('（生成）', ' (generated)')) : null),
              h('td', {}, h('span', { class: `imp-result ${x.result}` }, tr(RESULT[x.result]))),
              ...(stations ? [h('td', { class: 'matched' }, x.matchedBy ? tr(MATCHED[x.matchedBy]) : ''), hoursCell(x)] : []),
              h('td', { class: 'notes' }, x.problems.map((p) => pick(p.reason_zh, p.reason_en)).join('；')),
            ),
          ),
        ),
      ),
    ),
  );
}
