/**
 * Planner view (/): coverage of service stations by grid, with gaps, a summary, sortable tables
 * by street and community, a ranked gap list and exports.
 */
import '../ui/base.css';
import './planner.css';
import type { Feature, MultiPolygon, Point, Polygon } from 'geojson';
import {
  api,
  ApiError,
  type Bbox,
  type CoverageParams,
  type CoverageStats,
  type GapCollection,
  type GridCollection,
  type GridProps,
  type StationCollection,
  type StationProps,
  type StationType,
  type UnitStats,
} from '../api/client.js';
import { applyI18n, bindLangToggle, fmtInt, fmtPct, lang, onLangChange, pick, t } from '../i18n/index.js';
import { boundsOf, createMap, EMPTY, loadByViewport, maplibregl, networkLoader, type MapLibreMap } from '../map/create.js';
import { stationPopup, typeStyle } from '../map/stations.js';
import { $, h, telLink } from '../ui/dom.js';
import { addPlannerLayers, highlightUnit, setGroupVisible, setStationTypeFilter, type LayerGroup } from './layers.js';
import { renderExports, renderGapList, renderLayerSwitcher, renderLegend, renderSummary, UnitTable } from './panels.js';
import { circlePolygon } from './geometry.js';
import { HtmlLabels } from '../map/html-labels.js';
import { pickGridLabels, PLANNER_LABEL_MIN_ZOOM } from './labels.js';
import { checkMinutes, checkRadius, formatHash, parseHash, standardParams, type FieldCheck, type Mode } from './standard.js';

type Tab = 'street' | 'community' | 'gaps';

const state = {
  types: [] as StationType[],
  selectedTypes: new Set<string>(),
  mode: 'standard' as Mode,
  /** Custom standard (modes radius / walk), validated; see standard.ts. */
  radius: 1000,
  minutes: 15,
  openAt: '',
  tab: 'street' as Tab,
  selected: undefined as { level: 'street' | 'community' | 'grid'; code: string } | undefined,
  stats: null as CoverageStats | null,
  gaps: null as GapCollection | null,
  shareById: new Map<number, CoverageStats['grids'][number]>(),
  grids: null as GridCollection | null,
  stations: null as StationCollection | null,
  layers: { coverage: true, gridLines: true, labels: true, boundaries: true, gaps: true, stations: true, network: true, service: true } as Record<LayerGroup, boolean>,
  datasetName: { zh: '', en: '' },
};

let map: MapLibreMap;
/** Keeps fitted areas clear of the legend (bottom left) and the layer switcher (top right). */
const MAP_PADDING = { top: 40, bottom: 40, left: 200, right: 80 };
let popup: maplibregl.Popup | undefined;
let labels: HtmlLabels | undefined;
let coverageCtrl: AbortController | undefined;

function status(msg: string | null): void {
  const el = $('#status');
  el.hidden = msg === null;
  el.textContent = msg ?? '';
}

const errorText = (e: unknown) => (e instanceof ApiError ? pick(e.zh, e.en) : String((e as Error).message ?? e));

