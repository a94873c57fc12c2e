/**
 * Courier view (/courier), phone first: where am I → the nearest 爱心驿站 by walking distance,
 * with minutes on foot and by e-bike, open-now badges, amenity filters, the walking route, and a
 * hand-off to Amap / Baidu / Apple Maps. The list does not wait for the map library to load.
 */
import '../ui/base.css';
import './courier.css';
import { api, type Health, type StationFeature } from '../api/client.js';
import { applyI18n, bindLangToggle, fmtDistance, onLangChange, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { amenityIcons, openBadge } from '../map/stations.js';
import { amenityLabel } from '../ui/amenities.js';
import { icon } from '../ui/icons.js';
import { $, h } from '../ui/dom.js';
import { errorText } from '../ui/feedback.js';
import { navigationLinks } from './navigate.js';
import type { CourierMap } from './map.js';

const TYPE = 'courier_station';
const FILTERS = ['water', 'charging', 'first_aid', 'toilet'] as const;

const state = {
  position: null as null | { lon: number; lat: number; source: 'gps' | 'tap'; accuracy?: number },
  amenities: new Set<string>(),
  // A rider needs a station that is open now; the chip turns this off to see all.
  openNow: true,
  limit: 5,
  results: [] as StationFeature[],
  selectedId: null as number | null,
  error: null as string | null,
  loading: false,
};

let cmap: CourierMap | undefined;
let request: AbortController | undefined;
let health: Promise<Health> | undefined;

function renderWhere(msg?: string): void {
  const el = $('#where');
  const p = state.position;
  if (msg) el.textContent = msg;
  else if (!p) el.textContent = t('courier.tapHint');
  else el.textContent = p.source === 'gps' ? t('courier.gps', { n: Math.round(p.accuracy ?? 0) }) : t('courier.tapped');
}

function renderFilters(): void {
  const chip = (label: string, glyph: HTMLElement, on: boolean, toggle: () => void, key: string) =>
    h(
      'button',
      {
        type: 'button',
        class: `chip ${on ? 'on' : ''}`,
        'aria-pressed': String(on),
        'data-filter': key,
        onclick: () => {
          toggle();
          renderFilters();
          void refresh();
        },
      },
      glyph,
      label,
    );
  $('#filters').replaceChildren(
    chip(t('courier.openNow'), h('span', { class: 'open-dot', 'aria-hidden': 'true' }), state.openNow, () => (state.openNow = !state.openNow), 'open_now'),
    ...FILTERS.map((a) =>
      chip(amenityLabel(a), icon(a), state.amenities.has(a), () => (state.amenities.has(a) ? state.amenities.delete(a) : state.amenities.add(a)), a),
    ),
  );
}

const minutes = (n: number | undefined) => t('unit.minutes', { n: Math.max(1, Math.ceil(n ?? 0)) });

function renderList(): void {
  const list = $('#list');
  $('#list-title').textContent = state.position ? t('courier.nearest', { n: state.results.length || state.limit }) : '';
  if (state.error) {
    list.replaceChildren(h('li', { class: 'c-msg error' }, state.error));
    return;
  }
  if (!state.position) {
    list.replaceChildren(h('li', { class: 'c-msg' }, t('courier.tapHint')));
    return;
  }
  if (state.loading && !state.results.length) {
    list.replaceChildren(h('li', { class: 'c-msg loading' }, t('status.loading')));
    return;
  }
  if (!state.results.length) {
    list.replaceChildren(h('li', { class: 'c-msg' }, t('courier.none')));
    return;
  }
  list.replaceChildren(
    ...state.results.map((f, i) => {
      const p = f.properties;
      const selected = p.id === state.selectedId;
      return h(
        'li',
        { class: `card ${selected ? 'selected' : ''}`, 'data-id': p.id, 'data-code': p.code },
        h(
          'button',
          { type: 'button', class: 'card-main', 'aria-pressed': String(selected), onclick: () => select(p.id) },
          h('span', { class: 'num' }, String(i + 1)),
          h(
            'span',
            { class: 'card-body' },
            h('span', { class: 'card-head' }, h('strong', { class: 'card-name' }, p.name), openBadge(p)),
            h(
              'span',
              { class: 'card-dist' },
              h('b', { class: 'dist' }, fmtDistance(p.distance_m ?? 0)),
              h('span', { class: 'mode' }, icon('walk'), t('courier.walk'), ' ', h('b', {}, minutes(p.walk_minutes))),
              h('span', { class: 'mode' }, icon('ebike'), t('courier.ebike'), ' ', h('b', {}, minutes(p.ebike_minutes))),
            ),
            p.amenities.length ? amenityIcons(p.amenities) : null,
            p.address ? h('span', { class: 'card-addr muted' }, p.address) : null,
          ),
        ),
        h(
          'div',
          { class: 'card-actions' },
          h('button', { type: 'button', class: 'btn-secondary', onclick: () => select(p.id) }, icon('route'), t('courier.route')),
          h(
            'button',
            { type: 'button', class: 'btn-primary', 'data-action': 'navigate', onclick: () => openNavigate(f) },
            icon('navigate'),
            t('courier.navigate'),
          ),
        ),
      );
    }),
  );
}

function select(id: number): void {
  state.selectedId = id;
  renderList();
  const f = state.results.find((x) => x.properties.id === id);
  if (f) cmap?.showRoute(f);
}

function openNavigate(f: StationFeature): void {
  const sheet = $<HTMLDialogElement>('#nav-sheet');
  const [lon, lat] = f.geometry.coordinates as [number, number];
  const links = navigationLinks([lon, lat], f.properties.name);
  const label: Record<string, MessageKey> = { amap: 'nav.amap', baidu: 'nav.baidu', apple: 'nav.apple' };
  const baidu = links.find((l) => l.app === 'baidu')!;
  sheet.replaceChildren(
    h('h2', {}, t('courier.navigateTo', { name: f.properties.name })),
    h(
      'div',
      { class: 'nav-links' },
      links.map((l) =>
        h(
          'a',
          { class: `nav-link ${l.app}`, href: l.url, 'data-app': l.app, target: l.app === 'baidu' ? undefined : '_blank', rel: 'noopener' },
          t(label[l.app]),
        ),
      ),
      h('a', { class: 'nav-link web', href: baidu.web, 'data-app': 'baidu-web', target: '_blank', rel: 'noopener' }, t('nav.baiduWeb')),
    ),
    h('p', { class: 'muted small' }, t('nav.coordNote')),
    h('button', { type: 'button', class: 'btn-secondary close', onclick: () => sheet.close() }, t('courier.close')),
  );
  sheet.showModal();
}

async function refresh(): Promise<void> {
  const p = state.position;
  if (!p) return renderList();
  request?.abort();
  const ctrl = (request = new AbortController());
  state.loading = true;
  state.error = null;
  renderList();
  try {
    const fc = await api.nearest(
      { lon: p.lon, lat: p.lat, type: TYPE, amenity: [...state.amenities], open_now: state.openNow, limit: state.limit },
      ctrl.signal,
    );
    state.results = fc.features;
    if (!state.results.some((f) => f.properties.id === state.selectedId)) state.selectedId = state.results[0]?.properties.id ?? null;
  } catch (e) {
    if ((e as Error).name === 'AbortError') return;
    state.results = [];
    state.error = errorText(e);
  } finally {
    if (request === ctrl) state.loading = false;
  }
  renderList();
  cmap?.showResults(p, state.results, state.selectedId);
  ensureMap();
}

function setPosition(lon: number, lat: number, source: 'gps' | 'tap', accuracy?: number): void {
  state.position = { lon, lat, source, accuracy };
  renderWhere();
  void refresh();
}

function locate(): void {
  if (!('geolocation' in navigator)) {
    renderWhere(t('courier.denied'));
    return;
  }
  renderWhere(t('courier.locating'));
  navigator.geolocation.getCurrentPosition(
    (pos) => setPosition(pos.coords.longitude, pos.coords.latitude, 'gps', pos.coords.accuracy),
    () => {
      renderWhere(t('courier.denied'));
      renderList();
      ensureMap(); // tapping the map is the fallback
    },
    { enableHighAccuracy: true, timeout: 10_000, maximumAge: 30_000 },
  );
}

let mapStarted = false;
/** Loads the map once: after the first list (so the list's request goes first on slow links) or after 2.5 s. */
function ensureMap(): void {
  if (mapStarted) return;
  mapStarted = true;
  void startMap().catch((e) => console.warn('map failed', e));
}

async function startMap(): Promise<void> {
  const h0 = await (health ??= api.health());
  const { courierMap } = await import('./map.js');
  cmap = await courierMap($('#map'), h0.dataset?.bbox, (lon, lat) => setPosition(lon, lat, 'tap'));
  if (state.position) cmap.showResults(state.position, state.results, state.selectedId);
}

function main(): void {
  applyI18n();
  bindLangToggle($<HTMLButtonElement>('#lang'));
  renderFilters();
  renderList();
  $('#locate').addEventListener('click', locate);
  onLangChange(() => {
    renderFilters();
    renderList();
    renderWhere();
  });
  locate();
  health = api.health();
  // The map (MapLibre, the largest download) loads after the first result; the list never waits for it.
  setTimeout(ensureMap, 2500);
}

main();
