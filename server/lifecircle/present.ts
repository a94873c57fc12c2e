/**
 * The life-circle answer: grid tallies rolled up to the requested unit (grid, community, street,
 * district) and the city, as JSON rows, CSV rows and workbook sheets with the same figures. Pure.
 */
import type { SheetSpec } from '../export/xlsx.js';
import type { LifecircleResult } from './service.js';

export type LifecircleUnit = 'grid' | 'community' | 'street' | 'district';

export interface MostMissing {
  id: string;
  name_zh: string;
  name_en: string;
  share: number;
}

export interface LifecircleRow {
  unit: LifecircleUnit | 'city';
  code: string;
  name: string;
  /** The grid's id (grid rows only). */
  id?: number;
  grids: number;
  population: number;
  complete_population: number;
  /** Residents with every category of the level within its limit, 0..1; null without residents. */
  complete_share: number | null;
  /** Per category of the level: share of residents reaching it within its limit. */
  categories: Record<string, number | null>;
  /** Per category of the level, per level of the pack (minutes): share reaching it within those minutes at its speed. */
  within: Record<string, Record<string, number | null>>;
  most_missing: MostMissing | null;
}

const share = (part: number, whole: number) => (whole > 0 ? Math.min(1, part / whole) : null);

/** The categories a level asks for, as indices into the result's categories. */
export function levelCategories(res: LifecircleResult): number[] {
  return res.categories.flatMap((c, i) => (c.level <= res.level ? [i] : []));
}

function unitKey(res: LifecircleResult, gi: number, unit: LifecircleUnit | 'city'): { code: string; name: string } {
  const g = res.grids[gi]!;
  switch (unit) {
    case 'grid':
      return { code: g.code, name: g.name };
    case 'community':
      return { code: g.community_code, name: g.community_name };
    case 'street':
      return { code: g.street_code, name: g.street_name };
    case 'district':
      return { code: g.district_code, name: g.district_name };
    case 'city':
      return { code: 'city', name: '全市' };
  }
}

/**
 * Rows of one unit level (in grid order of first appearance), each with its shares.
 * @example lifecircleRows(res, 'street')[0] // { unit: 'street', code, population, complete_share, categories: { kindergarten: 0.93, … }, … }
 */
