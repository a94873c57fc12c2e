/**
 * The search box: matches among what is loaded as you type (search-match.ts), then — after a
 * pause — grids the API finds by name; picking a hit selects it and zooms the map to it.
 */
import type { GeoJSON } from 'geojson';
import { api } from '../api/client.js';
import { pick, t } from '../i18n/index.js';
import { stationPopup } from '../map/stations.js';
import { $, h } from '../ui/dom.js';
import { errorText, status } from '../ui/feedback.js';
import { plannerMap, selectAndFit } from './map-view.js';
import { showPopup } from './popups.js';
import { type Match, matchSearch, withApiGrids } from './search-match.js';
import { state } from './store.js';
import { zoomToUnit } from './view.js';

const kindKey = { street: 'kind.street', community: 'kind.community', grid: 'kind.grid', station: 'kind.station' } as const;

/** A match as the list shows it: kind, label and a second line. */
function describe(m: Match): { kind: keyof typeof kindKey; label: string; sub: string } {
  switch (m.kind) {
    case 'unit':
      return { kind: m.unit.level, label: m.unit.name, sub: m.unit.code };
    case 'grid':
      return { kind: 'grid', label: m.grid.properties.name, sub: `${m.grid.properties.community_name} · ${m.grid.properties.code}` };
    case 'station':
      return { kind: 'station', label: m.station.properties.name, sub: pick(m.station.properties.type_name_zh, m.station.properties.type_name_en) };
    case 'gridCode':
      return { kind: 'grid', label: m.code, sub: t('kind.grid') };
  }
}

const selectGrid = (code: string, geo: GeoJSON) => selectAndFit({ level: 'grid', code }, geo);

/** Picking a match. */
function go(m: Match): void {
  if (m.kind === 'unit') void zoomToUnit(m.unit);
  else if (m.kind === 'grid') selectGrid(m.grid.properties.code, m.grid);
  else if (m.kind === 'station') {
    const map = plannerMap();
    const c = m.station.geometry.coordinates as [number, number];
    map.flyTo({ center: c, zoom: Math.max(map.getZoom(), 16) });
    showPopup(c, stationPopup(m.station.properties));
  } else
    void fetch(`/api/grids/${m.code}`)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(t('search.none')))))
      .then((f) => selectGrid(m.code, f))
      .catch((e) => status(errorText(e)));
}

const localMatches = (q: string): Match[] =>
  matchSearch(q, {
    units: state.stats?.units ?? [],
    grids: state.grids?.features ?? [],
    stations: state.stations?.features ?? [],
    selectedTypes: state.selectedTypes,
  });

export function bindSearch(): void {
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
  const show = (matches: Match[]) => {
    list.hidden = !input.value.trim();
    list.replaceChildren(
      ...(matches.length
        ? matches.map((m) => {
            const x = describe(m);
            return h(
              'li',
              {},
              h(
                'button',
                {
                  type: 'button',
                  onclick: () => {
                    go(m);
                    close();
                  },
                },
                h('span', { class: 'kind' }, t(kindKey[x.kind])),
                h('span', { class: 'label' }, x.label),
                h('small', { class: 'muted' }, x.sub),
              ),
            );
          })
        : [h('li', { class: 'muted none' }, t('search.none'))]),
    );
  };
  input.addEventListener('input', () => {
    const q = input.value;
    const matches = localMatches(q);
    show(matches);
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
          show(withApiGrids(matches, fc.features, q));
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
