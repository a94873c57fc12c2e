/** Sidebar panels of the planner: summary, sortable unit table, gap list, exports, legend, layer switcher. */
import type { Bbox, CoverageParams, CoverageStats, GapCollection, GapProps, StationType, UnitStats } from '../api/client.js';
import type { Measure } from './store.js';
import { coverageQuery } from '../api/client.js';
import { fmtArea, fmtInt, fmtPct, pick, t } from '../i18n/index.js';
import type { MessageKey } from '../i18n/messages.js';
import { typeStyle } from '../map/stations.js';
import { h, telLink } from '../ui/dom.js';
import { icon } from '../ui/icons.js';
import { LAYER_GROUPS, NO_DATA_COLOR, SHARE_CLASSES, type LayerGroup } from './layers.js';

/** A station type's name in the current language (its code when unknown). */
export function typeName(types: readonly StationType[], code: string): string {
  const ty = types.find((x) => x.code === code);
  return ty ? pick(ty.name_zh, ty.name_en) : code;
}

/** What the figures are about: one type's name, or "任一类型 / 全部齐全：A、B". */
export function questionLabel(types: readonly StationType[], codes: readonly string[], combine: 'any' | 'all'): string {
  const names = codes.map((c) => typeName(types, c)).join(pick('、', ', '));
  if (codes.length <= 1) return names;
  return `${t(combine === 'all' ? 'combine.all' : 'combine.any')}${pick('：', ': ')}${names}`;
}

/** Small coloured dots naming types (title and accessible label carry the names). */
export function typeDots(types: readonly StationType[], codes: readonly string[]): HTMLElement {
  const names = codes.map((c) => typeName(types, c)).join(pick('、', ', '));
  return h(
    'span',
    { class: 'type-dots', title: names, 'aria-label': names, 'data-missing': codes.join(',') },
    codes.map((c) => h('span', { class: 'dot', style: `background:${typeStyle(c).color}` })),
  );
}

export function renderSummary(el: HTMLElement, stats: CoverageStats | null, types: readonly StationType[] = []): void {
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
    h('p', { class: 'summary-basis', 'data-combine': stats.meta.combine }, questionLabel(types, stats.meta.types, stats.meta.combine)),
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
/** A unit's covered share by the chosen measure. */
export const unitShare = (u: UnitStats, measure: Measure): number => (measure === 'area' ? u.covered_share_by_area : u.covered_share_by_population);
const sortValue: Record<SortKey, (u: UnitStats, m: Measure) => number | string> = {
  name: (u) => u.code,
  covered: (u, m) => unitShare(u, m),
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

  private last: { units: UnitStats[]; level: 'street' | 'community'; selected?: string; measure: Measure; types: readonly StationType[] } | undefined;

  render(units: UnitStats[], level: 'street' | 'community', selected: string | undefined, measure: Measure, types: readonly StationType[]): void {
    this.last = { units, level, selected, measure, types };
    const rows = units.filter((u) => u.level === level);
    const { key, dir } = this.sort;
    // Several types: which of them leave someone uncovered in the unit.
    const several = (units[0] && Object.keys(units[0].by_type).length > 1) ?? false;
    rows.sort((a, b) => {
      const va = sortValue[key](a, measure);
      const vb = sortValue[key](b, measure);
      return (va < vb ? -1 : va > vb ? 1 : 0) * dir || a.code.localeCompare(b.code);
    });
    const th = (k: SortKey, label: MessageKey, cls = '') =>
      h(
        'th',
        { class: `sortable ${cls}`, 'aria-sort': key === k ? (dir === 1 ? 'ascending' : 'descending') : 'none', scope: 'col' },
        h(
          'button',
          { type: 'button', 'data-sort': k, onclick: () => this.setSort(k) },
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
          h(
            'tr',
            {},
            th('name', 'col.name'),
            th('covered', measure === 'area' ? 'col.coveredArea' : 'col.coveredPop', 'num'),
            th('uncovered', 'col.uncovered', 'num'),
            th('gap', 'col.gapArea', 'num'),
            several ? h('th', { scope: 'col', class: 'missing' }, t('col.missing')) : null,
          ),
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
                { class: 'num', 'data-share': unitShare(u, measure) },
                h('span', { class: 'bar' }, h('span', { style: `width:${(unitShare(u, measure) * 100).toFixed(1)}%` })),
                fmtPct(unitShare(u, measure)),
              ),
              h('td', { class: `num ${u.uncovered_population > 0 ? 'alert' : ''}` }, fmtInt(u.uncovered_population)),
              h('td', { class: 'num' }, u.gap_area_m2 > 0 ? fmtArea(u.gap_area_m2) : '—'),
              several ? h('td', { class: 'missing' }, u.missing_types.length ? typeDots(types, u.missing_types) : '—') : null,
            ),
          ),
        ),
      ),
    );
  }

  private setSort(k: SortKey) {
    this.sort = this.sort.key === k ? { key: k, dir: this.sort.dir === 1 ? -1 : 1 } : { key: k, dir: k === 'name' ? 1 : -1 };
    const l = this.last;
    if (l) this.render(l.units, l.level, l.selected, l.measure, l.types);
  }
}

