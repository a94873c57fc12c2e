/**
 * The import report on the upload page: counts of rows (created / updated / unchanged / rejected),
 * the per-row table (./rows.ts), rejected rows with their reasons, repairs with areas before and
 * after, warnings, the coordinate-system check and the encoding read. Pure view of one report.
 */
import { fmtInt, pick, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { h } from '../ui/dom.js';
import { sortedRejected, type ImportReport } from './report.js';
import { rowTable } from './rows.js';

/** Children without the nulls of conditional parts (replaceChildren takes none). */
export const kids = (...c: (Node | string | null)[]): (Node | string)[] => c.filter((x): x is Node | string => x !== null);

/** The report's elements, or none without a report. */
export function reportView(r: ImportReport | null): (Node | string)[] {
  if (!r) return [];
  const title = r.committed ? t('import.report.committed') : !r.dry_run ? t('import.report.rejectedCommit') : t('import.report.dry');
  const count = (key: MessageKey, n: number, cls: string) =>
    h('div', { class: `imp-count ${cls}${n > 0 ? ' some' : ''}`, 'data-count': cls }, h('strong', {}, fmtInt(n)), h('span', {}, t(key)));
  const rejected = sortedRejected(r);
  const check = r.crs_check;
  return kids(
    h('h3', { class: r.committed ? 'ok' : r.rejected.length ? 'alert' : '' }, title),
    h(
      'div',
      { class: 'imp-counts' },
      count('import.count.total', r.total, 'total'),
      count('import.count.created', r.created, 'created'),
      count('import.count.updated', r.updated, 'updated'),
      count('import.count.unchanged', r.unchanged, 'unchanged'),
      count('import.count.rejected', r.rejected_rows, 'rejected'), // rows, not problems (a row may have several)
    ),
    rowTable(r),
    rejected.length
      ? h(
          'div',
          { class: 'imp-rejected' },
          h('h4', {}, t('import.rejected.title')),
          h(
            'div',
            { class: 'imp-scroll' },
            h(
              'table',
              { class: 'imp-table', id: 'rejected' },
              h(
                'thead',
                {},
                h('tr', {}, h('th', {}, t('import.rejected.row')), h('th', {}, t('import.rejected.code')), h('th', {}, t('import.rejected.reason'))),
              ),
              h(
                'tbody',
                {},
                ...rejected.map((x) =>
                  h(
                    'tr',
                    { 'data-row': x.row ?? '', 'data-code': x.code },
                    h('td', { class: 'num' }, x.row ?? t('import.rejected.file')),
                    h('td', {}, x.feature_code ?? ''),
                    h('td', {}, pick(x.reason_zh, x.reason_en)),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
    r.repairs?.length
      ? h(
          'div',
          { class: 'imp-repairs', id: 'repairs' },
          h('h4', {}, t('import.repairs.title')),
          h(
            'ul',
            {},
            ...r.repairs.map((x) =>
              h(
                'li',
                { 'data-row': x.row },
                `${x.row}${x.feature_code ? `（${x.feature_code}）` : ''}：${x.fixes.map((f) => pick(f.reason_zh, f.reason_en)).join('；')} · ${fmtInt(Math.round(x.area_before_m2))} → ${fmtInt(Math.round(x.area_after_m2))} m²`,
              ),
            ),
          ),
        )
      : null,
    r.warnings.length
      ? h(
          'div',
          { class: 'imp-warnings', id: 'warnings' },
          h('h4', {}, t('import.warnings')),
          h('ul', {}, ...r.warnings.map((w) => h('li', {}, pick(w.zh, w.en)))),
        )
      : null,
    check && check.points > 0
      ? h(
          'p',
          { class: 'hint', id: 'crs-check' },
          t('import.crsCheck', { n: check.points }),
          ' ',
          Object.entries(check.mean_m)
            .map(([c, m]) => `${t(`import.crs.${c}` as MessageKey).split(/[（(]/)[0]} ${Math.round(m)} m`)
            .join(' · '),
          check.suspected ? h('strong', { class: 'alert' }, ` · ${t('import.crsSuspected', { crs: t(`import.crs.${check.suspected}` as MessageKey) })}`) : null,
        )
      : null,
    'encoding' in r.info && typeof r.info.encoding === 'string' ? h('p', { class: 'hint' }, t('import.info.encoding', { v: r.info.encoding })) : null,
  );
}
