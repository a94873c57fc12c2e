import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import type { CoverageResult, GridResult } from './service.js';
import { coverageCsv, coverageMeta, gapPolygons, gridsIn, rankedGaps, unitsDownTo, unitStats } from './present.js';
import { CoverageMeta, GapPolygons, RankedGaps, UnitStats } from '../schemas/coverage.js';
import { Type } from 'typebox';

const square = (x: number, y: number, d = 0.01) => [
  [
    [x, y],
    [x + d, y],
    [x + d, y + d],
    [x, y + d],
    [x, y],
  ],
];

function row(id: number, x: number, o: { uncovered: number; area?: number; covered?: number; gaps?: number[][][][] }): GridResult {
  const area = o.area ?? 1000;
  const covered = o.covered ?? area / 2;
  return {
    id,
    areaM2: area,
    coveredM2: covered,
    coveredShare: covered / area,
    population: 100,
    coveredPopulation: 100 - o.uncovered,
    uncoveredPopulation: o.uncovered,
    gaps: o.gaps ?? [square(x, 0, 0.001)],
    grid: {
      id,
      code: `G${id}`,
      name: `网格${id}`,
      community_code: `C${id % 2}`,
      community_name: `社区${id % 2}`,
      street_code: 'S1',
      street_name: '街道',
      district_code: 'D1',
      district_name: '区',
      leader_name: null,
      leader_phone: null,
      population: 100,
      households: 40,
      version: 1,
      polygon: { type: 'Polygon', coordinates: square(x, 0) },
    },
  };
}

const unit = (level: string, code: string) => ({
  level,
  code,
  grids: 1,
  areaM2: 1000.123,
  coveredM2: 500,
  coveredShareByArea: 0.123456,
  population: 10,
  coveredPopulation: 5,
  uncoveredPopulation: 5.555,
  coveredShareByPopulation: 0.5,
  gapAreaM2: 500.123,
});

const names = new Map([['a', { zh: '甲', en: 'A' }]]);

function result(grids: GridResult[]): CoverageResult {
  const units = [unit('community', 'C1'), unit('street', 'S1'), unit('city', 'city'), unit('community', 'C0'), unit('district', 'D1')];
  return {
    key: 'k',
    types: ['a'],
    combine: 'any',
    byType: [{ type: 'a', grids: new Map(grids.map((g) => [g.id, g])), units }],
    standards: [{ type: 'a', mode: 'radius', radiusM: 1000, minutes: 15, walkSpeedKmh: 4.8, limitM: 1200, bufferM: 50 }],
    grids,
    units,
    stationsUsed: 3,
    stationsUnsnapped: [],
    recomputedGrids: 2,
    computeMs: 12.3456,
  };
}

describe('coverage presenters', () => {
  const rows = [row(1, 0, { uncovered: 5 }), row(2, 1, { uncovered: 50 }), row(3, 2, { uncovered: 0 }), row(4, 3, { uncovered: 20, gaps: [] })];
  const res = result(rows);

  it('lists the grids whose box meets the bbox, all without one', () => {
    expect(gridsIn(rows, undefined)).toBe(rows);
    expect(gridsIn(rows, [0.995, -1, 1.5, 1]).map((r) => r.id)).toEqual([2]);
    expect(gridsIn(rows, [0.005, 0.005, 1.005, 0.006]).map((r) => r.id)).toEqual([1, 2]);
    expect(gridsIn(rows, [10, 10, 11, 11])).toEqual([]);
  });

  it('rolls up city first, then districts, streets, communities by code, names from the grids, rounded', () => {
    const units = unitStats(res);
    expect(units.map((u) => `${u.level}:${u.code}:${u.name}`)).toEqual([
      'city:city:全市 / city',
      'district:D1:区',
      'street:S1:街道',
      'community:C0:社区0',
      'community:C1:社区1',
    ]);
    expect(units[0]).toMatchObject({ area_m2: 1000.12, covered_share_by_area: 0.1235, uncovered_population: 5.56, gap_area_m2: 500.12 });
    for (const u of units) expect(Value.Check(UnitStats, u)).toBe(true);
    expect(unitsDownTo(units, 'street').map((u) => u.level)).toEqual(['city', 'district', 'street']);
  });

  it('ranks gaps city-wide by uncovered people; a bbox keeps the ranks; grids without gaps or people are left out', () => {
    const meta = coverageMeta({ types: ['a'] }, res, names);
    expect(Value.Check(CoverageMeta, meta)).toBe(true);
    expect(meta).toMatchObject({ mode: 'standard', open_at: null, compute_ms: 12.35 });
    const all = rankedGaps(res, meta, undefined, 100, names);
    expect(Value.Check(RankedGaps, all)).toBe(true);
    expect(all.features.map((f) => [f.properties.grid_id, f.properties.rank])).toEqual([
      [2, 1],
      [1, 2],
    ]);
    const inView = rankedGaps(res, meta, [-0.0005, -0.0005, 0.0005, 0.0005], 100, names);
    expect(inView.features.map((f) => [f.properties.grid_id, f.properties.rank])).toEqual([[1, 2]]);
    expect(rankedGaps(res, meta, undefined, 1, names).features).toHaveLength(1);
  });

  it('gap polygons: one MultiPolygon per grid with gaps', () => {
    const g = gapPolygons(rows);
    expect(Value.Check(GapPolygons, g)).toBe(true);
    expect(g.features.map((f) => f.properties.grid_id)).toEqual([1, 2, 3]);
  });

  it('CSV rows: one per listed grid, or the units of one level', () => {
    const grid = coverageCsv(res, rows.slice(0, 2), 'grid', names);
    expect(grid.rows.map((r) => r[0])).toEqual(['G1', 'G2']);
    expect(grid.rows.every((r) => r.length === grid.headers.length)).toBe(true);
    const communities = coverageCsv(res, rows, 'community', names);
    expect(communities.rows.map((r) => r[1])).toEqual(['C0', 'C1']);
    expect(Value.Check(Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()]))), communities.rows)).toBe(true);
  });
});
