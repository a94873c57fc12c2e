/**
 * What the editor shows besides the map: the toolbar's states, the sidebar's panels (the grid,
 * its attribute form, the pending edit, the preview, the history, the deleted grids), and state
 * markers on <body> for tests and debugging (`data-tool`, `data-selected`, `data-outline`,
 * `data-pending`, `data-preview`).
 */
import { ApiError, type EditProblem } from '../api/client.js';
import { fmtArea, fmtInt, lang, t } from '../i18n/index.js';
import { $, h } from '../ui/dom.js';
import { formValues, type AttrField } from './attributes.js';
import { afterChange, chooseDeleteTarget, dirty, keyOf, pending, startDelete } from './drawing.js';
import { renderHistoryPanel } from './history.js';
import { focusProblem, paintGrids } from './overlays.js';
import { attributeForm, nodes, renderDeleted, renderPreview } from './panels.js';
import { attrState, canEdit, deleteCandidates, type Pending } from './pending.js';
import { openDeletedHistory, restoreFrom } from './session.js';
import * as store from './store.js';
import { state } from './store.js';

/** What the preview panel says about the pending edit. */
type PreviewPhase = 'none' | 'running' | 'fresh' | 'stale' | 'refused' | 'saved';

function previewPhase(fresh: boolean, stale: boolean): PreviewPhase {
  const pv = state.preview;
  if (!pv) return 'none';
  if (pv.running) return 'running';
  if (pv.saved) return 'saved';
  if (pv.error) return 'refused';
  return fresh ? 'fresh' : stale ? 'stale' : 'none';
}

export function render(): void {
  const p = pending();
  const key = p && keyOf(p);
  const pv0 = state.preview;
  const previewFresh = !!(pv0 && pv0.key === key && pv0.response && !pv0.saved);
  const stale = !!(pv0?.response && !pv0.saved && p && pv0.key !== key);
  const drawingTool = state.tool === 'select' || state.tool === 'create';
  document.querySelectorAll<HTMLButtonElement>('[data-tool]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.tool === state.tool)));
  $<HTMLButtonElement>('#undo').disabled = !drawingTool || !state.undo.canUndo;
  $<HTMLButtonElement>('#redo').disabled = !drawingTool || !state.undo.canRedo;
  $<HTMLButtonElement>('#discard').disabled = !p;
  $<HTMLButtonElement>('#preview').disabled = !p || !!state.preview?.running;
  const saveBtn = $<HTMLButtonElement>('#save');
  saveBtn.disabled = !p || !!state.preview?.running || (!!state.preview && state.preview.key === key && !!state.preview.error);
  saveBtn.textContent = previewFresh ? t('tool.confirmSave') : t('tool.save');
  $('#history-btn').setAttribute('aria-pressed', String(state.historyOpen));
  $('#hint').textContent = t(
    state.tool === 'select' ? 'hint.select' : state.tool === 'create' ? 'hint.create' : state.tool === 'split' ? 'hint.split' : 'hint.merge',
  );
  const allow = $<HTMLInputElement>('#allow-community');
  allow.checked = state.allowCommunity;
  allow.disabled = !(state.tool === 'create' || (state.tool === 'select' && !!state.selected && !state.deleting && !state.restore));
  const err = state.preview?.error instanceof ApiError ? ((state.preview.error.details as { problems?: EditProblem[] } | undefined)?.problems ?? []) : [];
  $('#allow-community-label').classList.toggle('attention', !state.allowCommunity && err.some((x) => x.code === 'outside_community'));
  renderGridPanel();
  renderAttrPanel();
  renderPendingPanel(p);
  renderDeleted($('#deleted-panel'), state.deleted, openDeletedHistory);
  const pv = $('#preview-panel');
  if (!state.preview) pv.hidden = true;
  else renderPreview(pv, { ...state.preview, confirm: previewFresh, stale }, state.typeNames, focusProblem);
  renderHistoryPanel(restoreFrom);
  paintGrids();
  const b = document.body.dataset;
  b.tool = state.tool;
  b.selected = state.selected ? String(state.selected.properties.id) : '';
  b.outline = String(state.tdId !== null);
  b.pending = p?.kind ?? 'none';
  b.preview = previewPhase(previewFresh, stale);
}

function renderGridPanel(): void {
  const el = $('#grid-panel');
  const g = state.selected;
  if (!g) {
    el.replaceChildren(h('h2', {}, t('kind.grid')), h('p', { class: 'muted' }, t('grid.none')));
    return;
  }
  const p = g.properties;
  const steps = state.tool === 'select' ? state.undo.depth : 0;
  const isDirty = dirty();
  el.replaceChildren(
    ...nodes(
      h('h2', {}, t('kind.grid')),
      h('h3', { class: 'grid-name' }, p.name),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('popup.code')),
        h('dd', {}, p.code),
        h('dt', {}, t('grid.community')),
        h('dd', {}, `${p.community_name} · ${p.street_name}`),
        h('dt', {}, t('grid.version')),
        h('dd', { id: 'grid-version' }, String(p.version)),
        h('dt', {}, t('grid.area')),
        h('dd', {}, fmtArea(p.area_m2)),
        h('dt', {}, t('popup.population')),
        h('dd', {}, fmtInt(p.population)),
        h('dt', {}, t('popup.leader')),
        h('dd', {}, p.leader_name ?? '—'),
      ),
      state.tool === 'select' ? h('p', { class: isDirty ? 'alert dirty' : 'muted' }, isDirty ? t('grid.dirty', { n: steps }) : t('grid.clean')) : null,
    ),
  );
}

