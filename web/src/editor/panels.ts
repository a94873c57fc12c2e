/** Sidebar panels of the editor: preview (problems or impact), history, and the conflict dialog. Text via h(), never innerHTML. */
import type { ApiError, EditProblem, EditResponse, HistoryEntry } from '../api/client.js';
import { fmtArea, fmtInt, fmtPct, lang, pick, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { h } from '../ui/dom.js';
import { ATTR_FIELDS, type AttrField, type AttrValues, type FieldError } from './attributes.js';
import { summarizeImpact } from './impact.js';

/** Children for replaceChildren, without the null/false placeholders of conditional parts. */
export const nodes = (...xs: (Node | string | null | undefined | false | (Node | string | null)[])[]): (Node | string)[] =>
  xs.flat().filter((x): x is Node | string => x !== null && x !== undefined && x !== false);

export type TypeNames = Map<string, { zh: string; en: string }>;

const pp = (n: number) => (n > 0 ? `+${n.toFixed(1)}` : n < 0 ? `−${(-n).toFixed(1)}` : '±0.0') + (lang() === 'zh' ? ' 个百分点' : ' pp');

/** Problems (validation) as a numbered list; a click on one with a place calls `focus`. */
export function problemList(problems: EditProblem[], focus: (p: EditProblem) => void): HTMLElement {
  return h(
    'ol',
    { class: 'problems' },
    problems.map((p) =>
      h(
        'li',
        { 'data-code': p.code },
        p.location ? h('button', { type: 'button', class: 'linkish', onclick: () => focus(p) }, pick(p.zh, p.en)) : pick(p.zh, p.en),
      ),
    ),
  );
}

export function renderPreview(
  el: HTMLElement,
  state: { running?: boolean; response?: EditResponse; error?: ApiError | Error; saved?: boolean; confirm?: boolean; stale?: boolean },
  typeNames: TypeNames,
  focus: (p: EditProblem) => void,
): void {
  el.hidden = false;
  const title = h('h2', {}, t('preview.title'));
  if (state.running) {
    el.replaceChildren(title, h('p', { class: 'muted loading' }, t('preview.running')));
    return;
  }
  if (state.error) {
    const e = state.error as ApiError;
    const problems = ((e.details as { problems?: EditProblem[] } | undefined)?.problems ?? []) as EditProblem[];
    const refused = e.status === 403;
    el.replaceChildren(
      ...nodes(
        title,
        h(
          'p',
          { class: `alert ${refused ? 'refused' : 'invalid'}`, 'data-status': e.status ?? '' },
          refused ? t('preview.refused') : problems.length ? t('preview.problems') : '',
          problems.length ? null : e instanceof Error && 'zh' in e ? pick(e.zh, e.en) : (state.error as Error).message,
        ),
        problems.length ? problemList(problems, focus) : null,
      ),
    );
    return;
  }
  const r = state.response;
  if (!r) {
    el.hidden = true;
    return;
  }
  const s = summarizeImpact(r);
  const head = state.saved
    ? h('p', { class: 'ok saved' }, t('preview.saved', { n: r.changes.length }))
    : h('p', { class: 'ok' }, t('preview.ok'), state.confirm ? h('span', { class: 'muted' }, ' · ', t('preview.confirm')) : null);
  const gridRows = s.grids.map((g) =>
    h(
      'tr',
      { 'data-grid': g.id, 'data-role': g.role },
      h('td', {}, h('div', { class: 'gname' }, g.name), h('small', { class: 'muted' }, t(`role.${g.role}` as MessageKey))),
      h('td', { class: 'num' }, fmtArea(g.areaBefore), ' → ', fmtArea(g.areaAfter)),
      h('td', { class: 'num' }, fmtInt(g.populationBefore), ' → ', fmtInt(g.populationAfter)),
    ),
  );
  const cov = s.coverage.map((c) => {
    const n = typeNames.get(c.type);
    return h(
      'tr',
      { 'data-type': c.type },
      h('td', {}, n ? pick(n.zh, n.en) : c.type),
      h(
        'td',
        { class: 'num' },
        fmtPct(c.shareBefore),
        ' → ',
        fmtPct(c.shareAfter),
        h('br'),
        h('small', { class: c.deltaPp < 0 ? 'alert' : 'muted' }, pp(c.deltaPp)),
      ),
      h('td', { class: `num ${c.losing > 0 ? 'alert' : ''}` }, fmtInt(c.losing)),
    );
  });
  el.replaceChildren(
    ...nodes(
      title,
      state.stale ? h('p', { class: 'alert' }, t('preview.stale')) : head,
      r.warnings.length ? h('div', { class: 'warnings' }, h('h3', {}, t('preview.warnings')), problemList(r.warnings, focus)) : null,
      h(
        'div',
        { class: 'kpis' },
        kpi(t('preview.moved'), fmtInt(s.populationMoved), 'moved'),
        kpi(t('preview.population'), `${fmtInt(s.populationBefore)} → ${fmtInt(s.populationAfter)}`),
        kpi(t('preview.stations'), `${s.stationsBefore} → ${s.stationsAfter}`),
        kpi(t('preview.losing'), fmtInt(s.maxLosing), s.maxLosing > 0 ? 'losing' : 'none'),
      ),
      h('h3', {}, t('preview.grids')),
      h(
        'table',
        { class: 'impact' },
        h('thead', {}, h('tr', {}, h('th', {}, t('col.name')), h('th', {}, t('grid.area')), h('th', {}, t('popup.population')))),
        h('tbody', {}, gridRows),
      ),
      cov.length
        ? [
            h('h3', {}, t('preview.coverage')),
            h(
              'table',
              { class: 'impact coverage' },
              h('thead', {}, h('tr', {}, h('th', {}, t('controls.types')), h('th', {}, t('col.covered')), h('th', {}, t('preview.losing')))),
              h('tbody', {}, cov),
            ),
          ]
        : null,
    ),
  );
}

const kpi = (label: string, value: string, key?: string) =>
  h('div', { class: 'kpi', 'data-kpi': key }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, value));