export function lifecircleRows(res: LifecircleResult, unit: LifecircleUnit | 'city'): LifecircleRow[] {
  const t = res.tallies;
  const cats = levelCategories(res);
  const li = t.levels.indexOf(res.level);
  interface Acc {
    row: LifecircleRow;
    met: number[];
    within: number[][];
  }
  const acc = new Map<string, Acc>();
  for (let gi = 0; gi < res.grids.length; gi++) {
    const { code, name } = unitKey(res, gi, unit);
    let a = acc.get(code);
    if (!a) {
      const row: LifecircleRow = {
        unit,
        code,
        name,
        grids: 0,
        population: 0,
        complete_population: 0,
        complete_share: null,
        categories: {},
        within: {},
        most_missing: null,
      };
      if (unit === 'grid') row.id = res.grids[gi]!.id;
      a = { row, met: cats.map(() => 0), within: cats.map(() => t.levels.map(() => 0)) };
      acc.set(code, a);
    }
    a.row.grids += 1;
    a.row.population += t.population[gi]!;
    a.row.complete_population += t.complete[li]![gi]!;
    cats.forEach((c, k) => {
      a.met[k]! += t.met[c]![gi]!;
      t.levels.forEach((_, l) => {
        a.within[k]![l]! += t.within[c]![l]![gi]!;
      });
    });
  }
  return [...acc.values()].map(({ row, met, within }) => {
    row.complete_share = share(row.complete_population, row.population);
    let worst: MostMissing | null = null;
    cats.forEach((c, k) => {
      const cat = res.categories[c]!;
      const s = share(met[k]!, row.population);
      row.categories[cat.id] = s;
      row.within[cat.id] = Object.fromEntries(t.levels.map((m, l) => [String(m), share(within[k]![l]!, row.population)]));
      if (s !== null && s < 1 && (!worst || s < worst.share)) worst = { id: cat.id, name_zh: cat.name_zh, name_en: cat.name_en, share: s };
    });
    row.most_missing = worst;
    // Figures as people count them: whole residents are not promised, but no 15-digit noise either.
    row.population = round(row.population);
    row.complete_population = round(row.complete_population);
    return row;
  });
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The answer's head: what was assessed, with which rules, on which residents. */
export function lifecircleMeta(res: LifecircleResult, unit: LifecircleUnit) {
  const level = res.pack.levels.find((l) => l.minutes === res.level)!;
  return {
    pack: res.pack.id,
    version: res.pack.version,
    pack_name_zh: res.pack.name_zh,
    pack_name_en: res.pack.name_en,
    level: res.level,
    level_name_zh: level.name_zh,
    level_name_en: level.name_en,
    levels: res.tallies.levels,
    unit,
    population_source: res.populationSource,
    profile: res.profileOverride,
    points: res.points,
    unplaced_points: res.unplaced,
    categories: res.categories.map((c) => ({
      id: c.id,
      name_zh: c.name_zh,
      name_en: c.name_en,
      level: c.level,
      in_level: c.level <= res.level,
      station_types: c.station_types,
      limit_m: round(c.limitM),
      ...('minutes' in c.limit ? { limit_minutes: c.limit.minutes } : {}),
      profile: c.profile,
      speed_kmh: c.speedKmh,
      stations: c.stations,
      source: c.source,
      clause: c.clause,
    })),
  };
}

/** CSV headers and rows (zh + en headers, shares as fractions). */
export function lifecircleCsv(res: LifecircleResult, rows: LifecircleRow[]): { headers: string[]; rows: (string | number | null)[][] } {
  const cats = levelCategories(res).map((i) => res.categories[i]!);
  return {
    headers: [
      '层级 unit',
      '编码 code',
      '名称 name',
      '人口 population',
      '生活圈齐全人口 complete population',
      '齐全率 complete share',
      ...cats.map((c) => `${c.name_zh} ${c.id}`),
      '最缺类别 most missing',
      '规则包 pack',
      '人口来源 population source',
    ],
    rows: rows.map((r) => [
      r.unit,
      r.code,
      r.name,
      r.population,
      r.complete_population,
      r.complete_share,
      ...cats.map((c) => r.categories[c.id] ?? null),
      r.most_missing ? `${r.most_missing.name_zh} ${r.most_missing.id}` : null,
      `${res.pack.id}@${res.pack.version} ${res.level}min`,
      res.populationSource,
    ]),
  };
}

const SHEET = { district: '区', street: '街道', community: '社区', grid: '网格' } as const;

/** The workbook: one sheet per unit level (区 / 街道 / 社区 / 网格), the same figures as the CSV. */
export function lifecircleSheets(res: LifecircleResult): SheetSpec[] {
  const cats = levelCategories(res).map((i) => res.categories[i]!);
  const title = `${res.pack.name_zh} ${res.pack.version} · ${res.level} 分钟 · 人口来源 ${res.populationSource === 'even' ? '网格均匀分布 even' : '建筑 buildings'}`;
  return (['district', 'street', 'community', 'grid'] as const).map((unit) => ({
    name: SHEET[unit],
    title,
    columns: [
      { header: '编码', key: 'code', width: 16 },
      { header: '名称', key: 'name', width: 20 },
      { header: '人口', key: 'population', numFmt: '#,##0' },
      { header: '生活圈齐全人口', key: 'complete_population', numFmt: '#,##0' },
      { header: '齐全率', key: 'complete_share', numFmt: '0.0%' },
      ...cats.map((c) => ({ header: c.name_zh, key: `c_${c.id}`, numFmt: '0.0%' })),
      { header: '最缺类别', key: 'most_missing', width: 18 },
    ],
    rows: lifecircleRows(res, unit).map((r) => ({
      code: r.code,
      name: r.name,
      population: r.population,
      complete_population: r.complete_population,
      complete_share: r.complete_share,
      ...Object.fromEntries(cats.map((c) => [`c_${c.id}`, r.categories[c.id] ?? null])),
      most_missing: r.most_missing?.name_zh ?? null,
    })),
  }));
}
