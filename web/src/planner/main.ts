/**
 * Planner view (/): coverage of service stations by grid, with gaps, a summary, sortable tables
 * by street and community, a ranked gap list and exports.
 *
 * Loaded by zoom and viewport, never the whole city's grids: below GRID_MIN_ZOOM the map colours
 * communities by their rolled-up share (outlines once, the roll-ups from
 * `/api/coverage?format=stats&level=community`); from it on, the grids of the view, their shares
 * and gaps (`format=shares&bbox=`). The side panel's gap list is the city's top TOP_GAPS.
 */
import '../ui/base.css';
import './planner.css';
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import {
  api,
  type Bbox,
  type BoundaryProps,
  type CoverageParams,
  type CoverageStats,
  type GapCollection,
  type GridCollection,
  type GridProps,
  type GridShare,
  type StationCollection,
  type StationProps,
  type StationType,
  type UnitStats,
} from '../api/client.js';
import { applyI18n, bindLangToggle, fmtInt, fmtPct, lang, onLangChange, pick, t } from '../i18n/index.js';
import { errorText, status } from '../ui/feedback.js';
import { boundsOf, createMap, EMPTY, loadByViewport, maplibregl, networkLoader, viewBbox, type MapLibreMap } from '../map/create.js';
import { addStationTypeImages, stationPopup, typeStyle } from '../map/stations.js';
import { $, h, telLink } from '../ui/dom.js';
import { addPlannerLayers, GRID_MIN_ZOOM, highlightUnit, NETWORK_MIN_ZOOM, NETWORK_OVERVIEW_BELOW_ZOOM, setGroupVisible, setStationTypeFilter, type LayerGroup } from './layers.js';
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
  /** Roll-ups only (city, districts, streets, communities; `grids` empty). */
  stats: null as CoverageStats | null,
  /** The city's top TOP_GAPS gaps: the gap list, and the gaps on the map below GRID_MIN_ZOOM. */
  gaps: null as GapCollection | null,
  /** Shares of the grids loaded so far under the current question (cleared when it changes). */
  shareById: new Map<number, GridShare>(),
  grids: null as GridCollection | null,
  boundaries: null as FeatureCollection<Polygon | MultiPolygon, BoundaryProps> | null,
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
/** Shares and gaps of the grids in view (grid zoom); refreshed when the question changes. */
let inView: { refresh(): void } | undefined;
/** The planner's sources and layers exist (after the map's `load`). */
let layersReady = false;
/** Called once the roll-ups of a question have arrived (the basemap streets wait for the first). */
let onUnits: (() => void) | undefined;

/** Gaps in the side panel's list (and on the map when zoomed out), ranked city-wide. */
const TOP_GAPS = 200;
/** Grids and their shares are fetched for the view plus this share of its size on each side. */
const GRID_PAD = 0.15;

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
 * Coverage colours as feature state: no re-tiling of the polygons, and polygons loaded later
 * (panning) are coloured as soon as they arrive, since the state is kept per id. Grids are keyed
 * by id (promoteId), communities by their numeric code (the outline feature's id).
 */
function paintShares(shares: GridShare[]): void {
  for (const s of shares) {
    state.shareById.set(s.id, s);
    map.setFeatureState({ source: 'grids', id: s.id }, { share: s.covered_share });
  }
}

function paintUnits(): void {
  for (const u of state.stats?.units ?? []) if (u.level === 'community') map.setFeatureState({ source: 'boundaries', id: Number(u.code) }, { share: u.covered_share_by_area });
}

function setGaps(fc: FeatureCollection | null): void {
  (map.getSource('gaps') as maplibregl.GeoJSONSource | undefined)?.setData(fc ?? EMPTY);
}

/** One admin level's outlines arrived: merged with the others, ids = numeric codes. */
function addBoundaries(fc: FeatureCollection<Polygon | MultiPolygon, BoundaryProps>): void {
  const level = fc.features[0]?.properties.level;
  const others = (state.boundaries?.features ?? []).filter((f) => f.properties.level !== level);
  state.boundaries = { type: 'FeatureCollection', features: [...others, ...fc.features.map((f) => ({ ...f, id: Number(f.properties.code) }))] };
  (map.getSource('boundaries') as maplibregl.GeoJSONSource).setData(state.boundaries);
}

/** Grid names at high zoom, for the grids in view only (capped; see labels.ts). */
function updateLabels(): void {
  if (!labels) return;
  if (!state.layers.labels || !state.grids || map.getZoom() < PLANNER_LABEL_MIN_ZOOM) {
    labels.clear();
    return;
  }
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
  renderExports($('#exports'), coverageParams(), () => viewBbox(map, 0));
  renderLegend($('#legend'), state.types, state.selectedTypes, legendLevel());
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
            renderLegend($('#legend'), state.types, state.selectedTypes, legendLevel());
            void refreshCoverage();
          },
        }),
        h('span', { class: 'dot', style: `background:${typeStyle(ty.code).color}` }),
        h('span', { class: 'type-name' }, pick(ty.name_zh, ty.name_en)),
      ),
    ),
  );
}

