import { describe, expect, it } from 'vitest';
import type { UnitStats } from '../../web/src/api/client.js';
import { type GridFeature, MAX_HITS, type Match, matchSearch, type Searchable, type StationFeature, withApiGrids } from '../../web/src/planner/search-match.js';

const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ],
  ],
};
const unit = (level: UnitStats['level'], code: string, name: string) => ({ level, code, name }) as UnitStats;
const grid = (id: number, code: string, name: string) =>
  ({ type: 'Feature', geometry: square, properties: { id, code, name, community_name: '桃源社区' } }) as unknown as GridFeature;
const station = (code: string, name: string, type: string) =>
  ({ type: 'Feature', geometry: { type: 'Point', coordinates: [121.6, 38.9] }, properties: { code, name, type } }) as unknown as StationFeature;

const data: Searchable = {
  units: [
    unit('city', '210200', '大连市'),
    unit('street', '210202001000', '桃源街道'),
    unit('community', '210202001001', '桃源社区'),
    unit('district', '210202', '中山区'),
  ],
  grids: [grid(1, '210202001001001', '桃源社区第1网格'), grid(1, '210202001001001', '桃源社区第1网格'), grid(2, '210202001001002', 'Peach Garden 2')],
  stations: [station('ST-01', '桃源卫生站', 'health'), station('ST-02', '桃源养老站', 'elderly')],
  selectedTypes: new Set(['health']),
};
const summary = (ms: Match[]) =>
  ms.map((m) =>
    m.kind === 'unit'
      ? `${m.unit.level}:${m.unit.code}`
      : m.kind === 'grid'
        ? `grid:${m.grid.properties.code}`
        : m.kind === 'station'
          ? `station:${m.station.properties.code}`
          : `code:${m.code}`,
  );

describe('planner search matching', () => {
  it('finds streets and communities, then grids (once each), then stations of the selected types', () => {
    expect(summary(matchSearch(' 桃源 ', data))).toEqual(['street:210202001000', 'community:210202001001', 'grid:210202001001001', 'station:ST-01']);
    expect(matchSearch('   ', data)).toEqual([]);
  });

  it('matches names anywhere (case-insensitive) and codes by their start', () => {
    expect(summary(matchSearch('PEACH', data))).toEqual(['grid:210202001001002']);
    expect(summary(matchSearch('st-0', data))).toEqual(['station:ST-01']);
    expect(summary(matchSearch('2102020010', data))).toEqual(['street:210202001000', 'community:210202001001', 'grid:210202001001001', 'grid:210202001001002']);
    expect(matchSearch('001001', data)).toEqual([]); // not the start of a code
  });

  it('offers a full grid code outside the loaded grids as such', () => {
    expect(summary(matchSearch('210202009009009', data))).toEqual(['code:210202009009009']);
    expect(summary(matchSearch('210202001001002', data))).toEqual(['grid:210202001001002']);
  });

  it('keeps at most MAX_HITS', () => {
    const many = { ...data, grids: Array.from({ length: 30 }, (_, i) => grid(i, `21020200100${String(i).padStart(4, '0')}`, `网格${i}`)) };
    expect(matchSearch('网格', many)).toHaveLength(MAX_HITS);
  });
});

describe('planner search: grids found by the API', () => {
  it('go after streets and communities and before stations, without repeating loaded grids', () => {
    const local = matchSearch('桃源', data);
    const merged = withApiGrids(local, [grid(1, '210202001001001', '桃源社区第1网格'), grid(9, '210203001001009', '桃源东网格')], '桃源');
    expect(summary(merged)).toEqual(['street:210202001000', 'community:210202001001', 'grid:210202001001001', 'grid:210203001001009', 'station:ST-01']);
  });

  it('replace the 15-digit fallback', () => {
    const local = matchSearch('210203001001009', data);
    expect(summary(withApiGrids(local, [grid(9, '210203001001009', '桃源东网格')], '210203001001009'))).toEqual(['grid:210203001001009']);
    expect(withApiGrids(local, [], '210203001001009')).toEqual([]);
  });
});
