/** web/src/import/columns.ts: adjusting the detected column mapping and the `columns` JSON. */
import { describe, expect, it } from 'vitest';
import { assignField, columnsParam, missingFields, TABLE_FIELDS, type ColumnMapping } from '../../web/src/import/columns.js';
import { TABLE_FIELDS as SERVER_FIELDS } from '../../server/import/formats/table.js';

const detected: ColumnMapping[] = [
  { header: '编码', field: 'code' },
  { header: '站名', field: null },
  { header: '类型', field: 'type' },
  { header: '地址', field: 'address' },
  { header: '经度', field: 'lon' },
  { header: '纬度', field: 'lat' },
  { header: '营业时间', field: 'openingHours' },
  { header: '备注', field: null },
];

describe('column mapping', () => {
  it('has the server’s fields', () => {
    expect([...TABLE_FIELDS].sort()).toEqual([...SERVER_FIELDS].sort());
  });

  it('nothing changed → no columns parameter', () => {
    expect(columnsParam(detected, detected)).toBeUndefined();
  });

  it('sends only the changed columns, header → field or null', () => {
    let chosen = assignField(detected, 1, 'name');
    chosen = assignField(chosen, 6, null);
    expect(JSON.parse(columnsParam(detected, chosen)!)).toEqual({ 站名: 'name', 营业时间: null });
    expect(detected[1].field).toBeNull(); // not mutated
  });

  it('a field chosen for a second column is taken from the first (explicitly null in the JSON)', () => {
    const chosen = assignField(detected, 7, 'code');
    expect(chosen[0].field).toBeNull();
    expect(chosen[7].field).toBe('code');
    expect(JSON.parse(columnsParam(detected, chosen)!)).toEqual({ 编码: null, 备注: 'code' });
  });

  it('columns without header text cannot be named and are left out', () => {
    const withBlank = [...detected, { header: '', field: null }];
    expect(columnsParam(withBlank, assignField(withBlank, 8, 'phone'))).toBeUndefined();
  });

  it('missing required fields: name here; lon+lat or lonlat', () => {
    expect(missingFields(detected)).toEqual(['name']);
    const named = assignField(detected, 1, 'name');
    expect(missingFields(named)).toEqual([]);
    const noLat = assignField(named, 5, null);
    expect(missingFields(noLat)).toEqual(['lat']);
    expect(missingFields(assignField(assignField(noLat, 4, null), 7, 'lonlat'))).toEqual([]);
  });
});
