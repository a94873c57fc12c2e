/**
 * Planner view (/): coverage of service stations by grid, with gaps, a summary, sortable tables
 * by street and community, a ranked gap list and exports.
 *
 * Loaded by zoom and viewport, never the whole city's grids: below GRID_MIN_ZOOM the map colours
 * communities by their rolled-up share (outlines once, the roll-ups from
 * `/api/coverage?format=stats&level=community`); from it on, the grids of the view, their shares
 * and gaps (`format=shares&bbox=`). The side panel's gap list is the city's top TOP_GAPS.
 *
 * This file only wires the parts: store.ts (state), question.ts (the API parameters, pure),
 * coverage.ts (requests: coverage and the viewport loaders), map-view.ts (the map and what it
 * paints), view.ts (side panel, legend, layer switcher), popups.ts (map clicks), search.ts and
 * search-match.ts (pure), standard-form.ts (radius / walking minutes; standard.ts is pure).
 */
import '../ui/base.css';
import './planner.css';
import { api } from '../api/client.js';
import { applyI18n, bindLangToggle, lang, onLangChange, t } from '../i18n/index.js';
import { $ } from '../ui/dom.js';
import { errorText, status } from '../ui/feedback.js';
import { refreshCoverage, startLoading } from './coverage.js';
import { addLayers, createPlannerMap, legendLevel } from './map-view.js';
import { closePopup, onMapClick } from './popups.js';
import { bindSearch } from './search.js';
import { bindStandard, renderStandard } from './standard-form.js';
import * as store from './store.js';
import type { Tab } from './store.js';
import { isPhone, renderAll, renderCombine, renderLegendNow, renderResults, renderTab, whenTypesChanged } from './view.js';
import { paintMeasure } from './map-view.js';

async function main(): Promise<void> {
  applyI18n();
  bindLangToggle($<HTMLButtonElement>('#lang'));
  bindSearch();
  bindStandard(); // the standard in the URL hash, before the first coverage request
  whenTypesChanged(() => void refreshCoverage());
  const [health, types] = await Promise.all([api.health(), api.stationTypes()]);
  // Asked for at once, while MapLibre starts: the outlines and the roll-ups need no map; they are
  // drawn when its style is ready. (Not before the city is known: a coverage answer keeps the
  // server busy for a few hundred ms at Dalian scale, and the map waits for the city's extent.)
  const outlines = (['community', 'street', 'district'] as const).map((level) => api.boundaries(level, 5));
  for (const p of outlines) p.catch(() => {}); // reported once the map is ready (startLoading)
  store.setTypes(types.types);
  store.setDatasetName({ zh: health.dataset?.name ?? '', en: health.dataset?.nameEn ?? health.dataset?.name ?? '' });
  void refreshCoverage({ view: false }); // the view's shares are asked for once the map is ready

  const map = createPlannerMap($('#map'), health.dataset?.bbox);
  renderAll();

  // 覆盖口径 is always shown on a wide screen; on a phone it starts folded (one tap opens it).
  if (isPhone()) $<HTMLDetailsElement>('#basis').open = false;
  document.querySelectorAll<HTMLInputElement>('#combine input').forEach((r) =>
    r.addEventListener('change', () => {
      store.setCombine(r.value as 'any' | 'all');
      renderCombine();
      void refreshCoverage();
    }),
  );
  // One measure for the table and the map's colours.
  document.querySelectorAll<HTMLInputElement>('#measure input').forEach((r) =>
    r.addEventListener('change', () => {
      store.setMeasure(r.value as store.Measure);
      renderResults();
      renderLegendNow();
      paintMeasure();
    }),
  );
  $<HTMLSelectElement>('#open-at').addEventListener('change', (e) => {
    store.setOpenAt((e.target as HTMLSelectElement).value);
    void refreshCoverage();
  });
  document.querySelectorAll<HTMLButtonElement>('.tabs [data-tab]').forEach((b) =>
    b.addEventListener('click', () => {
      store.setTab(b.dataset.tab as Tab);
      renderTab();
    }),
  );
  onLangChange(() => {
    closePopup();
    renderAll();
    renderStandard();
  });

  map.on('load', () => {
    addLayers();
    startLoading(outlines);
    let shownLevel = legendLevel();
    map.on('zoomend', () => {
      if (legendLevel() === shownLevel) return;
      shownLevel = legendLevel();
      renderLegendNow(shownLevel);
    });
    map.on('click', onMapClick);
    for (const layer of ['stations', 'grids-fill', 'communities-fill']) {
      map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
    }
  });
  document.documentElement.dataset.lang = lang();
}

main().catch((e) => status(t('status.error', { msg: errorText(e) })));
