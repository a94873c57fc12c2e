/**
 * The map's popups and what a click shows: a station (and its service area under the current
 * standard), a grid (its figures and the nearest stations), a community below the grid zoom (its
 * rolled-up figures and a way in to its grids).
 */
import type { Point } from 'geojson';
import { api, type BoundaryProps, type GridProps, type StationProps } from '../api/client.js';
import { fmtInt, fmtPct, pick, t } from '../i18n/index.js';
import { EMPTY, maplibregl } from '../map/create.js';
import { stationPopup, typeStyle } from '../map/stations.js';
import { h, telLink } from '../ui/dom.js';
import { errorText } from '../ui/feedback.js';
import { circlePolygon } from './geometry.js';
import { plannerMap, showServiceArea } from './map-view.js';
import { state } from './store.js';
import { zoomToUnit } from './view.js';
import { questionLabel, typeName } from './panels.js';

/**
 * Each chosen type's own share of a grid or unit, the missing ones marked, and a line naming them:
 * the "what is missing here" of the popup.
 */
function perType(byType: Record<string, number>, missing: readonly string[]): HTMLElement[] {
  const codes = Object.keys(byType);
  if (!codes.length) return [];
  return [
    h('div', { class: 'popup-sub' }, t('popup.byType')),
    h(
      'ul',
      { class: 'by-type' },
      codes.map((c) =>
        h(
          'li',
          { 'data-type': c, class: missing.includes(c) ? 'missing' : 'ok' },
          h('span', { class: 'dot', style: `background:${typeStyle(c).color}` }),
          h('span', { class: 'type-name' }, typeName(state.types, c)),
          h('span', { class: 'share' }, fmtPct(byType[c] ?? 0)),
        ),
      ),
    ),
    h(
      'p',
      { class: `missing-line ${missing.length ? 'alert' : 'ok'}`, 'data-missing': missing.join(',') },
      missing.length ? `${t('missing.label')}${pick('：', ': ')}${missing.map((c) => typeName(state.types, c)).join(pick('、', ', '))}` : t('missing.none'),
    ),
  ];
}

let popup: maplibregl.Popup | undefined;

export function showPopup(lngLat: maplibregl.LngLatLike, content: HTMLElement): void {
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: '320px', closeButton: true, focusAfterOpen: false }).setLngLat(lngLat).setDOMContent(content).addTo(plannerMap());
}

export function closePopup(): void {
  popup?.remove();
}

/** A click on the map: the station, else the grid, else the community under it. */
export function onMapClick(e: maplibregl.MapMouseEvent): void {
  const map = plannerMap();
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
    void serviceArea(p, lonLat);
    return;
  }
  const grid = map.queryRenderedFeatures(e.point, { layers: ['grids-fill'] })[0];
  if (grid) {
    showServiceArea(EMPTY);
    gridPopup(grid.properties as GridProps, e.lngLat);
    return;
  }
  const community = map.queryRenderedFeatures(e.point, { layers: ['communities-fill'] })[0];
  if (community) {
    showServiceArea(EMPTY);
    communityPopup(community.properties as BoundaryProps, e.lngLat);
  }
}

/** The service area a station covers under the current mode (circle or walking isochrone). */
async function serviceArea(p: StationProps, lonLat: [number, number]): Promise<void> {
  const ty = state.types.find((x) => x.code === p.type);
  const walk = state.mode === 'walk' || (state.mode === 'standard' && ty?.coverage_mode === 'walk');
  if (!walk) {
    const r = state.mode === 'radius' ? state.radius : (ty?.coverage_radius_m ?? 1000);
    showServiceArea(circlePolygon(lonLat, r));
    return;
  }
  const minutes = state.mode === 'walk' ? state.minutes : (ty?.coverage_minutes ?? 15);
  try {
    const iso = await fetch(`/api/isochrone?lon=${lonLat[0]}&lat=${lonLat[1]}&minutes=${minutes}`).then((r) => (r.ok ? r.json() : null));
    showServiceArea(iso ? { type: 'Feature', geometry: iso.geometry, properties: {} } : EMPTY);
  } catch {
    showServiceArea(EMPTY);
  }
}

/** A grid: its figures under the current question, and the nearest stations of the selected types. */
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
        h(
          'dd',
          {},
          s
            ? h(
                'span',
                { class: `grid-share ${s.covered_share < 0.995 ? 'alert' : 'ok'}`, 'data-share': s.covered_share },
                fmtPct(s.covered_share),
                s.uncovered_population > 0 ? ` · ${t('gaps.people', { n: fmtInt(s.uncovered_population) })}` : '',
              )
            : '…',
          s && state.selectedTypes.size > 1
            ? h('div', { class: 'muted combine-note' }, questionLabel(state.types, Object.keys(s.by_type), state.combine))
            : null,
        ),
      ),
      ...(s ? perType(s.by_type, s.missing_types) : []),
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
              ...row(
                t('summary.byPopulation'),
                h('span', { class: u.covered_share_by_population < 0.995 ? 'alert' : 'ok' }, fmtPct(u.covered_share_by_population)),
              ),
              ...row(t('summary.byArea'), fmtPct(u.covered_share_by_area)),
              ...row(t('summary.uncovered'), fmtInt(u.uncovered_population)),
              ...row(t('popup.population'), fmtInt(u.population)),
            ]
          : row(t('popup.covered'), '…')),
      ),
      ...(u
        ? perType(Object.fromEntries(Object.entries(u.by_type).map(([k, v]) => [k, state.measure === 'area' ? v.by_area : v.by_population])), u.missing_types)
        : []),
      h(
        'button',
        {
          type: 'button',
          class: 'btn zoom-to-grids',
          onclick: () => {
            closePopup();
            if (u) void zoomToUnit(u);
          },
        },
        t('popup.zoomToGrids'),
      ),
    ),
  );
}