export function renderHistory(
  el: HTMLElement,
  state: { gridName?: string; currentVersion?: number; deleted?: boolean; entries?: HistoryEntry[]; loading?: boolean; error?: string },
  on: { restore: (e: HistoryEntry) => void; hover: (e: HistoryEntry | null) => void },
): void {
  const title = h(
    'h2',
    {},
    t('history.title'),
    state.gridName ? ` · ${state.gridName}` : '',
    state.deleted ? h('span', { class: 'badge closed' }, t('deleted.badge')) : null,
  );
  if (!state.gridName) return void el.replaceChildren(title, h('p', { class: 'muted' }, t('history.pick')));
  if (state.loading) return void el.replaceChildren(title, h('p', { class: 'muted' }, t('status.loading')));
  if (state.error) return void el.replaceChildren(title, h('p', { class: 'alert' }, state.error));
  const entries = state.entries ?? [];
  if (!entries.length) return void el.replaceChildren(title, h('p', { class: 'muted' }, t('history.empty')));
  const when = (iso: string | null) =>
    iso === null
      ? '—'
      : new Date(iso).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  el.replaceChildren(
    title,
    h(
      'ol',
      { class: 'history' },
      entries.map((e) => {
        const current = e.version === state.currentVersion;
        const li = h(
          'li',
          { 'data-version': e.version, class: current ? 'current' : '' },
          h(
            'div',
            { class: 'hrow' },
            h('strong', {}, `v${e.version}`),
            ' ',
            t(`op.${e.operation}` as MessageKey),
            current ? h('span', { class: 'badge open' }, t('history.current')) : null,
          ),
          e.operation === 'original'
            ? h('div', { class: 'muted small' }, t('history.original'))
            : h('div', { class: 'muted small' }, t('history.by', { who: e.changed_by, when: when(e.changed_at) }), e.area_m2 ? ` · ${fmtArea(e.area_m2)}` : ''),
          !current && e.after_geometry
            ? h('button', { type: 'button', class: 'tool small restore', onclick: () => on.restore(e) }, t('history.restore'))
            : null,
        );
        li.addEventListener('mouseenter', () => on.hover(e));
        li.addEventListener('mouseleave', () => on.hover(null));
        return li;
      }),
    ),
  );
}

