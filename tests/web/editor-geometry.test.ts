/** Editor geometry helpers: what terra-draw hands back becomes what the API accepts (RFC 7946). */
import { describe, expect, it } from 'vitest';
import type { Polygon } from 'geojson';
import {
  cleanRing,
  normalizeLine,
  normalizePolygon,
  pointInPolygon,
  ringCentroid,
  samePolygon,
  signedArea2,
  vertexDiff,
} from '../../web/src/editor/geometry.js';
import { checkPolygon } from '../../server/validation/geometry.js';

const square = (cw = false): Polygon => {
  const ring = [
    [121.6, 38.9],
    [121.61, 38.9],
    [121.61, 38.91],
    [121.6, 38.91],
    [121.6, 38.9],
  ];
  return { type: 'Polygon', coordinates: [cw ? [...ring].reverse() : ring] };
};

describe('normalizePolygon', () => {
  it('turns a clockwise exterior counter-clockwise and a counter-clockwise hole clockwise', () => {
    const hole = [
      [121.603, 38.903],
      [121.606, 38.903],
      [121.606, 38.906],
      [121.603, 38.906],
      [121.603, 38.903],
    ];
    const p = normalizePolygon({ type: 'Polygon', coordinates: [square(true).coordinates[0], hole] })!;
    expect(signedArea2(p.coordinates[0])).toBeGreaterThan(0);
    expect(signedArea2(p.coordinates[1])).toBeLessThan(0);
    expect(checkPolygon(p)).toMatchObject({ ok: true });
  });

  it('drops repeated consecutive vertices (also across the closing point), 3-D values and float noise beyond 1e-9°', () => {
    const p = normalizePolygon({
      type: 'Polygon',
      coordinates: [
        [
          [121.6, 38.9, 5],
          [121.6, 38.9],
          [121.61, 38.9],
          [121.6100000000004, 38.9],
          [121.61, 38.91],
          [121.6, 38.91],
          [121.6, 38.9],
          [121.6, 38.9],
        ],
      ],
    })!;
    expect(p.coordinates[0]).toEqual(square().coordinates[0]);
    expect(checkPolygon(p)).toMatchObject({ ok: true });
  });

  it('closes an open ring', () => {
    const open = square().coordinates[0].slice(0, -1);
    expect(normalizePolygon({ type: 'Polygon', coordinates: [open] })!.coordinates[0]).toEqual(square().coordinates[0]);
  });

  it('returns null for a collapsed exterior and drops a collapsed hole', () => {
    expect(
      normalizePolygon({
        type: 'Polygon',
        coordinates: [
          [
            [1, 1],
            [1, 1],
            [2, 2],
            [1, 1],
          ],
        ],
      }),
    ).toBeNull();
    expect(
      normalizePolygon({
        type: 'Polygon',
        coordinates: [
          [
            [1, 1],
            [2, 2],
            [3, 3],
            [1, 1],
          ],
        ],
      }),
    ).toBeNull(); // zero area
    const p = normalizePolygon({
      type: 'Polygon',
      coordinates: [
        square().coordinates[0],
        [
          [121.601, 38.901],
          [121.601, 38.901],
          [121.601, 38.901],
        ],
      ],
    })!;
    expect(p.coordinates).toHaveLength(1);
  });

  it('cleanRing keeps at least a triangle', () => {
    expect(
      cleanRing([
        [0, 0],
        [1, 0],
        [0, 0],
      ]),
    ).toBeNull();
    expect(
      cleanRing([
        [0, 0],
        [1, 0],
        [1, 1],
      ]),
    ).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ]);
  });
});

describe('comparing shapes', () => {
  it('samePolygon ignores the ring start, winding and duplicates', () => {
    const a = square();
    const rotated: Polygon = { type: 'Polygon', coordinates: [[...a.coordinates[0].slice(2, -1), ...a.coordinates[0].slice(0, 2), a.coordinates[0][2]]] };
    expect(samePolygon(a, rotated)).toBe(true);
    expect(samePolygon(a, square(true))).toBe(true);
    const moved = structuredClone(a);
    moved.coordinates[0][1] = [121.612, 38.9];
    expect(samePolygon(a, moved)).toBe(false);
  });

  it('vertexDiff names the moved vertex', () => {
    const a = square();
    const b = structuredClone(a);
    b.coordinates[0][2] = [121.615, 38.912];
    expect(vertexDiff(a, b)).toEqual({ added: [[121.615, 38.912]], removed: [[121.61, 38.91]] });
  });

  it('normalizeLine drops repeated points and needs two', () => {
    expect(
      normalizeLine({
        type: 'LineString',
        coordinates: [
          [1, 1],
          [1, 1],
          [2, 2],
        ],
      }),
    ).toEqual({
      type: 'LineString',
      coordinates: [
        [1, 1],
        [2, 2],
      ],
    });
    expect(
      normalizeLine({
        type: 'LineString',
        coordinates: [
          [1, 1],
          [1, 1],
        ],
      }),
    ).toBeNull();
  });

  it('point in polygon and centroid', () => {
    expect(pointInPolygon([121.605, 38.905], square())).toBe(true);
    expect(pointInPolygon([121.62, 38.905], square())).toBe(false);
    const c = ringCentroid(square().coordinates[0]);
    expect(c[0]).toBeCloseTo(121.605, 9);
    expect(c[1]).toBeCloseTo(38.905, 9);
  });
});

describe('labelPoint', () => {
  it('is the centroid of a convex grid, and inside an L-shaped one whose centroid is outside', async () => {
    const { labelPoint } = await import('../../web/src/editor/geometry.js');
    const sq = square();
    expect(labelPoint(sq)).toEqual(ringCentroid(sq.coordinates[0]));
    // A thin L: the centroid falls in the notch.
    const L: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [10, 0],
          [10, 1],
          [1, 1],
          [1, 10],
          [0, 10],
          [0, 0],
        ],
      ],
    };
    expect(pointInPolygon(ringCentroid(L.coordinates[0]), L)).toBe(false);
    expect(pointInPolygon(labelPoint(L), L)).toBe(true);
  });
});
