/**
 * Courier view (/courier), phone first: where am I → the nearest 爱心驿站 by walking distance,
 * with minutes on foot and by e-bike, open-now badges, amenity filters, the walking route, and a
 * hand-off to Amap / Baidu / Apple Maps. The list does not wait for the map library to load.
 */
import '../ui/base.css';
import './courier.css';
import { ApiError, api, type Health, type StationFeature } from '../api/client.js';
import { applyI18n, bindLangToggle, fmtDistance, lang, onLangChange, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { amenityIcons, openBadge } from '../map/stations.js';
import { amenityLabel } from '../ui/amenities.js';
import { icon } from '../ui/icons.js';
import { $, h } from '../ui/dom.js';
import { errorText } from '../ui/feedback.js';
import { hoursLine } from './hours.js';
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
  /** When the answer was computed (the server's evaluated_at): the hours line reads it. */
  evaluatedAt: '',
  selectedId: null as number | null,
  error: null as string | null,
  /** The position is off the street network (outside the city): offer to go back. */
  outside: false,
  /** Showing the last answer kept on this phone because the network failed: when it was saved. */
  offlineSince: null as number | null,
  loading: false,
};

/** The last answer, kept on the phone for a rider under a bridge (localStorage; the service worker keeps the page). */
const LAST_KEY = 'lc.courier.last';
interface Saved {
  savedAt: number;
  evaluatedAt: string;
  results: StationFeature[];
}
function saveLast(results: StationFeature[], evaluatedAt: string): void {
  try {
    localStorage.setItem(LAST_KEY, JSON.stringify({ savedAt: Date.now(), evaluatedAt, results } satisfies Saved));
  } catch {
    /* private mode or full: nothing kept */
  }
}
function loadLast(): Saved | null {
  try {
    const s = JSON.parse(localStorage.getItem(LAST_KEY) ?? 'null') as Saved | null;
    return s && Array.isArray(s.results) ? s : null;
  } catch {
    return null;
  }
}
let retryTimer: ReturnType<typeof setTimeout> | undefined;
/** The last request failed to reach the server at all (offline, dropped connection), not an answer from it. */
let isNetworkError = false;

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

/** "营业至 21:00" / "明天 08:30 开门" for a card, or nothing (24/7: the badge says it). */
function hoursText(p: StationFeature['properties']): string | null {
  const line = hoursLine(p, state.evaluatedAt);
  if (!line) return null;
  if (!line.time) return t(line.key);
  const day =
    line.day === 'today'
      ? ''
      : line.day === 'tomorrow'
        ? `${t('courier.tomorrow')} `
        : `${new Date(Date.UTC(2026, 10, 1 + (line.day as number))).toLocaleDateString(lang() === 'zh' ? 'zh-CN' : 'en-US', { weekday: 'short', timeZone: 'UTC' })} `;
  return t(line.key, { when: `${day}${line.time}` });
}

/** The card's hours line element, or nothing. */
function hoursSpan(p: StationFeature['properties']): HTMLElement | null {
  const text = hoursText(p);
  return text ? h('span', { class: 'card-hours' }, text) : null;
}