const legendLevel = (): 'community' | 'grid' => (map && map.getZoom() < GRID_MIN_ZOOM ? 'community' : 'grid');

/**
 * A new question (types, standard, time): the roll-ups and the top gaps for the panel and the
 * zoomed-out map, and — through `inView` — the shares and gaps of the grids in view.
 */
async function refreshCoverage({ view = true } = {}): Promise<void> {
  coverageCtrl?.abort();
  const ctrl = (coverageCtrl = new AbortController());
  state.stats = null;
  state.gaps = null;
  state.shareById.clear();
  if (layersReady) {
    // Grey ("computing") until the new answer arrives, rather than the old question's colours.
    map.removeFeatureState({ source: 'grids' });
    map.removeFeatureState({ source: 'boundaries' });
  }
  renderSummary($('#summary'), null);
  renderTab();
  renderExports($('#exports'), coverageParams(), () => viewBbox(map, 0));
  status(t('status.coverageLoading'));
  if (view) inView?.refresh();
  try {
    // Colours and the summary first, then the top gaps: each coverage answer costs the server a
    // few hundred ms at Dalian scale even when cached, and it answers one at a time.
    const p = coverageParams();
    const stats = await api.coverageUnits(p, ctrl.signal);
    state.stats = stats;
    if (layersReady) paintUnits();
    renderSummary($('#summary'), stats);
    renderTab();
    status(null);
    onUnits?.();
    // The server and the browser share the CPU on small machines: let the colours draw first.
    if (layersReady) await Promise.race([new Promise((r) => map.once('idle', r)), new Promise((r) => setTimeout(r, 1500))]);
    const gaps = await api.gaps(p, TOP_GAPS, ctrl.signal);
    state.gaps = gaps;
    if (layersReady && map.getZoom() < GRID_MIN_ZOOM) setGaps(gaps);
    if (state.tab === 'gaps') renderTab();
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
    // The outline is already loaded; the unit's grids only if it is not (yet).
    const outline = state.boundaries?.features.find((f) => f.properties.level === u.level && f.properties.code === u.code);
    fit(boundsOf(outline ?? (await api.gridsOf({ [u.level]: u.code }))));
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
    return;
  }
  const community = map.queryRenderedFeatures(e.point, { layers: ['communities-fill'] })[0];
  if (community) {
    (map.getSource('service') as maplibregl.GeoJSONSource).setData(EMPTY);
    communityPopup(community.properties as BoundaryProps, e.lngLat);
  }
}

