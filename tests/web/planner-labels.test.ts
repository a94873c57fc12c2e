import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import { mainPolygon, MAX_LABELS, pickGridLabels, PLANNER_LABEL_MIN_ZOOM, shortGridName, type LabelSource } from '../../web/src/planner/labels.js';

const square = (x: number, y: number, s: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + s, y],
      [x + s, y + s],
      [x, y + s],
      [x, y],
    ],
  ],
});
const grid = (id: number, x: number, y: number, s = 0.002, name = `桃源社区第${id}网格`): LabelSource => ({
  geometry: square(x, y, s),
  properties: { id, name, code: `210201001001${String(id).padStart(3, '0')}`, community_name: '桃源社区' },
});
const view: [number, number, number, number] = [121.6, 38.9, 121.62, 38.92];

describe('shortGridName', () => {
  it('drops the community prefix, keeps other names', () => {
    expect(shortGridName('桃源社区第3网格', '桃源社区')).toBe('第3网格');
    expect(shortGridName('东港一号网格', '桃源社区')).toBe('东港一号网格');
    expect(shortGridName('桃源社区', '桃源社区')).toBe('桃源社区');
    expect(shortGridName('网格A')).toBe('网格A');
  });
});

describe('pickGridLabels', () => {
  it('shows nothing when zoomed out', () => {
    expect(pickGridLabels([grid(1, 121.605, 38.905)], view, PLANNER_LABEL_MIN_ZOOM - 0.01)).toEqual([]);
  });

  it('labels the grids in view at their centre, short names below the full-name zoom', () => {
    const labels = pickGridLabels([grid(1, 121.605, 38.905), grid(2, 121.7, 38.905)], view, 15.5);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ id: 1, text: '第1网格', title: '桃源社区第1网格 · 210201001001001' });
    expect(labels[0].lngLat[0]).toBeCloseTo(121.606, 9);
    expect(labels[0].lngLat[1]).toBeCloseTo(38.906, 9);
    expect(pickGridLabels([grid(1, 121.605, 38.905)], view, 17)[0].text).toBe('桃源社区第1网格');
  });

  it('puts an L-shaped grid’s label inside it, uses the largest part of a multipolygon', () => {
    const L: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [121.6, 38.9],
          [121.61, 38.9],
          [121.61, 38.901],
          [121.601, 38.901],
          [121.601, 38.91],
          [121.6, 38.91],
          [121.6, 38.9],
        ],
      ],
    };
    const [l] = pickGridLabels([{ geometry: L, properties: { id: 7, name: 'L', code: 'x' } }], view, 16);
    // Inside one of the two arms.
    const inArm = (l.lngLat[0] >= 121.6 && l.lngLat[0] <= 121.601) || (l.lngLat[1] >= 38.9 && l.lngLat[1] <= 38.901);
    expect(inArm).toBe(true);
    const multi = { type: 'MultiPolygon' as const, coordinates: [square(121.61, 38.91, 0.0005).coordinates, square(121.605, 38.905, 0.004).coordinates] };
    expect(mainPolygon(multi).coordinates[0][0]).toEqual([121.605, 38.905]);
    const [m] = pickGridLabels([{ geometry: multi, properties: { id: 8, name: 'M', code: 'y' } }], view, 16);
    expect(m.lngLat[0]).toBeCloseTo(121.607, 9);
  });

  it('caps the number of labels, keeping the largest grids, and skips duplicates', () => {
    const many: LabelSource[] = [];
    for (let i = 0; i < 400; i++) many.push(grid(i + 1, 121.6 + (i % 20) * 0.001, 38.9 + Math.floor(i / 20) * 0.001, i === 399 ? 0.0009 : 0.0005));
    many.push(grid(400, 121.6 + 19 * 0.001, 38.9 + 19 * 0.001, 0.0009)); // same id again (tiles overlap)
    const labels = pickGridLabels(many, view, 16);
    expect(labels).toHaveLength(MAX_LABELS);
    expect(labels[0].id).toBe(400);
    expect(new Set(labels.map((l) => l.id)).size).toBe(MAX_LABELS);
    expect(pickGridLabels(many, view, 16, { max: 10 })).toHaveLength(10);
  });
});