function renderList(): void {
  const list = $('#list');
  const showing = state.position && !state.error && state.results.length > 0;
  $('#list-title').textContent = showing ? t('courier.nearest', { n: state.results.length }) : '';
  const banner = $('#offline');
  banner.hidden = state.offlineSince === null;
  if (state.offlineSince !== null) {
    banner.replaceChildren(
      h('span', {}, t('courier.offline', { n: Math.max(1, Math.round((Date.now() - state.offlineSince) / 60_000)) })),
      h('button', { type: 'button', class: 'btn-secondary', onclick: () => void refresh() }, t('courier.retry')),
    );
  }
  if (state.error) {
    list.replaceChildren(
      h(
        'li',
        { class: 'c-msg error', role: 'alert' },
        state.error,
        state.outside ? h('button', { type: 'button', class: 'btn-secondary back', onclick: () => cmap?.fitCity() }, t('courier.backToCity')) : null,
        isNetworkError ? h('button', { type: 'button', class: 'btn-secondary back', onclick: () => void refresh() }, t('courier.retry')) : null,
      ),
    );
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
            hoursSpan(p),
            h(
              'span',
              { class: 'card-dist' },
              h('b', { class: 'dist' }, fmtDistance(p.distance_m ?? 0)),
              h('span', { class: 'mode' }, icon('walk'), t('courier.walk'), ' ', h('b', {}, minutes(p.walk_minutes))),
              h('span', { class: 'mode' }, icon('ebike'), t('courier.ebike'), ' ', h('b', {}, minutes(p.ebike_minutes))),
            ),
            p.amenities.length ? amenityIcons(p.amenities, true) : null,
            p.address ? h('span', { class: 'card-addr muted' }, p.address) : null,
          ),
        ),
        h(
          'div',
          { class: 'card-actions' },
          h('button', { type: 'button', class: 'btn-secondary', onclick: () => select(p.id) }, icon('route'), t('courier.route')),
          p.phone
            ? h(
                'a',
                { class: 'btn-secondary call', href: `tel:${p.phone.replace(/[^\d+]/g, '')}`, 'aria-label': `${t('courier.call')} ${p.phone}` },
                icon('phone'),
                t('courier.call'),
              )
            : null,
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
  document.querySelector(`.card[data-id="${id}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  const f = state.results.find((x) => x.properties.id === id);
  if (f) cmap?.showRoute(f);
}

function openNavigate(f: StationFeature): void {
  const sheet = $<HTMLDialogElement>('#nav-sheet');
  const [lon, lat] = f.geometry.coordinates as [number, number];
  const from = state.position ? { at: [state.position.lon, state.position.lat] as [number, number], name: t('courier.here') } : undefined;
  const links = navigationLinks([lon, lat], f.properties.name, from);
  const label: Record<string, MessageKey> = { amap: 'nav.amap', baidu: 'nav.baidu', apple: 'nav.apple' };
  const baidu = links.find((l) => l.app === 'baidu')!;
  // Baidu's web page needs an origin: offered only when the rider's position is known.
  const baiduWeb = baidu.web !== baidu.url;
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
      baiduWeb ? h('a', { class: 'nav-link web', href: baidu.web, 'data-app': 'baidu-web', target: '_blank', rel: 'noopener' }, t('nav.baiduWeb')) : null,
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
  clearTimeout(retryTimer);
  const ctrl = (request = new AbortController());
  state.loading = true;
  state.error = null;
  state.outside = false;
  renderList();
  try {
    const fc = await api.nearest(
      { lon: p.lon, lat: p.lat, type: TYPE, amenity: [...state.amenities], open_now: state.openNow, limit: state.limit },
      ctrl.signal,
    );
    state.results = fc.features;
    state.evaluatedAt = fc.evaluated_at;
    state.offlineSince = null;
    isNetworkError = false;
    saveLast(fc.features, fc.evaluated_at);
    if (!state.results.some((f) => f.properties.id === state.selectedId)) state.selectedId = state.results[0]?.properties.id ?? null;
  } catch (e) {
    if ((e as Error).name === 'AbortError') return;
    isNetworkError = !(e instanceof ApiError);
    const last = isNetworkError ? loadLast() : null;
    if (last) {
      // Under a bridge: the last list, saying how old it is, and try again soon.
      state.results = last.results;
      state.evaluatedAt = last.evaluatedAt;
      state.offlineSince = last.savedAt;
      if (!state.results.some((f) => f.properties.id === state.selectedId)) state.selectedId = state.results[0]?.properties.id ?? null;
    } else {
      state.results = [];
      state.outside = e instanceof ApiError && e.code === 'not_on_network';
      state.error = state.outside ? t('courier.outside') : isNetworkError ? t('courier.offlineNone') : errorText(e);
    }
    if (isNetworkError) retryTimer = setTimeout(() => void refresh(), 15_000);
  } finally {
    if (request === ctrl) state.loading = false;
  }
  renderList();
  cmap?.showResults(p, state.results, state.selectedId);
  ensureMap();
}

function setPosition(lon: number, lat: number, source: 'gps' | 'tap', accuracy?: number): void {
  state.position = { lon, lat, source, accuracy };
  // A new position: the nearest station is the one to show, not the one picked from the old list.
  state.selectedId = null;
  renderWhere();
  void refresh();
}

/** Asks for the position; `fresh` (the rider pressed 我的位置) refuses a cached fix. */
function locate(fresh = false): void {
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
    { enableHighAccuracy: true, timeout: 10_000, maximumAge: fresh ? 0 : 30_000 },
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
  // The sticky map sits right under the header, whatever height the header wraps to.
  const topHeight = () => document.documentElement.style.setProperty('--c-top-h', `${$('.c-top').offsetHeight}px`);
  topHeight();
  window.addEventListener('resize', topHeight);
  bindLangToggle($<HTMLButtonElement>('#lang'));
  renderFilters();
  renderList();
  $('#locate').addEventListener('click', () => locate(true));
  onLangChange(() => {
    renderFilters();
    renderList();
    renderWhere();
  });
  window.addEventListener('online', () => void refresh());
  locate();
  health = api.health();
  // The page and its scripts from the phone's cache when there is no network (web/src/courier/sw.ts).
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/courier/sw.js', { scope: '/courier' }).catch(() => {});
  // The map (MapLibre, the largest download) loads after the first result; the list never waits for it.
  setTimeout(ensureMap, 2500);
}

main();
