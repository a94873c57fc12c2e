/**
 * Coverage answers as the API sends them (server/schemas/coverage.ts): per-grid and roll-up
 * figures rounded for people, the map's shares, gap polygons, the city-wide gap ranking, CSV
 * rows, and the bbox filter of the map view. Pure, apart from grid boxes kept per snapshot grid.
 */
import type { Static } from 'typebox';
import { derived } from '../city/snapshot.js';
import type { Bbox } from '../schemas/common.js';
import type { CoverageMeta, GapPolygons, GridShare, GridStats, RankedGaps, TypeStandardInUse, UnitStats } from '../schemas/coverage.js';
import type { CoverageQuery, CoverageResult, GridResult } from './service.js';
import { missingTypes } from './combine.js';
import type { GapInput } from '../export/layers.js';
import { bboxOfLines } from '../geo/bbox.js';

type Box = [number, number, number, number];

const r2 = (n: number) => Math.round(n * 100) / 100;
const r4 = (n: number) => Math.round(n * 10000) / 10000;

const meets = (a: Box, b: Bbox) => a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];

/**
 * The grids whose bounding box meets `bbox` (all when none) — the same test as `&&` in
 * GET /api/grids?bbox=, so the map gets shares for exactly the grids it loaded. A grid's box is
 * kept with the grid (a part of the city snapshot, never mutated) for as long as it lives.
 */
export function gridsIn<T extends { grid: { polygon: { coordinates: number[][][] } } }>(rows: T[], bbox: Bbox | undefined): T[] {
  if (!bbox) return rows;
  return rows.filter((r) =>
    meets(
      derived(r.grid, 'bbox', () => bboxOfLines(r.grid.polygon.coordinates)),
      bbox,
    ),
  );
}

/** Station type names (zh, en) by code, for answers people read. */
export type TypeNames = ReadonlyMap<string, { zh: string; en: string }>;

/** Type names joined for a table cell, in Chinese (e.g. "爱心驿站、老年食堂"); '' for none. */
export const namesZh = (codes: readonly string[], names: TypeNames) => codes.map((c) => names.get(c)?.zh ?? c).join('、');

export function coverageMeta(q: CoverageQuery, res: CoverageResult, names: TypeNames): Static<typeof CoverageMeta> {
  return {
    types: res.types,
    combine: res.combine,
    standards: res.standards.map(
      (s): Static<typeof TypeStandardInUse> => ({
        type: s.type,
        name_zh: names.get(s.type)?.zh ?? s.type,
        name_en: names.get(s.type)?.en ?? s.type,
        mode: s.mode,
        radius_m: s.mode === 'radius' ? s.radiusM : null,
        minutes: s.mode === 'walk' ? s.minutes : null,
        walk_speed_kmh: s.mode === 'walk' ? s.walkSpeedKmh : null,
        limit_m: s.mode === 'walk' ? s.limitM : null,
        buffer_m: s.mode === 'walk' ? s.bufferM : null,
      }),
    ),
    population_source: 'even',
    mode: q.mode ?? 'standard',
    open_at: q.openAt?.toISOString() ?? null,
    stations_used: res.stationsUsed,
    stations_unsnapped: res.stationsUnsnapped,
    recomputed_grids: res.recomputedGrids,
    compute_ms: r2(res.computeMs),
  };
}

/** Each chosen type's covered share of one grid (by area), and the types that leave part of it uncovered. */
export function typeFigures(res: CoverageResult, id: number): { by_type: Record<string, number>; missing_types: string[] } {
  const per = res.byType.map((t) => t.grids.get(id));
  const by_type: Record<string, number> = {};
  res.byType.forEach((t, i) => (by_type[t.type] = r4(per[i]?.coveredShare ?? 0)));
  return { by_type, missing_types: missingTypes(res.types, per) };
}

export function gridStats(r: GridResult, res: CoverageResult): Static<typeof GridStats> {
  const g = r.grid;
  return {
    id: g.id,
    code: g.code,
    name: g.name,
    community_code: g.community_code,
    community_name: g.community_name,
    street_code: g.street_code,
    street_name: g.street_name,
    district_code: g.district_code,
    leader_name: g.leader_name,
    leader_phone: g.leader_phone,
    area_m2: r2(r.areaM2),
    covered_m2: r2(r.coveredM2),
    gap_area_m2: r2(r.areaM2 - r.coveredM2),
    covered_share: r4(r.coveredShare),
    population: r.population,
    covered_population: r2(r.coveredPopulation),
    uncovered_population: r2(r.uncoveredPopulation),
    ...typeFigures(res, r.id),
  };
}

