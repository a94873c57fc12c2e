/** Sidebar panels of the planner: summary, sortable unit table, gap list, exports, legend, layer switcher. */
import type { Bbox, CoverageParams, CoverageStats, GapCollection, GapProps, StationType, UnitStats } from '../api/client.js';
import { coverageQuery } from '../api/client.js';
import { fmtArea, fmtInt, fmtPct, pick, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { typeStyle } from '../map/stations.js';
import { h, telLink } from '../ui/dom.js';
import { icon } from '../ui/icons.js';
import { LAYER_GROUPS, NO_DATA_COLOR, SHARE_CLASSES, type LayerGroup } from './layers.js';

export function renderSummary(el: HTMLElement, stats: CoverageStats | null): void {
  if (!stats) {
    el.replaceChildren(h('h2', {}, t('summary.title')), h('p', { class: 'muted loading' }, t('summary.loading')));
    return;
  }
  const city = stats.units.find((u) => u.level === 'city');
  if (!city) return;
  // "0.92 平方公里" → big number, small unit, so the value never wraps.
  const big = (label: MessageKey, value: string, sub: string, cls = '') => {
    const [num, ...unit] = value.split(' ');
    return h(
      'div',
      { class: `kpi ${cls}` },
      h('div', { class: 'kpi-label' }, t(label)),
      h('div', { class: 'kpi-value' }, num, unit.length ? h('small', {}, ` ${unit.join(' ')}`) : null),
      h('div', { class: 'kpi-sub' }, sub),
    );
  };
  el.replaceChildren(
    h('h2', {}, t('summary.title')),
    h(
      'div',
      { class: 'kpis' },
      big('summary.byPopulation', fmtPct(city.covered_share_by_population), t('summary.ofPopulation', { n: fmtInt(city.population) }), 'primary'),
      big('summary.byArea', fmtPct(city.covered_share_by_area), fmtArea(city.area_m2)),
      big(
        'summary.uncovered',
        fmtInt(city.uncovered_population),
        t('summary.shareOfPopulation', { p: fmtPct(city.population ? city.uncovered_population / city.population : 0) }),
        city.uncovered_population > 0 ? 'alert' : '',
      ),
      big('summary.gapArea', fmtArea(city.gap_area_m2), `${t('summary.stations')} ${stats.meta.stations_used}`, city.gap_area_m2 > 0 ? 'alert' : ''),
    ),
  );
}

type SortKey = 'name' | 'covered' | 'uncovered' | 'gap';
const sortValue: Record<SortKey, (u: UnitStats) => number | string> = {
  name: (u) => u.code,
  covered: (u) => u.covered_share_by_population,
  uncovered: (u) => u.uncovered_population,
  gap: (u) => u.gap_area_m2,
};

/** A sortable table of street or community stats; clicking a row calls `onPick`. */
export class UnitTable {
  private sort: { key: SortKey; dir: 1 | -1 } = { key: 'uncovered', dir: -1 };
  constructor(
    private readonly el: HTMLElement,
    private readonly onPick: (u: UnitStats) => void,
  ) {}

  render(units: UnitStats[], level: 'street' | 'community', selected?: string): void {
    const rows = units.filter((u) => u.level === level);
    const { key, dir } = this.sort;
    rows.sort((a, b) => {
      const va = sortValue[key](a);
      const vb = sortValue[key](b);
      return (va < vb ? -1 : va > vb ? 1 : 0) * dir || a.code.localeCompare(b.code);
    });
    const th = (k: SortKey, label: MessageKey, cls = '') =>
      h(
        'th',
        { class: `sortable ${cls}`, 'aria-sort': key === k ? (dir === 1 ? 'ascending' : 'descending') : 'none', scope: 'col' },
        h(
          'button',
          { type: 'button', 'data-sort': k, onclick: () => this.setSort(k, units, level, selected) },
          t(label),
          h('span', { class: 'arrow' }, key === k ? (dir === 1 ? '▲' : '▼') : ''),
        ),
      );
    this.el.replaceChildren(
      h('p', { class: 'hint' }, t('table.hint')),
      h(
        'table',
        { class: 'units', 'data-level': level },
        h(
          'thead',
          {},
          h('tr', {}, th('name', 'col.name'), th('covered', 'col.covered', 'num'), th('uncovered', 'col.uncovered', 'num'), th('gap', 'col.gapArea', 'num')),
        ),
        h(
          'tbody',
          {},
          rows.map((u) =>
            h(
              'tr',
              {
                'data-code': u.code,
                class: u.code === selected ? 'selected' : '',
                tabindex: 0,
                onclick: () => this.onPick(u),
                onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && this.onPick(u),
              },
              h('td', { class: 'name' }, u.name),
              h(
                'td',
                { class: 'num' },
                h('span', { class: 'bar' }, h('span', { style: `width:${(u.covered_share_by_population * 100).toFixed(1)}%` })),
                fmtPct(u.covered_share_by_population),
              ),
              h('td', { class: `num ${u.uncovered_population > 0 ? 'alert' : ''}` }, fmtInt(u.uncovered_population)),
              h('td', { class: 'num' }, u.gap_area_m2 > 0 ? fmtArea(u.gap_area_m2) : '—'),
            ),
          ),
        ),
      ),
    );
  }

  private setSort(k: SortKey, units: UnitStats[], level: 'street' | 'community', selected?: string) {
    this.sort = this.sort.key === k ? { key: k, dir: this.sort.dir === 1 ? -1 : 1 } : { key: k, dir: k === 'name' ? 1 : -1 };
    this.render(units, level, selected);
  }
}

/** Gaps ranked by uncovered population, each with its grid leader. */
export function renderGapList(el: HTMLElement, gaps: GapCollection | null, onPick: (g: GapCollection['features'][number]) => void, max = 30): void {
  if (!gaps) {
    el.replaceChildren(h('p', { class: 'muted loading' }, t('status.loading')));
    return;
  }
  if (!gaps.features.length) {
    el.replaceChildren(h('p', { class: 'empty' }, t('gaps.none')));
    return;
  }
  const item = (f: GapCollection['features'][number]) => {
    const p: GapProps = f.properties;
    return h(
      'li',
      {
        class: 'gap',
        'data-grid': p.grid_code,
        tabindex: 0,
        onclick: () => onPick(f),
        onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && onPick(f),
      },
      h('span', { class: 'rank' }, String(p.rank)),
      h(
        'div',
        { class: 'gap-body' },
        h('div', { class: 'gap-title' }, h('strong', {}, p.grid_name), h('span', { class: 'muted' }, ` · ${p.community_name} · ${p.street_name}`)),
        h('div', { class: 'gap-stats' }, h('span', { class: 'alert' }, t('gaps.people', { n: fmtInt(p.uncovered_population) })), ' · ', fmtArea(p.gap_area_m2)),
        h('div', { class: 'gap-leader' }, `${t('gaps.leader')}：${p.leader_name ?? '—'} `, telLink(p.leader_phone)),
      ),
    );
  };
  el.replaceChildren(
    h('p', { class: 'hint' }, t('gaps.topOnMap', { n: fmtInt(gaps.features.length) })),
    h('ol', { class: 'gap-list' }, gaps.features.slice(0, max).map(item)),
  );
}

/**
 * Downloads of the current question: city-wide per street / community / grid and all gaps, and
 * the grids and gaps of the map's current view (`viewBbox` read when the link is clicked).
 */
export function renderExports(el: HTMLElement, params: CoverageParams, viewBbox?: () => Bbox): void {
  const csv = (level: string, label: MessageKey) =>
    h(
      'a',
      { class: 'btn', href: `/api/coverage${coverageQuery(params, { format: 'csv', level })}`, download: `coverage-${level}.csv` },
      icon('download'),
      t(label),
    );
  const inView = (path: string, extra: Record<string, string | number>, download: string, label: MessageKey) =>
    h(
      'a',
      {
        class: 'btn',
        href: `${path}${coverageQuery(params, extra)}`,
        download,
        'data-export': download,
        // The view changes after rendering: the link takes the bbox of the moment it is used.
        onclick: (e: Event) => {
          if (!viewBbox) return;
          (e.currentTarget as HTMLAnchorElement).href = `${path}${coverageQuery(params, {
            ...extra,
            bbox: viewBbox()
              .map((v) => v.toFixed(5))
              .join(','),
          })}`;
        },
      },
      icon('download'),
      t(label),
    );
  el.replaceChildren(
    csv('street', 'export.csvStreet'),
    csv('community', 'export.csvCommunity'),
    csv('grid', 'export.csvGrid'),
    h(
      'a',
      { class: 'btn', href: `/api/coverage/gaps${coverageQuery(params, { limit: 20000 })}`, download: 'gaps.geojson', type: 'application/geo+json' },
      icon('download'),
      t('export.gaps'),
    ),
    ...(viewBbox
      ? [
          inView('/api/coverage', { format: 'csv', level: 'grid' }, 'coverage-grid-view.csv', 'export.csvGridView'),
          inView('/api/coverage/gaps', { limit: 20000 }, 'gaps-view.geojson', 'export.gapsView'),
        ]
      : []),
  );
}

/** `level`: what the map colours now — communities (zoomed out) or grids. */
export function renderLegend(el: HTMLElement, types: StationType[], selected: Set<string>, level: 'community' | 'grid' = 'grid'): void {
  const sw = (style: string) => h('span', { class: 'swatch', style });
  el.dataset.level = level;
  el.replaceChildren(
    h('div', { class: 'legend-title' }, t(level === 'community' ? 'legend.titleCommunity' : 'legend.title')),
    ...(level === 'community' ? [h('div', { class: 'legend-hint muted' }, t('legend.zoomForGrids'))] : []),
    h(
      'div',
      { class: 'legend-ramp' },
      SHARE_CLASSES.map((c) => h('div', { class: 'legend-item' }, sw(`background:${c.color}`), c.label)),
      h('div', { class: 'legend-item muted' }, sw(`background:${NO_DATA_COLOR}`), t('legend.noData')),
    ),
    h(
      'div',
      { class: 'legend-item gap-item' },
      sw('background:repeating-linear-gradient(45deg,#dc2626 0 2px,rgba(220,38,38,.15) 2px 6px);border:1.5px solid #dc2626'),
      h('strong', {}, t('legend.gap')),
    ),
    h('div', { class: 'legend-title' }, t('legend.stations'), h('small', { class: 'muted' }, ` ${t('legend.faded')}`)),
    h(
      'div',
      { class: 'legend-types' },
      types
        .filter((ty) => selected.has(ty.code))
        .map((ty) =>
          h(
            'div',
            { class: 'legend-item' },
            h('span', { class: 'type-symbol', style: `background:${typeStyle(ty.code).color}` }, icon(typeStyle(ty.code).icon ?? 'pin')),
            pick(ty.name_zh, ty.name_en),
          ),
        ),
    ),
  );
}

export function renderLayerSwitcher(el: HTMLElement, visible: Record<LayerGroup, boolean>, onToggle: (g: LayerGroup, v: boolean) => void): void {
  const names: Record<LayerGroup, MessageKey> = {
    coverage: 'layers.coverage',
    gridLines: 'layers.gridLines',
    labels: 'layers.labels',
    boundaries: 'layers.boundaries',
    gaps: 'layers.gaps',
    stations: 'layers.stations',
    network: 'layers.network',
    service: 'layers.service',
  };
  el.replaceChildren(
    h(
      'details',
      { open: true },
      h('summary', {}, t('layers.title')),
      (Object.keys(LAYER_GROUPS) as LayerGroup[]).map((g) =>
        h(
          'label',
          {},
          h('input', { type: 'checkbox', 'data-layer': g, checked: visible[g], onchange: (e: Event) => onToggle(g, (e.target as HTMLInputElement).checked) }),
          ' ',
          t(names[g]),
        ),
      ),
    ),
  );
}
