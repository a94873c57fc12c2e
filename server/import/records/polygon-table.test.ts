import { describe, expect, it } from 'vitest';
import type { RawTable } from '../formats/table.js';
import { parseGeoJsonImport } from './parse.js';
import { tableToPolygons } from './polygon-table.js';

const table = (...rows: (string | number | null)[][]): RawTable => ({ rows: rows.map((cells, i) => ({ row: i + 1, cells })) });
const SQUARE = 'POLYGON((121.6 38.9, 121.61 38.9, 121.61 38.91, 121.6 38.91, 121.6 38.9))';

describe('grid and boundary tables', () => {
  it('finds the header under a title row, ignores bracketed units, maps Chinese headers and takes the community from the grid code', () => {
    const t = tableToPolygons(
      table(
        ['某某街道网格清单', null, null, null, null, null, null],
        ['网格编码', '网格名称', '网格长', '联系电话', '人口（人）', '户数(户)', '边界(WKT)'],
        ['210299001001001', '第一网格', '张三', 13800000001, 1200, 400, SQUARE],
      ),
      'grids',
    );
    expect(t.problems).toEqual([]);
    expect(t.headerRow).toBe(2);
    expect(t.rows).toEqual([3]);
    expect(t.communityFromCode).toBe(true);
    expect(t.columns.map((c) => c.field)).toEqual(['code', 'name', 'leaderName', 'leaderPhone', 'population', 'households', 'geometry']);
    const parsed = parseGeoJsonImport(t.collection, 'grids', 'wgs84');
    expect(parsed.ok && parsed.records[0]).toMatchObject({
      code: '210299001001001',
      communityCode: '210299001001',
      leaderPhone: '13800000001',
      population: 1200,
      households: 400,
      geometry: { type: 'Polygon' },
    });
  });

  it('reads 所属街道 as the parent of a community and GeoJSON text as geometry', () => {
    const g = JSON.stringify({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [121.6, 38.9],
            [121.61, 38.9],
            [121.61, 38.91],
            [121.6, 38.9],
          ],
        ],
      ],
    });
    const t = tableToPolygons(table(['编码', '名称', '所属街道', 'geometry'], ['210299001001', '社区', '210299001000', g]), 'communities');
    const parsed = parseGeoJsonImport(t.collection, 'communities', 'wgs84');
    expect(parsed.ok && parsed.records[0]).toMatchObject({ code: '210299001001', parentCode: '210299001000', geometry: { type: 'MultiPolygon' } });
  });

  it('names missing columns on the header row, and unreadable geometry on its own row', () => {
    const noGeom = tableToPolygons(table(['编码', '名称'], ['210299000000', '区']), 'districts');
    expect(noGeom.problems).toEqual([expect.objectContaining({ row: 1, code: 'missing_column' })]);
    expect(noGeom.problems[0].zh).toBe('表头缺少必需的列：边界（WKT 或 GeoJSON 文本）（识别到的列：编码、名称）');
    const noParent = tableToPolygons(table(['编码', '名称', '边界'], ['210299001000', '街道', SQUARE]), 'streets');
    expect(noParent.problems[0].en).toMatch(/^the header lacks required columns: parentCode/);
    const bad = tableToPolygons(table(['编码', '名称', '边界'], ['210299000000', '区', 'POLYGON((1 2, 3 4'], ['210299000001', '区二', null]), 'districts');
    expect(bad.problems.map((p) => [p.row, p.code, p.zh])).toEqual([
      [2, 'invalid_geometry', 'WKT 不完整：缺少 2 个 ")"'],
      [3, 'invalid_geometry', '边界（几何）为空'],
    ]);
    expect(bad.collection.features.map((f) => f.geometry)).toEqual([null, null]);
  });

  it('a 所属社区 column holding names is refused per row with advice, once', () => {
    const t = tableToPolygons(
      table(
        ['网格编码', '网格名称', '所属社区', '网格长', '联系电话', '人口', '户数', '边界'],
        ['210299001001001', '第一网格', '二七社区', '张三', '138', 1, 1, SQUARE],
      ),
      'grids',
    );
    expect(t.problems).toEqual([expect.objectContaining({ row: 2, code: 'invalid_value' })]);
    expect(t.problems[0].zh).toMatch(/^所属社区应为社区的 12 位编码，实际为 "二七社区"（社区名称）；表中只有社区名称时请删去此列/);
    // The validator itself finds nothing more to say about the row.
    expect(parseGeoJsonImport(t.collection, 'grids', 'wgs84').ok).toBe(true);
  });
});
