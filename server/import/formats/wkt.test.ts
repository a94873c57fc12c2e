import { describe, expect, it } from 'vitest';
import { EXCEL_CELL_LIMIT, parseGeometryText, parseWkt } from './wkt.js';

const geometry = (t: string) => {
  const r = parseGeometryText(t);
  if ('error' in r) throw new Error(`${r.error.zh} / ${r.error.en}`);
  return r.geometry;
};
const error = (t: unknown) => {
  const r = parseGeometryText(t);
  if (!('error' in r)) throw new Error(`parsed: ${JSON.stringify(r.geometry)}`);
  return r.error;
};

describe('WKT', () => {
  it('reads POLYGON with holes, MULTIPOLYGON, POINT, MULTIPOINT in both forms, any case, exponents and signs', () => {
    expect(geometry('POLYGON((0 0, 1 0, 1 1, 0 0), (0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1))')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
        [
          [0.1, 0.1],
          [0.2, 0.1],
          [0.2, 0.2],
          [0.1, 0.1],
        ],
      ],
    });
    expect(geometry('multipolygon(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))')).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
        [
          [
            [2, 2],
            [3, 2],
            [3, 3],
            [2, 2],
          ],
        ],
      ],
    });
    expect(geometry('POINT (121.6 38.91)')).toEqual({ type: 'Point', coordinates: [121.6, 38.91] });
    expect(geometry('MULTIPOINT(1 2, 3 4)')).toEqual(geometry('MULTIPOINT((1 2), (3 4))'));
    expect(geometry('POLYGON((1e2 -3.5e-1, .5 +2, 0 0, 1e2 -3.5e-1))')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [100, -0.35],
          [0.5, 2],
          [0, 0],
          [100, -0.35],
        ],
      ],
    });
    // Line breaks inside a cell (Excel Alt+Enter) are white space.
    expect(geometry('POLYGON((0 0,\n1 0,\r\n1 1,\t0 0))').type).toBe('Polygon');
  });

  it('takes EWKT SRID=4326/4490 and Z/M ordinates; refuses a projected SRID with a hint', () => {
    expect(geometry('SRID=4490;POLYGON Z((0 0 5, 1 0 5, 1 1 5, 0 0 5))')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0, 5],
          [1, 0, 5],
          [1, 1, 5],
          [0, 0, 5],
        ],
      ],
    });
    expect(geometry('POLYGON ZM((0 0 5 1, 1 0 5 1, 1 1 5 1, 0 0 5 1))').type).toBe('Polygon');
    expect(error('SRID=4547;POLYGON((0 0, 1 0, 1 1, 0 0))').zh).toMatch(/SRID=4547 不是经纬度/);
  });

  it('names where the text goes wrong', () => {
    expect(error('POLYGON((0 0, 1 0, 1 1, 0 0)').zh).toBe('WKT 不完整：缺少 1 个 ")"');
    expect(error('POLYGON((0 0, 1 0, 1 1, 0 0)))').en).toBe('WKT: unexpected text after the geometry at character 30: ")"');
    expect(error('POLYGON((0 0,,1 0))').en).toBe('WKT: an unexpected comma at character 14');
    expect(error('POLYGON((0 0 1 0, 1 1, 0 0))').zh).toMatch(/应为 "经度 纬度".*实际为 0 0 1 0（是否漏了逗号？）/);
    expect(error('POLYGON Z((0 0, 1 0, 1 1, 0 0))').en).toMatch(/3 numbers/);
    expect(error('POLYGON((0 0, 1 0, 1 1, 0 0) (1 1, 2 2))').en).toMatch(/comma is missing/);
    expect(error('POLYGON(0 0, 1 0, 1 1, 0 0)').en).toBe("the WKT's parentheses do not match its type POLYGON");
    expect(error('POLYGON(((0 0, 1 0, 1 1, 0 0)))').en).toBe("the WKT's parentheses do not match its type POLYGON");
    expect(error('POLYGON EMPTY').zh).toBe('几何为空（POLYGON EMPTY）');
    expect(error('POLYGON').en).toMatch(/no coordinates/);
    expect(error('CIRCLE(0 0, 1)').zh).toMatch(/^无法识别的 WKT 几何类型 "CIRCLE/);
    expect(error('GEOMETRYCOLLECTION(POINT(1 2))').en).toMatch(/not supported/);
    expect(error('POLYGON((0 0, 1 0, x 1, 0 0))').en).toMatch(/character 20/);
  });

  it('a deeply nested text is an error, not a stack overflow', () => {
    expect(error(`POLYGON${'('.repeat(100_000)}`).en).toMatch(/too many nested parentheses/);
    expect(error(`MULTIPOLYGON${'('.repeat(100_000)}0 0${')'.repeat(100_000)}`).en).toMatch(/too many nested parentheses/);
  });

  it('says a cell of exactly 32,767 characters was probably cut off by Excel', () => {
    const head = 'POLYGON((0 0, ';
    let body = '';
    while (head.length + body.length + 6 < EXCEL_CELL_LIMIT) body += '1 0, ';
    const cut = (head + body).padEnd(EXCEL_CELL_LIMIT, '1');
    expect(cut.length).toBe(EXCEL_CELL_LIMIT);
    expect(error(cut).zh).toMatch(/Excel 单元格的上限/);
    const short = parseWkt('POLYGON((0 0, 1 0');
    expect('error' in short && short.error.zh).toBe('WKT 不完整：缺少 2 个 ")"');
  });
});

describe('GeoJSON text and empty cells', () => {
  it('takes a geometry or a Feature; reports unparsable JSON and empty cells', () => {
    const g = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    };
    expect(geometry(JSON.stringify(g))).toEqual(g);
    expect(geometry(JSON.stringify({ type: 'Feature', properties: {}, geometry: g }))).toEqual(g);
    expect(error('{"type": "Polygon", "coordinates": [[[0, 0]').zh).toMatch(/^GeoJSON 文本无法解析/);
    expect(error('{"a": 1}').en).toMatch(/not a geometry/);
    expect(error('  ').zh).toBe('边界（几何）为空');
    expect(error(null).en).toBe('the boundary (geometry) is empty');
    expect(error(12).en).toMatch(/got a number/);
  });
});