/** Gaps ranked by uncovered population, each with its grid leader. */
export function renderGapList(
  el: HTMLElement,
  gaps: GapCollection | null,
  onPick: (g: GapCollection['features'][number]) => void,
  types: readonly StationType[],
  max = 30,
): void {
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
        p.missing_types.length
          ? h(
              'div',
              { class: 'gap-missing', 'data-missing': p.missing_types.join(',') },
              `${t('missing.label')}${pick('：', ': ')}${p.missing_types.map((c) => typeName(types, c)).join(pick('、', ', '))}`,
            )
          : null,
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
export function renderLegend(
  el: HTMLElement,
  types: StationType[],
  selected: Set<string>,
  level: 'community' | 'grid',
  measure: Measure,
  open: boolean,
  onToggle: (open: boolean) => void,
): void {
  const sw = (style: string) => h('span', { class: 'swatch', style });
  el.dataset.level = level;
  el.dataset.measure = measure;
  const title =
    level === 'community'
      ? t(measure === 'area' ? 'legend.titleCommunity' : 'legend.titleCommunityPop')
      : t(measure === 'area' ? 'legend.title' : 'legend.titlePop');
  const details = h(
    'details',
    { open, ontoggle: (e: Event) => onToggle((e.currentTarget as HTMLDetailsElement).open) },
    h('summary', { class: 'legend-title' }, title),
    ...legendBody(types, selected, level, sw),
  );
  el.replaceChildren(details);
}

function legendBody(types: StationType[], selected: Set<string>, level: 'community' | 'grid', sw: (style: string) => HTMLElement): (HTMLElement | null)[] {
  return [
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
  ];
}

export function renderLayerSwitcher(el: HTMLElement, visible: Record<LayerGroup, boolean>, onToggle: (g: LayerGroup, v: boolean) => void, open = true): void {
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
      { open },
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

/**
 * The 覆盖口径 panel: per chosen type the standard in use (straight radius, or a walk along the
 * streets with its minutes, speed, distance and buffer), how the types combine, the time of day
 * and how population is placed — from the answer's `meta`, so it says what was computed.
 */
export function renderBasis(el: HTMLElement, meta: CoverageStats['meta'] | undefined, types: readonly StationType[]): void {
  if (!meta) {
    el.replaceChildren(h('p', { class: 'muted loading' }, t('status.loading')));
    return;
  }
  const row = (label: string, value: string | HTMLElement, attrs: Record<string, string> = {}) =>
    h('div', { class: 'basis-row', ...attrs }, h('span', { class: 'basis-label' }, label), h('span', { class: 'basis-value' }, value));
  el.replaceChildren(
    ...meta.standards.map((s) =>
      row(
        typeName(types, s.type),
        s.mode === 'radius'
          ? t('basis.radius', { m: fmtInt(s.radius_m ?? 0) })
          : t('basis.walk', { min: s.minutes ?? 0, speed: s.walk_speed_kmh ?? 0, m: fmtInt(s.limit_m ?? 0), buffer: s.buffer_m ?? 0 }),
        { 'data-type': s.type, 'data-mode': s.mode },
      ),
    ),
    row(t('basis.combine'), meta.types.length > 1 ? `${t(meta.combine === 'all' ? 'combine.all' : 'combine.any')}` : t('basis.single'), {
      'data-combine': meta.combine,
    }),
    row(t('basis.time'), meta.open_at ? meta.open_at.slice(11, 16) : t('basis.anyTime')),
    h('p', { class: 'hint basis-note' }, t('basis.population')),
  );
}