/** Below the grid zoom: the community's rolled-up figures, and a way in to its grids. */
function communityPopup(p: BoundaryProps, at: maplibregl.LngLat): void {
  const u = state.stats?.units.find((x) => x.level === 'community' && x.code === p.code);
  // Statistical codes: a community's street is its first 9 digits + 000.
  const street = state.stats?.units.find((x) => x.level === 'street' && x.code === `${p.code.slice(0, 9)}000`);
  const row = (label: string, value: HTMLElement | string) => [h('dt', {}, label), h('dd', {}, value)];
  showPopup(
    at,
    h(
      'div',
      { class: 'popup community-popup' },
      h('div', { class: 'popup-kind' }, `${t('kind.community')}${street ? ` · ${street.name}` : ''}`),
      h('h3', {}, p.name),
      h(
        'dl',
        {},
        ...row(t('popup.code'), h('code', {}, p.code)),
        ...(u
          ? [
              ...row(t('summary.byPopulation'), h('span', { class: u.covered_share_by_population < 0.995 ? 'alert' : 'ok' }, fmtPct(u.covered_share_by_population))),
              ...row(t('summary.byArea'), fmtPct(u.covered_share_by_area)),
              ...row(t('summary.uncovered'), fmtInt(u.uncovered_population)),
              ...row(t('popup.population'), fmtInt(u.population)),
            ]
          : row(t('popup.covered'), '…')),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn zoom-to-grids',
          onclick: () => {
            popup?.remove();
            if (u) void zoomToUnit(u);
          },
        },
        t('popup.zoomToGrids'),
      ),
    ),
  );
}

/* ---------- search ---------- */

interface Hit {
  kind: 'street' | 'community' | 'grid' | 'station';
  label: string;
  sub: string;
  go: () => void;
}

function gridHit(f: Feature<Polygon | MultiPolygon, GridProps>): Hit {
  const p = f.properties;
  return {
    kind: 'grid',
    label: p.name,
    sub: `${p.community_name} · ${p.code}`,
    go: () => {
      state.selected = { level: 'grid', code: p.code };
      highlightUnit(map, state.selected);
      fit(boundsOf(f));
    },
  };
}