/** Today's date in the browser plus the chosen time: the API reads it as city-local time. */
function openAtParam(): string | undefined {
  if (!state.openAt) return undefined;
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${state.openAt}`;
}

function coverageParams(): CoverageParams {
  const types = [...state.selectedTypes];
  const p: CoverageParams = { types: types.length === state.types.length ? undefined : types, open_at: openAtParam() };
  return { ...p, ...standardParams(state) };
}

/** The grids of the view, drawn at once (grey until their covered share is known). */
function paintGrids(): void {
  if (!state.grids || !map.getSource('grids')) return;
  (map.getSource('grids') as maplibregl.GeoJSONSource).setData(state.grids);
  updateLabels();
}

/**
 * Coverage colours as feature state (promoteId 'id'): no re-tiling of the grids, and grids loaded
 * later (panning) are coloured as soon as they arrive, since the state is kept per id.
 */
function paintCoverage(): void {
  if (!map.getSource('grids')) return;
  map.removeFeatureState({ source: 'grids' });
  for (const [id, s] of state.shareById) map.setFeatureState({ source: 'grids', id }, { share: s.covered_share });
}

/** Grid names at high zoom, for the grids in view only (capped; see labels.ts). */
function updateLabels(): void {
  if (!labels) return;
  if (!state.layers.labels || !state.grids || map.getZoom() < PLANNER_LABEL_MIN_ZOOM) return labels.clear();
  const b = map.getBounds();
  labels.update(pickGridLabels(state.grids.features, [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom()));
}

const table = new UnitTable($('#table'), (u) => void zoomToUnit(u));

function renderTab(): void {
  const el = $('#table');
  document.querySelectorAll<HTMLButtonElement>('.tabs [data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === state.tab)));
  if (state.tab === 'gaps') {
    renderGapList(el, state.gaps, (g) => zoomToGap(g));
    return;
  }
  if (!state.stats) {
    el.replaceChildren(h('p', { class: 'muted loading' }, t('status.loading')));
    return;
  }
  table.render(state.stats.units, state.tab, state.selected?.code);
}

function renderAll(): void {
  renderSummary($('#summary'), state.stats);
  renderTab();
  renderExports($('#exports'), coverageParams());
  renderLegend($('#legend'), state.types, state.selectedTypes);
  renderLayerSwitcher($('#layers'), state.layers, (g, v) => {
    state.layers[g] = v;
    setGroupVisible(map, g, v);
    if (g === 'labels') updateLabels();
  });
  renderTypeList();
  $('#dataset').textContent = pick(state.datasetName.zh, state.datasetName.en);
}

function renderTypeList(): void {
  $('#type-list').replaceChildren(
    ...state.types.map((ty) =>
      h(
        'label',
        { class: 'type-item', title: `${pick(ty.name_zh, ty.name_en)} · ${ty.coverage_mode === 'walk' ? t('unit.minutes', { n: ty.coverage_minutes }) : `${ty.coverage_radius_m} m`}` },
        h('input', {
          type: 'checkbox',
          value: ty.code,
          checked: state.selectedTypes.has(ty.code),
          onchange: (e: Event) => {
            const input = e.target as HTMLInputElement;
            if (!input.checked && state.selectedTypes.size === 1) {
              input.checked = true; // at least one type
              return;
            }
            if (input.checked) state.selectedTypes.add(ty.code);
            else state.selectedTypes.delete(ty.code);
            setStationTypeFilter(map, [...state.selectedTypes]);
            renderLegend($('#legend'), state.types, state.selectedTypes);
            void refreshCoverage();
          },
        }),
        h('span', { class: 'dot', style: `background:${typeStyle(ty.code).color}` }),
        h('span', { class: 'type-name' }, pick(ty.name_zh, ty.name_en)),
      ),
    ),
  );
}

async function refreshCoverage(): Promise<void> {
  coverageCtrl?.abort();
  const ctrl = (coverageCtrl = new AbortController());
  state.stats = null;
  state.gaps = null;
  renderSummary($('#summary'), null);
  renderTab();
  renderExports($('#exports'), coverageParams());
  // Grids are already drawn (grey until their share is known): say that coverage is on its way.
  status(t('status.coverageLoading'));
  try {
    const p = coverageParams();
    const [stats, gaps] = await Promise.all([api.coverageStats(p, ctrl.signal), api.gaps(p, 2000, ctrl.signal)]);
    state.stats = stats;
    state.gaps = gaps;
    state.shareById = new Map(stats.grids.map((g) => [g.id, g]));
    paintCoverage();
    (map.getSource('gaps') as maplibregl.GeoJSONSource).setData(gaps);
    renderSummary($('#summary'), stats);
    renderTab();
    status(null);
  } catch (e) {
    if ((e as Error).name === 'AbortError') return;
    status(t('status.error', { msg: errorText(e) }));
  }
}

function fit(b: Bbox | undefined): void {
  if (!b) return;
  map.fitBounds([b[0], b[1], b[2], b[3]], { padding: MAP_PADDING, maxZoom: 17, duration: 600 });
}

async function zoomToUnit(u: UnitStats): Promise<void> {
  if (u.level !== 'street' && u.level !== 'community') return;
  state.selected = { level: u.level, code: u.code };
  highlightUnit(map, state.selected);
  renderTab();
  try {
    const grids = await api.gridsOf({ [u.level]: u.code });
    fit(boundsOf(grids));
  } catch (e) {
    status(t('status.error', { msg: errorText(e) }));
  }
}

function zoomToGap(g: GapCollection['features'][number]): void {
  state.selected = { level: 'grid', code: g.properties.grid_code };
  highlightUnit(map, state.selected);
  fit(boundsOf(g));
}

/* ---------- popups ---------- */

function showPopup(lngLat: maplibregl.LngLatLike, content: HTMLElement): void {
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: '320px', closeButton: true, focusAfterOpen: false }).setLngLat(lngLat).setDOMContent(content).addTo(map);
}

function gridPopup(p: GridProps, at: maplibregl.LngLat): void {
  const s = state.shareById.get(p.id);
  const nearest = h('ul', { class: 'nearest' }, h('li', { class: 'muted' }, t('popup.loading')));
  showPopup(
    at,
    h(
      'div',
      { class: 'popup grid-popup' },
      h('div', { class: 'popup-kind' }, `${t('kind.grid')} · ${p.community_name} · ${p.street_name}`),
      h('h3', {}, p.name),
      h(
        'dl',
        {},
        h('dt', {}, t('popup.code')),
        h('dd', {}, h('code', {}, p.code)),
        h('dt', {}, t('popup.leader')),
        h('dd', {}, p.leader_name ?? '—', ' ', telLink(p.leader_phone)),
        h('dt', {}, t('popup.population')),
        h('dd', {}, fmtInt(p.population)),
        h('dt', {}, t('popup.covered')),
        h('dd', {}, s ? h('span', { class: s.covered_share < 0.995 ? 'alert' : 'ok' }, fmtPct(s.covered_share), s.uncovered_population > 0 ? ` · ${t('gaps.people', { n: fmtInt(s.uncovered_population) })}` : '') : '…'),
      ),
      h('div', { class: 'popup-sub' }, t('popup.nearest')),
      nearest,
    ),
  );
  api
    .nearest({ lon: at.lng, lat: at.lat, type: [...state.selectedTypes].join(','), limit: 3 })
    .then((fc) =>
      nearest.replaceChildren(
        ...fc.features.map((f) =>
          h(
            'li',
            {},
            h('span', { class: 'dot', style: `background:${typeStyle(f.properties.type).color}` }),
            f.properties.name,
            h('span', { class: 'muted' }, ` ${t('unit.minutes', { n: Math.ceil(f.properties.walk_minutes ?? 0) })}`),
          ),
        ),
      ),
    )
    .catch((e) => nearest.replaceChildren(h('li', { class: 'muted' }, errorText(e))));
}

/** The service area a station covers under the current mode (circle or walking isochrone). */
async function showServiceArea(p: StationProps, lonLat: [number, number]): Promise<void> {
  const ty = state.types.find((x) => x.code === p.type);
  const walk = state.mode === 'walk' || (state.mode === 'standard' && ty?.coverage_mode === 'walk');
  const src = map.getSource('service') as maplibregl.GeoJSONSource;
  if (!walk) {
    const r = state.mode === 'radius' ? state.radius : (ty?.coverage_radius_m ?? 1000);
    src.setData(circlePolygon(lonLat, r));
    return;
  }
  const minutes = state.mode === 'walk' ? state.minutes : (ty?.coverage_minutes ?? 15);
  try {
    const iso = await fetch(`/api/isochrone?lon=${lonLat[0]}&lat=${lonLat[1]}&minutes=${minutes}`).then((r) => (r.ok ? r.json() : null));
    src.setData(iso ? { type: 'Feature', geometry: iso.geometry, properties: {} } : EMPTY);
  } catch {
    src.setData(EMPTY);
  }
}

function onMapClick(e: maplibregl.MapMouseEvent): void {
  const pad = 6;
  const box: [maplibregl.PointLike, maplibregl.PointLike] = [
    [e.point.x - pad, e.point.y - pad],
    [e.point.x + pad, e.point.y + pad],
  ];
  const station = state.layers.stations ? map.queryRenderedFeatures(box, { layers: ['stations'] })[0] : undefined;
  if (station) {
    const p = station.properties as StationProps;
    const lonLat = (station.geometry as Point).coordinates as [number, number];
    showPopup(lonLat, stationPopup(p));
    void showServiceArea(p, lonLat);
    return;
  }
  const grid = map.queryRenderedFeatures(e.point, { layers: ['grids-fill'] })[0];
  if (grid) {
    (map.getSource('service') as maplibregl.GeoJSONSource).setData(EMPTY);
    gridPopup(grid.properties as GridProps, e.lngLat);
  }
}

/* ---------- search ---------- */

interface Hit {
  kind: 'street' | 'community' | 'grid' | 'station';
  label: string;
  sub: string;
  go: () => void;
}

function search(q: string): Hit[] {
  const s = q.trim().toLowerCase();
  if (!s) return [];
  const hits: Hit[] = [];
  for (const u of state.stats?.units ?? []) {
    if ((u.level === 'street' || u.level === 'community') && (u.name.toLowerCase().includes(s) || u.code.startsWith(s)))
      hits.push({ kind: u.level, label: u.name, sub: u.code, go: () => void zoomToUnit(u) });
  }
  for (const f of state.grids?.features ?? []) {
    const p = f.properties;
    if (p.name.toLowerCase().includes(s) || p.code.startsWith(s))
      hits.push({
        kind: 'grid',
        label: p.name,
        sub: `${p.community_name} · ${p.code}`,
        go: () => {
          state.selected = { level: 'grid', code: p.code };
          highlightUnit(map, state.selected);
          fit(boundsOf(f as Feature<Polygon | MultiPolygon>));
        },
      });
  }
  for (const f of state.stations?.features ?? []) {
    const p = f.properties;
    if (state.selectedTypes.has(p.type) && (p.name.toLowerCase().includes(s) || p.code.toLowerCase().startsWith(s)))
      hits.push({
        kind: 'station',
        label: p.name,
        sub: pick(p.type_name_zh, p.type_name_en),
        go: () => {
          const c = f.geometry.coordinates as [number, number];
          map.flyTo({ center: c, zoom: Math.max(map.getZoom(), 16) });
          showPopup(c, stationPopup(p));
        },
      });
  }
  // A full 12-digit grid code outside the loaded view: ask the API.
  if (/^\d{12}$/.test(s) && !hits.some((x) => x.kind === 'grid'))
    hits.push({
      kind: 'grid',
      label: s,
      sub: t('kind.grid'),
      go: () =>
        void fetch(`/api/grids/${s}`)
          .then((r) => (r.ok ? r.json() : Promise.reject(new Error(t('search.none')))))
          .then((f) => {
            state.selected = { level: 'grid', code: s };
            highlightUnit(map, state.selected);
            fit(boundsOf(f));
          })
          .catch((e) => status(errorText(e))),
    });
  return hits.slice(0, 12);
}

function bindSearch(): void {
  const input = $<HTMLInputElement>('#search');
  const list = $('#search-results');
  const close = () => (list.hidden = true);
  const kindKey = { street: 'kind.street', community: 'kind.community', grid: 'kind.grid', station: 'kind.station' } as const;
  input.addEventListener('input', () => {
    const hits = search(input.value);
    list.hidden = !input.value.trim();
    list.replaceChildren(
      ...(hits.length
        ? hits.map((x) =>
            h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  onclick: () => {
                    x.go();
                    close();
                  },
                },
                h('span', { class: 'kind' }, t(kindKey[x.kind])),
                h('span', { class: 'label' }, x.label),
                h('small', { class: 'muted' }, x.sub),
              ),
            ),
          )
        : [h('li', { class: 'muted none' }, t('search.none'))]),
    );
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') list.querySelector<HTMLButtonElement>('button')?.click();
    if (e.key === 'Escape') close();
  });
  document.addEventListener('click', (e) => {
    if (!(e.target as HTMLElement).closest('.search')) close();
  });
}

/* ---------- coverage standard: each type's own, custom radius, custom walking minutes ---------- */

/** Shows the input of the chosen mode and its validation message (current language). */
function renderStandard(check?: FieldCheck): void {
  $('#radius-row').hidden = state.mode !== 'radius';
  $('#minutes-row').hidden = state.mode !== 'walk';
  const err = $('#standard-error');
  const input = state.mode === 'radius' ? $<HTMLInputElement>('#radius') : state.mode === 'walk' ? $<HTMLInputElement>('#minutes') : null;
  const c = check ?? (input ? (state.mode === 'radius' ? checkRadius : checkMinutes)(input.value) : undefined);
  const bad = !!c && !c.ok && state.mode !== 'standard';
  err.hidden = !bad;
  err.textContent = c && !c.ok ? t(c.key, c.vars) : '';
  for (const el of [$<HTMLInputElement>('#radius'), $<HTMLInputElement>('#minutes')]) el.setAttribute('aria-invalid', String(bad && el === input));
}

/** A valid entry is applied (new coverage request, URL hash); an invalid one only shows why. */
let appliedStandard = '';

function applyStandard(): void {
  const input = state.mode === 'radius' ? $<HTMLInputElement>('#radius') : state.mode === 'walk' ? $<HTMLInputElement>('#minutes') : null;
  const check = input ? (state.mode === 'radius' ? checkRadius : checkMinutes)(input.value) : undefined;
  renderStandard(check);
  if (check && !check.ok) return;
  if (check && state.mode === 'radius') state.radius = check.value;
  if (check && state.mode === 'walk') state.minutes = check.value;
  const key = formatHash(state);
  if (key === appliedStandard) return; // Enter, then the change event on blur: one request
  appliedStandard = key;
  history.replaceState(null, '', `${location.pathname}${location.search}${formatHash(state)}`);
  (map.getSource('service') as maplibregl.GeoJSONSource | undefined)?.setData(EMPTY);
  void refreshCoverage();
}

function bindStandard(): void {
  const fromHash = parseHash(location.hash);
  Object.assign(state, fromHash);
  appliedStandard = formatHash(state);
  $<HTMLInputElement>('#radius').value = String(state.radius);
  $<HTMLInputElement>('#minutes').value = String(state.minutes);
  document.querySelectorAll<HTMLInputElement>('#mode input').forEach((r) => {
    r.checked = r.value === state.mode;
    r.addEventListener('change', () => {
      state.mode = r.value as Mode;
      applyStandard();
    });
  });
  for (const [sel, check] of [['#radius', checkRadius], ['#minutes', checkMinutes]] as const) {
    const input = $<HTMLInputElement>(sel);
    input.addEventListener('input', () => renderStandard(check(input.value)));
    input.addEventListener('change', applyStandard);
    input.addEventListener('keydown', (e) => e.key === 'Enter' && applyStandard());
  }
  renderStandard();
}

/* ---------- start ---------- */

async function main(): Promise<void> {
  applyI18n();
  bindLangToggle($<HTMLButtonElement>('#lang'));
  bindSearch();
  const [health, types] = await Promise.all([api.health(), api.stationTypes()]);
  state.types = types.types;
  state.selectedTypes = new Set(types.types.map((x) => x.code));
  state.datasetName = { zh: health.dataset?.name ?? '', en: health.dataset?.nameEn ?? health.dataset?.name ?? '' };

  map = createMap($('#map'), health.dataset?.bbox, { fitBoundsOptions: { padding: MAP_PADDING } });
  renderAll();

  bindStandard();
  $<HTMLSelectElement>('#open-at').addEventListener('change', (e) => {
    state.openAt = (e.target as HTMLSelectElement).value;
    void refreshCoverage();
  });
  document.querySelectorAll<HTMLButtonElement>('.tabs [data-tab]').forEach((b) =>
    b.addEventListener('click', () => {
      state.tab = b.dataset.tab as Tab;
      renderTab();
    }),
  );
  onLangChange(() => {
    popup?.remove();
    renderAll();
    renderStandard();
  });

  map.on('load', () => {
    addPlannerLayers(map, state.types.map((x) => x.code));
    labels = new HtmlLabels(map, PLANNER_LABEL_MIN_ZOOM);
    map.on('moveend', updateLabels);
    // First paint: the grids of the view (and the stations) go first. On a Dalian-scale city the
    // coverage answer, the basemap streets and the outlines are each as large as the grids, and
    // the embedded database answers one query at a time: asked for together, they delayed the
    // grids by seconds (bench/web.bench.ts). They follow as soon as the first grids are drawn.
    let firstGrids: () => void = () => {};
    const gridsShown = new Promise<void>((resolve) => (firstGrids = resolve));
    setTimeout(firstGrids, 4000); // never wait longer than this for the rest
    // Grids: simplified when zoomed out; only the view (plus a margin) is fetched.
    loadByViewport(
      map,
      (z) => (z < 13 ? 'coarse' : z < 15 ? 'mid' : 'full'),
      async (bbox, zoom, signal) => {
        try {
          state.grids = await api.grids(bbox, zoom < 13 ? 20 : zoom < 15 ? 2 : undefined, signal);
          paintGrids();
        } finally {
          if (!signal.aborted) firstGrids();
        }
      },
    );
    loadByViewport(
      map,
      () => 'all',
      async (bbox, _zoom, signal) => {
        state.stations = await api.stations(bbox, signal);
        (map.getSource('stations') as maplibregl.GeoJSONSource).setData(state.stations);
      },
    );
    void gridsShown.then(() => {
      void refreshCoverage();
      networkLoader(map);
      // Outlines of the three admin levels: small (a city has ~1,000 communities), loaded once.
      void Promise.all((['district', 'street', 'community'] as const).map((level) => api.boundaries(level, 5))).then((fcs) =>
        (map.getSource('boundaries') as maplibregl.GeoJSONSource).setData({ type: 'FeatureCollection', features: fcs.flatMap((fc) => fc.features) }),
      );
    });
    map.on('click', onMapClick);
    for (const layer of ['stations', 'grids-fill']) {
      map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
    }
  });
  document.documentElement.dataset.lang = lang();
}

main().catch((e) => status(t('status.error', { msg: errorText(e) })));