export const gridShare = (r: GridResult, res: CoverageResult): Static<typeof GridShare> => ({
  id: r.id,
  covered_share: r4(r.coveredShare),
  covered_share_by_population: r.population > 0 ? r4(r.coveredPopulation / r.population) : null,
  uncovered_population: r2(r.uncoveredPopulation),
  ...typeFigures(res, r.id),
});

type Level = Static<typeof UnitStats>['level'];
const DEPTH: Record<Level, number> = { city: 0, district: 1, street: 2, community: 3 };

/** The roll-ups, city first, then districts, streets, communities, each level by code. */
export function unitStats(res: CoverageResult): Static<typeof UnitStats>[] {
  const names = new Map<string, string>();
  for (const { grid: g } of res.grids) {
    names.set(`community:${g.community_code}`, g.community_name);
    names.set(`street:${g.street_code}`, g.street_name);
    names.set(`district:${g.district_code}`, g.district_name);
  }
  names.set('city:city', '全市 / city');
  // Each type's own roll-up of the same unit, by unit key.
  const perType = res.byType.map((t) => new Map(t.units.map((u) => [`${u.level}:${u.code}`, u])));
  return res.units
    .map((u) => {
      const k = `${u.level}:${u.code}`;
      const own = perType.map((m) => m.get(k));
      const by_type: Static<typeof UnitStats>['by_type'] = {};
      res.byType.forEach((t, i) => {
        const x = own[i];
        by_type[t.type] = {
          by_population: r4(x?.coveredShareByPopulation ?? 0),
          by_area: r4(x?.coveredShareByArea ?? 0),
          uncovered_population: r2(x?.uncoveredPopulation ?? 0),
        };
      });
      // Types that leave someone (or some area) in the unit uncovered, most uncovered people first.
      const missing = res.types
        .map((t, i) => ({ t, x: own[i] }))
        .filter(({ x }) => !x || x.gapAreaM2 >= 1 || x.uncoveredPopulation >= 0.5)
        .sort((a, b) => (b.x?.uncoveredPopulation ?? 0) - (a.x?.uncoveredPopulation ?? 0))
        .map(({ t }) => t);
      return {
        level: u.level as Level, // the roll-up's levels are these four
        code: u.code,
        name: names.get(`${u.level}:${u.code}`) ?? u.code,
        grids: u.grids,
        area_m2: r2(u.areaM2),
        gap_area_m2: r2(u.gapAreaM2),
        covered_share_by_area: r4(u.coveredShareByArea),
        population: u.population,
        uncovered_population: r2(u.uncoveredPopulation),
        covered_share_by_population: r4(u.coveredShareByPopulation),
        by_type,
        missing_types: missing,
      };
    })
    .sort((a, b) => DEPTH[a.level] - DEPTH[b.level] || a.code.localeCompare(b.code));
}

/** The roll-ups down to `level` (district: the city and its districts; …). */
export const unitsDownTo = (units: Static<typeof UnitStats>[], level: Exclude<Level, 'city'>) => units.filter((u) => DEPTH[u.level] <= DEPTH[level]);

/** Each listed grid's uncovered parts as one MultiPolygon feature. */
export function gapPolygons(rows: GridResult[]): Static<typeof GapPolygons> {
  return {
    type: 'FeatureCollection',
    features: rows
      .filter((r) => r.gaps.length)
      .map((r) => ({ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: r.gaps }, properties: { grid_id: r.id, grid_code: r.grid.code } })),
  };
}

/**
 * One feature per grid with a gap and uncovered people (its gap parts as a MultiPolygon): the
 * grid is the unit a leader answers for. Ranked city-wide by uncovered people, then gap area, so
 * a rank means the same in every view; then only the gaps with a part meeting `bbox`, `limit` of them.
 */
export function rankedGaps(
  res: CoverageResult,
  meta: Static<typeof CoverageMeta>,
  bbox: Bbox | undefined,
  limit: number,
  names: TypeNames,
): Static<typeof RankedGaps> {
  const ranked = res.grids
    .filter((r) => r.gaps.length > 0 && r.uncoveredPopulation > 0)
    .sort((a, b) => b.uncoveredPopulation - a.uncoveredPopulation || b.areaM2 - b.coveredM2 - (a.areaM2 - a.coveredM2))
    .map((r, i) => ({ r, rank: i + 1 }))
    .filter(({ r }) => !bbox || r.gaps.some((part) => meets(bboxOfLines(part), bbox)))
    .slice(0, limit);
  return {
    type: 'FeatureCollection',
    meta,
    features: ranked
      .map(({ r, rank }) => ({ r, rank, missing: typeFigures(res, r.id).missing_types }))
      .map(({ r, rank, missing }) => ({
        type: 'Feature',
        geometry: { type: 'MultiPolygon', coordinates: r.gaps },
        properties: {
          rank,
          gap_area_m2: r2(r.areaM2 - r.coveredM2),
          uncovered_population: r2(r.uncoveredPopulation),
          grid_id: r.id,
          grid_code: r.grid.code,
          grid_name: r.grid.name,
          community_code: r.grid.community_code,
          community_name: r.grid.community_name,
          street_code: r.grid.street_code,
          street_name: r.grid.street_name,
          district_name: r.grid.district_name,
          leader_name: r.grid.leader_name,
          leader_phone: r.grid.leader_phone,
          missing_types: missing,
          missing_types_zh: namesZh(missing, names),
        },
      })),
  };
}

