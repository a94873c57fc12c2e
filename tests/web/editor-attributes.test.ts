/** The editor's attribute form (values → PATCH body, checked like the server) and border adjacency. */
import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import { attributeChanges, fieldOfMessage, formValues, sharesBorder, type AttrSource } from '../../web/src/editor/attributes.js';

const grid: AttrSource = { name: '一号网格', leader_name: '张三', leader_phone: null, party_branch: null, population: 1200, households: 480 };

describe('attributeChanges', () => {
  it('sends nothing when nothing changed', () => {
    expect(attributeChanges(grid, formValues(grid))).toEqual({ body: {}, errors: [] });
  });

  it('sends only what changed: trimmed text, numbers, an emptied optional text as null', () => {
    const v = { ...formValues(grid), leader_name: '  李四 ', population: '1300', leader_phone: '0411-8888 1234', households: '480' };
    expect(attributeChanges(grid, v)).toEqual({ body: { leader_name: '李四', population: 1300, leader_phone: '0411-8888 1234' }, errors: [] });
    expect(attributeChanges(grid, { ...formValues(grid), leader_name: '   ' }).body).toEqual({ leader_name: null });
  });

  it('names the field of each problem, as the server would refuse it', () => {
    const v = { ...formValues(grid), name: ' ', leader_phone: 'call me', population: '-5', households: '1.5' };
    const { body, errors } = attributeChanges(grid, v);
    expect(body).toEqual({});
    expect(errors.map((e) => e.field)).toEqual(['name', 'leader_phone', 'population', 'households']);
    expect(attributeChanges(grid, { ...formValues(grid), population: '10000001' }).errors[0]).toMatchObject({ field: 'population' });
    expect(attributeChanges(grid, { ...formValues(grid), leader_name: 'x'.repeat(51) }).errors[0]).toMatchObject({ field: 'leader_name' });
  });
});

describe('fieldOfMessage', () => {
  it('finds the attribute a server 400 names, in either language', () => {
    expect(fieldOfMessage('请求体“leader_phone”格式错误')).toBe('leader_phone');
    expect(fieldOfMessage('body "population" must be >= 0')).toBe('population');
    expect(fieldOfMessage('请求体“geometry”无效')).toBeUndefined();
  });
});

describe('sharesBorder', () => {
  const rect = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
    type: 'Polygon',
    coordinates: [
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ],
    ],
  });
  it('is true for a shared edge, also a partly shared one (T-junction)', () => {
    expect(sharesBorder(rect(0, 0, 1, 1), rect(1, 0, 2, 1))).toBe(true);
    expect(sharesBorder(rect(0, 0, 1, 1), rect(1, 0.5, 2, 2))).toBe(true);
  });
  it('is false for a corner touch or apart', () => {
    expect(sharesBorder(rect(0, 0, 1, 1), rect(1, 1, 2, 2))).toBe(false);
    expect(sharesBorder(rect(0, 0, 1, 1), rect(1.5, 0, 2, 1))).toBe(false);
  });
});
