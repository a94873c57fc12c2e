import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { DEFAULT_UPLOAD_LIMITS, LimitExceeded } from './limits.js';
import { detectHeader, parseDegrees, readCsv, tableToStations } from './table.js';

describe('station tables', () => {
  it('reads a CSV with BOM, skips a title row, maps Chinese headers (brackets ignored) and numbers rows as Excel does', () => {
    const csv =
      '\uFEFF某街道服务站点清单\r\n编码,名称,类型,地址,经度(GCJ-02),纬度（GCJ-02）,营业时间,备注\r\nA1,驿站,爱心驿站,路1号,121.6,38.91,24/7,x\r\n\r\nA2,食堂,老年食堂,路2号,121.61,38.92,24/7,\r\n';
    const t = readCsv(new TextEncoder().encode(csv));
    const m = detectHeader(t);
    expect(m.headerRow).toBe(2);
    expect(m.fields).toEqual(['code', 'name', 'type', 'address', 'lon', 'lat', 'openingHours', null]);
    expect(m.missing).toEqual([]);
    const s = tableToStations(t);
    expect(s.rows).toEqual([3, 5]); // the empty line 4 keeps its number
    expect(s.collection.features[1].geometry).toEqual({ type: 'Point', coordinates: [121.61, 38.92] });
    expect(s.collection.features[0].properties).toMatchObject({ code: 'A1', type: '爱心驿站' });
  });

  it('keeps Excel row numbers when the first line is longer than 1 MB (CRLF file)', () => {
    const csv = `${'说明'.repeat(700_000)}\r\n编码,名称,类型,地址,经度,纬度,营业时间\r\nA1,驿站,爱心驿站,路1号,121.6,38.91,24/7\r\n`;
    // The cell limit raised past the 4 MB title: this is about row numbers (the limit: below).
    const t = readCsv(csv, { ...DEFAULT_UPLOAD_LIMITS, maxCellBytes: 8 * 1024 * 1024 });
    expect(detectHeader(t).headerRow).toBe(2);
    expect(tableToStations(t).rows).toEqual([3]);
  });

  it('decodes GBK CSV files and a single "lon,lat" coordinate column as Amap copies it', () => {
    const text = 'code,name,type,address,坐标,hours\r\nB1,站点,爱心驿站,地址,"121.600000,38.910000",24/7\r\n';
    const t = readCsv(new Uint8Array(iconv.encode(text, 'gbk')));
    expect(t.encoding).toBe('gbk');
    const s = tableToStations(t);
    expect(s.problems).toEqual([]);
    expect(s.collection.features[0].properties).toMatchObject({ name: '站点' });
    expect(s.collection.features[0].geometry!.coordinates).toEqual([121.6, 38.91]);
  });

  it('names missing columns and unreadable coordinates by row', () => {
    const s = tableToStations(readCsv('name,lon,lat\r\nx,121,38\r\n'));
    expect(s.problems[0].row).toBe(1);
    expect(s.problems[0].zh).toMatch(/类型/);
    expect(s.problems[0].zh).not.toMatch(/缺少.*编码/); // 编码 is optional (a code is generated)
    const s2 = tableToStations(readCsv('code,name,type,address,lon,lat,hours\r\n1,a,b,c,abc,38.9,24/7\r\n'));
    expect(s2.problems).toEqual([expect.objectContaining({ row: 2 })]);
    expect(s2.collection.features[0].geometry).toBeNull();
  });

  it('parses degrees in the forms people type', () => {
    expect(parseDegrees('121.6')).toBe(121.6);
    expect(parseDegrees('121.6°')).toBe(121.6);
    expect(parseDegrees('E121.6')).toBe(121.6);
    expect(parseDegrees('38°54′36″')).toBeCloseTo(38.91, 6);
    expect(parseDegrees('abc')).toBeNull();
    expect(parseDegrees(null)).toBeNull();
  });

  it('stops at the row, column and cell limits, naming the row and column', () => {
    const limits = { ...DEFAULT_UPLOAD_LIMITS, maxRows: 3, maxColumns: 4, maxCellBytes: 10 };
    const head = 'a,b\n';
    const caught = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as LimitExceeded;
      }
      throw new Error('no limit reached');
    };
    expect(readCsv(`${head}1,2\n\n3,4\n`, limits).rows).toHaveLength(3); // the empty line is not a row
    const rows = caught(() => readCsv(`${head}1,2\n3,4\n5,6\n`, limits));
    expect(rows).toBeInstanceOf(LimitExceeded);
    expect(rows.details).toEqual({ limit: 'rows', max: 3, row: 4 });
    expect(caught(() => readCsv(`${head}1,2,3,4,5\n`, limits)).details).toEqual({ limit: 'columns', max: 4, row: 2 });
    const cell = caught(() => readCsv(`${head}1,"四个汉字"\n`, limits)); // 12 bytes in UTF-8
    expect(cell.details).toEqual({ limit: 'cell_bytes', max: 10, row: 2, column: 'B' });
    expect(cell.zh).toContain('第 2 行 B 列');
    expect(cell.en).toContain('row 2, column B');
    expect(readCsv(`${head}1,"三个字"\n`, limits).rows).toHaveLength(2); // 9 bytes fit
  });
});