let attrForm: { key: string; el: HTMLElement; show: ReturnType<typeof attributeForm>['show'] } | null = null;

/** The attribute form: rebuilt only for another grid, version, language or a reset, so typing is not interrupted. */
function renderAttrPanel(): void {
  const el = $('#attr-panel');
  const g = state.selected;
  if (!g || state.tool !== 'select' || !state.attrValues || !canEdit(state.user, g)) {
    el.hidden = true;
    attrForm = null;
    return;
  }
  el.hidden = false;
  const key = JSON.stringify([g.properties.id, g.properties.version, lang(), state.attrEpoch]);
  if (!attrForm || attrForm.key !== key || !el.contains(attrForm.el)) {
    const f = attributeForm(state.attrValues, {
      input: (field: AttrField, value: string) => {
        store.editAttr(field, value);
        afterChange();
      },
      reset: () => {
        store.resetAttrs(formValues(g.properties));
        afterChange();
      },
      remove: startDelete,
    });
    attrForm = { key, ...f };
    el.replaceChildren(f.el);
  }
  const a = attrState(state);
  attrForm.show(a.errors, { changed: a.changed, canDelete: !dirty() && !state.restore, deleting: !!state.deleting });
}

function pendingText(p: Pending | null): string {
  if (!p) return t('pending.none');
  switch (p.kind) {
    case 'reshape':
      return Object.keys(p.attrs).length
        ? t('pending.reshapeAttributes', { name: p.grid.properties.name })
        : t('pending.reshape', { name: p.grid.properties.name });
    case 'attributes':
      return t('pending.attributes', {
        name: p.grid.properties.name,
        fields: Object.keys(p.attrs)
          .map((f) => t(`attr.${f as AttrField}`))
          .join('、'),
      });
    case 'delete':
      return t('pending.delete', { name: p.grid.properties.name, into: p.into.properties.name });
    case 'create':
      return t('pending.create');
    case 'split':
      return t('pending.split', { name: p.grid.properties.name });
    case 'merge':
      return t('pending.merge', { n: p.grids.length });
    case 'restore':
      return t('pending.restore', { name: p.grid.properties.name, v: p.toVersion });
  }
}

function renderPendingPanel(p: Pending | null): void {
  const el = $('#pending-panel');
  if (state.tool === 'select' && state.deleting && !state.restore) {
    const d = state.deleting;
    const select = h(
      'select',
      { id: 'delete-into', onchange: (e: Event) => chooseDeleteTarget(Number((e.target as HTMLSelectElement).value) || null) },
      h('option', { value: '' }, t('delete.choose')),
      deleteCandidates(state, d.grid).map((c) => {
        const o = h('option', { value: c.properties.id }, `${c.properties.name}（${c.properties.code}）`);
        o.selected = c.properties.id === d.into;
        return o;
      }),
    );
    const into = d.into === null ? undefined : state.grids.get(d.into);
    el.replaceChildren(
      h('h2', {}, t('tool.save')),
      h(
        'p',
        { class: 'pending', id: 'pending-text' },
        into ? t('pending.delete', { name: d.grid.properties.name, into: into.properties.name }) : t('pending.deletePick', { name: d.grid.properties.name }),
      ),
      h('label', { class: 'field' }, h('span', {}, t('delete.into')), select),
      h('p', { class: 'muted small' }, t('delete.mapHint')),
      h('button', { type: 'button', class: 'tool small', id: 'delete-cancel', onclick: startDelete }, t('delete.cancel')),
    );
    return;
  }
  if (state.tool === 'create' && state.drawn) {
    const select = h(
      'select',
      {
        id: 'create-community',
        onchange: (e: Event) => {
          store.setCreateCommunity((e.target as HTMLSelectElement).value);
          store.changed();
        },
      },
      state.communities.map((c) => {
        const o = h('option', { value: c.code }, `${c.name}（${c.street}）`);
        o.selected = c.code === state.createCommunity;
        return o;
      }),
    );
    const name = h('input', { id: 'create-name', value: state.createName, placeholder: t('create.defaultName') });
    name.addEventListener('change', () => {
      store.setCreateName(name.value);
      store.changed();
    });
    el.replaceChildren(
      h('h2', {}, t('pending.create')),
      h('label', { class: 'field' }, h('span', {}, t('create.community')), select),
      h('label', { class: 'field' }, h('span', {}, t('create.name')), name),
    );
    return;
  }
  const mergeList =
    state.tool === 'merge' && state.mergeIds.length
      ? h(
          'ol',
          { class: 'merge-list' },
          state.mergeIds.map((id) => h('li', {}, state.grids.get(id)?.properties.name ?? String(id))),
        )
      : null;
  el.replaceChildren(...nodes(h('h2', {}, t('tool.save')), h('p', { class: p ? 'pending' : 'muted', id: 'pending-text' }, pendingText(p)), mergeList));
}
