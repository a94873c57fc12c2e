/**
 * The side panel and the map's legend and layer switcher, drawn from the store: summary, the
 * street / community tables and the gap list (tabs), exports, station types, dataset name. Picking
 * a row or a gap selects it and zooms the map to it.
 */
import { api, type GapCollection, type UnitStats } from '../api/client.js';
import { pick, t } from '../i18n/index.js';
import { viewBbox } from '../map/create.js';
import { typeStyle } from '../map/stations.js';
import { $, h } from '../ui/dom.js';
import { errorText, status } from '../ui/feedback.js';
import { fit, filterStationTypes, legendLevel, plannerMap, selectAndFit, showLayer } from './map-view.js';
import { renderBasis, renderExports, renderGapList, renderLayerSwitcher, renderLegend, renderSummary, UnitTable } from './panels.js';
import * as store from './store.js';
import { coverageParams, state } from './store.js';

let typesChanged: () => void = () => {};
/** Sets what runs after the user changed the selected station types (a new coverage request). */
export const whenTypesChanged = (fn: () => void): void => void (typesChanged = fn);

const table = new UnitTable($('#table'), (u) => void zoomToUnit(u));

/** A phone-sized screen: the legend and the layer switcher start folded, so the map is seen first. */
export const isPhone = (): boolean => window.matchMedia('(max-width: 800px)').matches;
/** Whether the legend and the layer switcher are unfolded (kept across re-renders). */
const overlays = { legend: !isPhone(), layers: !isPhone() };

export function renderTab(): void {
  const el = $('#table');
  document.querySelectorAll<HTMLButtonElement>('.tabs [data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === state.tab)));
  if (state.tab === 'gaps') {
    renderGapList(el, state.gaps, (g) => zoomToGap(g), state.types);
    return;
  }
  if (!state.stats) {
    el.replaceChildren(h('p', { class: 'muted loading' }, t('status.loading')));
    return;
  }
  table.render(state.stats.units, state.tab, state.selected?.code, state.measure, state.types);
}

/** The summary, the current tab and the export links (on a new question and its answers). */
export function renderResults(): void {
  renderSummary($('#summary'), state.stats, state.types);
  renderBasis($('#basis-body'), state.stats?.meta, state.types);
  renderCombine();
  renderTab();
  renderExports($('#exports'), coverageParams(), () => viewBbox(plannerMap(), 0));
}

export function renderLegendNow(level = legendLevel()): void {
  renderLegend($('#legend'), state.types, state.selectedTypes, level, state.measure, overlays.legend, (open) => (overlays.legend = open));
}

/** The any / all choice: shown with several types, with what the chosen one means. */
export function renderCombine(): void {
  $('#combine-block').hidden = state.selectedTypes.size < 2;
  document.querySelectorAll<HTMLInputElement>('#combine input').forEach((r) => (r.checked = r.value === state.combine));
  $('#combine-hint').textContent = t(state.combine === 'all' ? 'combine.allHint' : 'combine.anyHint');
  document.querySelectorAll<HTMLInputElement>('#measure input').forEach((r) => (r.checked = r.value === state.measure));
}

export function renderAll(): void {
  renderResults();
  renderLegendNow();
  renderLayerSwitcher($('#layers'), state.layers, showLayer, overlays.layers);
  $('#layers')
    .querySelector('details')
    ?.addEventListener('toggle', (e) => (overlays.layers = (e.currentTarget as HTMLDetailsElement).open));
  renderTypeList();
  $('#dataset').textContent = pick(state.datasetName.zh, state.datasetName.en);
}

function renderTypeList(): void {
  $('#type-list').replaceChildren(
    ...state.types.map((ty) =>
      h(
        'label',
        {
          class: 'type-item',
          title: `${pick(ty.name_zh, ty.name_en)} · ${ty.coverage_mode === 'walk' ? t('unit.minutes', { n: ty.coverage_minutes }) : `${ty.coverage_radius_m} m`}`,
        },
        h('input', {
          type: 'checkbox',
          value: ty.code,
          checked: state.selectedTypes.has(ty.code),
          onchange: (e: Event) => {
            const input = e.target as HTMLInputElement;
            if (!store.selectType(ty.code, input.checked)) {
              input.checked = true; // at least one type
              return;
            }
            filterStationTypes();
            renderLegendNow();
            renderCombine();
            typesChanged();
          },
        }),
        h('span', { class: 'dot', style: `background:${typeStyle(ty.code).color}` }),
        h('span', { class: 'type-name' }, pick(ty.name_zh, ty.name_en)),
      ),
    ),
  );
}

/** A street or community from the table, the search or a popup: selected, and the map fitted to it. */
export async function zoomToUnit(u: UnitStats): Promise<void> {
  if (u.level !== 'street' && u.level !== 'community') return;
  const selection = { level: u.level, code: u.code };
  selectAndFit(selection);
  renderTab();
  try {
    // The outline is already loaded; the unit's grids only if it is not (yet).
    const outline = state.boundaries?.features.find((f) => f.properties.level === u.level && f.properties.code === u.code);
    fit(outline ?? (await api.gridsOf({ [u.level]: u.code })));
  } catch (e) {
    status(t('status.error', { msg: errorText(e) }));
  }
}

function zoomToGap(g: GapCollection['features'][number]): void {
  selectAndFit({ level: 'grid', code: g.properties.grid_code }, g);
}