/** CSV headers and rows: one row per listed grid (`grid`), or per unit of one level. */
export function coverageCsv(
  res: CoverageResult,
  grids: GridResult[],
  level: 'grid' | Exclude<Level, 'city'>,
  names: TypeNames,
): { headers: string[]; rows: (string | number | null)[][] } {
  const basis = combineLabel(res, names);
  const typeCols = res.types.map((t) => `${names.get(t)?.zh ?? t}覆盖率 ${t} share`);
  if (level === 'grid') {
    return {
      headers: [
        '网格编码 grid code',
        '网格 grid',
        '社区 community',
        '街道 street',
        '网格长 leader',
        '电话 phone',
        '面积 area m²',
        '缺口面积 gap m²',
        '覆盖率(面积) covered share by area',
        '人口 population',
        '未覆盖人口 uncovered population',
        '缺少类型 missing types',
        ...typeCols,
        '口径 basis',
      ],
      rows: grids.map((r) => {
        const s = gridStats(r, res);
        return [
          s.code,
          s.name,
          s.community_name,
          s.street_name,
          s.leader_name,
          s.leader_phone,
          s.area_m2,
          s.gap_area_m2,
          s.covered_share,
          s.population,
          s.uncovered_population,
          namesZh(s.missing_types, names),
          ...res.types.map((t) => s.by_type[t] ?? null),
          basis,
        ];
      }),
    };
  }
  return {
    headers: [
      '层级 level',
      '编码 code',
      '名称 name',
      '网格数 grids',
      '面积 area m²',
      '缺口面积 gap m²',
      '覆盖率(面积) by area',
      '人口 population',
      '未覆盖人口 uncovered',
      '覆盖率(人口) by population',
      '缺少类型 missing types',
      ...res.types.map((t) => `${names.get(t)?.zh ?? t}覆盖率(人口) ${t} by population`),
      '口径 basis',
    ],
    rows: unitStats(res)
      .filter((u) => u.level === level)
      .map((u) => [
        u.level,
        u.code,
        u.name,
        u.grids,
        u.area_m2,
        u.gap_area_m2,
        u.covered_share_by_area,
        u.population,
        u.uncovered_population,
        u.covered_share_by_population,
        namesZh(u.missing_types, names),
        ...res.types.map((t) => u.by_type[t]?.by_population ?? null),
        basis,
      ]),
  };
}

/**
 * What a figure means, for exports: the types and how they combine, e.g.
 * "全部齐全（党群服务中心、爱心驿站）/ all of: party_service_center, courier_station".
 */
export function combineLabel(res: CoverageResult, names: TypeNames): string {
  const zh = namesZh(res.types, names);
  if (res.types.length === 1) return `${zh} / ${res.types[0]}`;
  return res.combine === 'all' ? `全部齐全（${zh}）/ all of: ${res.types.join(', ')}` : `任一类型（${zh}）/ any of: ${res.types.join(', ')}`;
}

/** The gaps of the grids in one street or community (or all) as the export layer takes them. */
export function gapExportRows(res: CoverageResult, where: { street?: string; community?: string }, names: TypeNames): GapInput[] {
  return res.grids
    .filter((r) => (!where.street || r.grid.street_code === where.street) && (!where.community || r.grid.community_code === where.community))
    .map((r) => ({
      gridCode: r.grid.code,
      gridName: r.grid.name,
      communityName: r.grid.community_name,
      streetName: r.grid.street_name,
      leaderName: r.grid.leader_name,
      leaderPhone: r.grid.leader_phone,
      gapAreaM2: r.areaM2 - r.coveredM2,
      uncoveredPopulation: r.uncoveredPopulation,
      missingTypes: namesZh(typeFigures(res, r.id).missing_types, names),
      parts: r.gaps,
    }));
}