function search(q: string): Hit[] {
  const s = q.trim().toLowerCase();
  if (!s) return [];
  const hits: Hit[] = [];
  for (const u of state.stats?.units ?? []) {
    if ((u.level === 'street' || u.level === 'community') && (u.name.toLowerCase().includes(s) || u.code.startsWith(s)))
      hits.push({ kind: u.level, label: u.name, sub: u.code, go: () => void zoomToUnit(u) });
  }
  const seen = new Set<number>();
  for (const f of state.grids?.features ?? []) {
    const p = f.properties;
    if (!seen.has(p.id) && (p.name.toLowerCase().includes(s) || p.code.startsWith(s))) hits.push(gridHit(f));
    seen.add(p.id);
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
  // A full grid code (community code + 3 digits) outside the loaded view: ask the API.
  if (/^\d{15}$/.test(s) && !hits.some((x) => x.kind === 'grid'))
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ctrl: AbortController | undefined;
  const close = () => {
    list.hidden = true;
    // A grid search still on its way must not reopen the list.
    clearTimeout(timer);
    ctrl?.abort();
  };
  const kindKey = { street: 'kind.street', community: 'kind.community', grid: 'kind.grid', station: 'kind.station' } as const;
  const show = (hits: Hit[]) => {
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
  };
  input.addEventListener('input', () => {
    const q = input.value;
    const hits = search(q);
    show(hits);
    // Grids outside the loaded view (only the view's grids are in the browser): ask the API.
    clearTimeout(timer);
    ctrl?.abort();
    if (q.trim().length < 2) return;
    timer = setTimeout(() => {
      const c = (ctrl = new AbortController());
      api
        .searchGrids(q.trim(), c.signal)
        .then((fc) => {
          if (c.signal.aborted || input.value !== q || list.hidden) return;
          const known = new Set(hits.filter((x) => x.kind === 'grid').map((x) => x.sub.split(' · ').pop()));
          const more = fc.features.filter((f) => !known.has(f.properties.code)).map(gridHit);
          // Grids after streets and communities, before stations; the 15-digit fallback replaced.
          const rest = hits.filter((x) => !(x.kind === 'grid' && x.label === q.trim()));
          const at = rest.findIndex((x) => x.kind === 'station');
          show((at < 0 ? [...rest, ...more] : [...rest.slice(0, at), ...more, ...rest.slice(at)]).slice(0, 12));
        })
        .catch(() => {});
    }, 200);
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
  (map?.getSource('service') as maplibregl.GeoJSONSource | undefined)?.setData(EMPTY);
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
  bindStandard(); // the standard in the URL hash, before the first coverage request
  const [health, types] = await Promise.all([api.health(), api.stationTypes()]);
  // Asked for at once, while MapLibre starts: the outlines and the roll-ups need no map; they are
  // drawn when its style is ready. (Not before the city is known: a coverage answer keeps the
  // server busy for a few hundred ms at Dalian scale, and the map waits for the city's extent.)
  const outlines = (['community', 'street', 'district'] as const).map((level) => api.boundaries(level, 5));
  for (const p of outlines) p.catch(() => {}); // reported once the map is ready (below)
  state.types = types.types;
  state.selectedTypes = new Set(types.types.map((x) => x.code));
  state.datasetName = { zh: health.dataset?.name ?? '', en: health.dataset?.nameEn ?? health.dataset?.name ?? '' };
  const firstUnits = new Promise<void>((resolve) => (onUnits = resolve));
  void refreshCoverage({ view: false }); // `inView` asks for the view once the map is ready

  map = createMap($('#map'), health.dataset?.bbox, { fitBoundsOptions: { padding: MAP_PADDING } });
  renderAll();

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
    void addStationTypeImages(map, state.types.map((x) => x.code));
    layersReady = true;
    if (state.stats) paintUnits();
    if (map.getZoom() < GRID_MIN_ZOOM) setGaps(state.gaps);
    labels = new HtmlLabels(map, PLANNER_LABEL_MIN_ZOOM);
    map.on('moveend', updateLabels);
    // First paint needs no whole-city download. Zoomed out: the community outlines (~1,000
    // simplified polygons) coloured by the roll-ups; zoomed in: the grids of the view with their
    // shares and gaps. The basemap streets follow the first colours (the embedded database answers
    // one query at a time; bench/web.bench.ts).
    void Promise.all(outlines.map((p) => p.then(addBoundaries))).catch((e) => status(t('status.error', { msg: errorText(e) })));
    loadByViewport(
      map,
      (z) => (z < GRID_MIN_ZOOM ? 'none' : z < 15 ? 'mid' : 'full'),
      async (bbox, zoom, signal) => {
        if (zoom < GRID_MIN_ZOOM) return; // communities are drawn instead (the grid layers hide)
        state.grids = await api.grids(bbox, zoom < 15 ? 2 : undefined, signal);
        paintGrids();
      },
      { pad: GRID_PAD },
    );
    inView = loadByViewport(
      map,
      (z) => (z < GRID_MIN_ZOOM ? 'top' : 'view'),
      async (bbox, zoom, signal) => {
        if (zoom < GRID_MIN_ZOOM) return setGaps(state.gaps);
        // One request for the view's colours and gaps (even a cached answer costs ≈ 0.3 s of
        // server time at Dalian scale, so not two).
        const view = await api.coverageShares(coverageParams(), bbox, signal);
        paintShares(view.grids);
        setGaps(view.gaps);
      },
      { pad: GRID_PAD },
    );
    loadByViewport(
      map,
      () => 'all',
      async (bbox, _zoom, signal) => {
        state.stations = await api.stations(bbox, signal);
        (map.getSource('stations') as maplibregl.GeoJSONSource).setData(state.stations);
      },
    );
    // After the first colours have drawn (the map's next idle), so the roads' GeoJSON does not
    // compete with the coverage polygons in MapLibre's worker; 4 s at the latest.
    const firstColoursDrawn = firstUnits.then(() => new Promise((r) => map.once('idle', r)));
    void Promise.race([firstColoursDrawn, new Promise((r) => setTimeout(r, 4000))]).then(() =>
      networkLoader(map, 14.5, { minZoom: NETWORK_MIN_ZOOM, overviewBelowZoom: NETWORK_OVERVIEW_BELOW_ZOOM }),
    );
    let shownLevel = legendLevel();
    map.on('zoomend', () => {
      if (legendLevel() === shownLevel) return;
      shownLevel = legendLevel();
      renderLegend($('#legend'), state.types, state.selectedTypes, shownLevel);
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
