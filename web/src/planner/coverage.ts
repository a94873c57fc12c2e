/**
 * Asking the server: the coverage of the current question (roll-ups, top gaps, the shares and
 * gaps of the grids in view) and, by viewport, the grids, stations and basemap streets.
 *
 * Loaded by zoom and viewport, never the whole city's grids: below GRID_MIN_ZOOM the map colours
 * communities by their rolled-up share; from it on, the grids of the view, their shares and gaps.
 */
import { api } from '../api/client.js';
import { t } from '../i18n/index.js';
import { loadByViewport, networkLoader } from '../map/create.js';
import { errorText, status } from '../ui/feedback.js';
import { GRID_MIN_ZOOM, NETWORK_MIN_ZOOM, NETWORK_OVERVIEW_BELOW_ZOOM } from './layers.js';
import { clearColours, layersAdded, paintShares, paintUnits, plannerMap, showBoundaries, showGaps, showGrids, showStations } from './map-view.js';
import * as store from './store.js';
import { coverageParams, state, type Boundaries } from './store.js';
import { renderResults, renderTab } from './view.js';

/** Gaps in the side panel's list (and on the map when zoomed out), ranked city-wide. */
const TOP_GAPS = 200;
/** Grids and their shares are fetched for the view plus this share of its size on each side. */
const GRID_PAD = 0.15;

let coverageCtrl: AbortController | undefined;
/** Shares and gaps of the grids in view (grid zoom); refreshed when the question changes. */
let inView: { refresh(): void } | undefined;
/** Called once the roll-ups of a question have arrived (the basemap streets wait for the first). */
let onUnits: (() => void) | undefined;
/** Resolves when the roll-ups of the first question have arrived. */
export const firstUnits = new Promise<void>((resolve) => (onUnits = resolve));

/**
 * A new question (types, standard, time): the roll-ups and the top gaps for the panel and the
 * zoomed-out map, and — through `inView` — the shares and gaps of the grids in view.
 */
export async function refreshCoverage({ view = true } = {}): Promise<void> {
  coverageCtrl?.abort();
  const ctrl = (coverageCtrl = new AbortController());
  store.clearAnswers();
  clearColours();
  renderResults();
  status(t('status.coverageLoading'));
  if (view) inView?.refresh();
  try {
    // Colours and the summary first, then the top gaps: each coverage answer costs the server a
    // few hundred ms at Dalian scale even when cached, and it answers one at a time.
    const p = coverageParams();
    const stats = await api.coverageUnits(p, ctrl.signal);
    store.setStats(stats);
    if (layersAdded()) paintUnits();
    renderResults();
    status(null);
    onUnits?.();
    // The server and the browser share the CPU on small machines: let the colours draw first.
    const map = plannerMap();
    if (layersAdded()) await Promise.race([new Promise((r) => map.once('idle', r)), new Promise((r) => setTimeout(r, 1500))]);
    const gaps = await api.gaps(p, TOP_GAPS, ctrl.signal);
    store.setGaps(gaps);
    if (layersAdded() && map.getZoom() < GRID_MIN_ZOOM) showGaps(gaps);
    if (state.tab === 'gaps') renderTab();
  } catch (e) {
    if ((e as Error).name === 'AbortError') return;
    status(t('status.error', { msg: errorText(e) }));
  }
}

/**
 * Once the map's layers exist. First paint needs no whole-city download. Zoomed out: the community
 * outlines (~1,000 simplified polygons) coloured by the roll-ups; zoomed in: the grids of the view
 * with their shares and gaps. The basemap streets follow the first colours (the embedded database
 * answers one query at a time; bench/web.bench.ts).
 */
export function startLoading(outlines: Promise<Boundaries>[]): void {
  const map = plannerMap();
  void Promise.all(outlines.map((p) => p.then(showBoundaries))).catch((e) => status(t('status.error', { msg: errorText(e) })));
  loadByViewport(
    map,
    (z) => (z < GRID_MIN_ZOOM ? 'none' : z < 15 ? 'mid' : 'full'),
    async (bbox, zoom, signal) => {
      if (zoom < GRID_MIN_ZOOM) return; // communities are drawn instead (the grid layers hide)
      showGrids(await api.grids(bbox, zoom < 15 ? 2 : undefined, signal));
    },
    { pad: GRID_PAD },
  );
  inView = loadByViewport(
    map,
    (z) => (z < GRID_MIN_ZOOM ? 'top' : 'view'),
    async (bbox, zoom, signal) => {
      if (zoom < GRID_MIN_ZOOM) return showGaps(state.gaps);
      // One request for the view's colours and gaps (even a cached answer costs ≈ 0.3 s of
      // server time at Dalian scale, so not two).
      const view = await api.coverageShares(coverageParams(), bbox, signal);
      paintShares(view.grids);
      showGaps(view.gaps);
    },
    { pad: GRID_PAD },
  );
  loadByViewport(
    map,
    () => 'all',
    async (bbox, _zoom, signal) => showStations(await api.stations(bbox, signal)),
  );
  // After the first colours have drawn (the map's next idle), so the roads' GeoJSON does not
  // compete with the coverage polygons in MapLibre's worker; 4 s at the latest.
  const firstColoursDrawn = firstUnits.then(() => new Promise((r) => map.once('idle', r)));
  void Promise.race([firstColoursDrawn, new Promise((r) => setTimeout(r, 4000))]).then(() =>
    networkLoader(map, 14.5, { minZoom: NETWORK_MIN_ZOOM, overviewBelowZoom: NETWORK_OVERVIEW_BELOW_ZOOM }),
  );
}