export function renderConflict(
  dialog: HTMLDialogElement,
  d: { code: string; yours: number; theirs: number },
  on: { keepTheirs: () => void; reapply: () => void },
): void {
  dialog.replaceChildren(
    h('h2', {}, t('conflict.title'), ` · ${d.code}`),
    h('p', {}, t('conflict.body', { yours: d.yours, theirs: d.theirs })),
    h('p', { class: 'legend-row' }, h('span', { class: 'swatch theirs' }), t('conflict.theirs'), h('span', { class: 'swatch yours' }), t('conflict.yours')),
    h(
      'div',
      { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'tool', 'data-action': 'keep-theirs', onclick: on.keepTheirs }, t('conflict.keepTheirs')),
      h('button', { type: 'button', class: 'tool primary', 'data-action': 'reapply', onclick: on.reapply }, t('conflict.reapply')),
    ),
  );
}

/**
 * The attribute form of the selected grid. Built once per grid version (and language), so typing
 * and tabbing are never interrupted by a re-render; `show` updates the per-field errors.
 */
export function attributeForm(
  values: AttrValues,
  on: { input: (field: AttrField, value: string) => void; reset: () => void; remove: () => void },
): { el: HTMLElement; show: (errors: FieldError[], state: { changed: boolean; canDelete: boolean; deleting: boolean }) => void } {
  const inputs = new Map<AttrField, { input: HTMLInputElement; err: HTMLElement }>();
  const rows = ATTR_FIELDS.map((f) => {
    const numeric = f === 'population' || f === 'households';
    const input = h('input', {
      id: `attr-${f}`,
      name: f,
      value: values[f],
      inputmode: numeric ? 'numeric' : f === 'leader_phone' ? 'tel' : undefined,
      autocomplete: 'off',
    });
    input.addEventListener('input', () => on.input(f, input.value));
    const err = h('small', { class: 'field-error', id: `attr-${f}-error`, hidden: true });
    input.setAttribute('aria-describedby', err.id);
    inputs.set(f, { input, err });
    return h('label', { class: `field${numeric ? ' half' : ''}`, 'data-field': f }, h('span', {}, t(`attr.${f}` as MessageKey)), input, err);
  });
  const reset = h('button', { type: 'button', class: 'tool small', id: 'attr-reset', onclick: on.reset }, t('attr.reset'));
  const del = h('button', { type: 'button', class: 'tool small danger', id: 'delete-grid', onclick: on.remove }, t('delete.button'));
  const el = h(
    'form',
    { class: 'attr-form', id: 'attr-form', onsubmit: (e: Event) => e.preventDefault() },
    h('h2', {}, t('attr.title')),
    h('div', { class: 'attr-grid' }, rows),
    h('p', { class: 'muted small' }, t('attr.hint')),
    h('div', { class: 'attr-actions' }, reset, del),
  );
  return {
    el,
    show(errors, state) {
      for (const [f, { input, err }] of inputs) {
        const e = errors.find((x) => x.field === f);
        input.setAttribute('aria-invalid', String(!!e));
        err.hidden = !e;
        err.textContent = e ? `${t(`attr.${f}` as MessageKey)}：${pick(e.zh, e.en)}` : '';
      }
      reset.disabled = !state.changed;
      del.disabled = !state.canDelete || state.changed;
      del.setAttribute('aria-pressed', String(state.deleting));
    },
  };
}

/** The grids deleted this session; each opens its history (where it can be restored). */
export function renderDeleted(el: HTMLElement, list: { id: number; code: string; name: string }[], open: (id: number) => void): void {
  el.hidden = !list.length;
  if (!list.length) return void el.replaceChildren();
  el.replaceChildren(
    h('h2', {}, t('deleted.title')),
    h('p', { class: 'muted small' }, t('deleted.hint')),
    h(
      'ul',
      { class: 'deleted-list' },
      list.map((d) =>
        h(
          'li',
          { 'data-grid': d.id },
          h('span', {}, d.name, ' ', h('small', { class: 'muted' }, d.code)),
          h('button', { type: 'button', class: 'tool small', onclick: () => open(d.id) }, t('deleted.history')),
        ),
      ),
    ),
  );
}
