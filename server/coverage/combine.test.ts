import { describe, expect, it } from 'vitest';
import { areaM2 } from '../geo/measure.js';
import { coverAll, missingTypes, unionParts } from './combine.js';
import type { GridCoverage } from './engine.js';
import type { PolygonCoords } from './pieces.js';

// A grid 0.002° × 0.002° near Dalian; strips are given as fractions of its width (x from the west).
const W = 121.6;
const S = 38.9;
const D = 0.002;
const rect = (x0: number, x1: number, y0 = 0, y1 = 1): PolygonCoords => [
  [
    [W + x0 * D, S + y0 * D],
    [W + x1 * D, S + y0 * D],
    [W + x1 * D, S + y1 * D],
    [W + x0 * D, S + y1 * D],
    [W + x0 * D, S + y0 * D],
  ],
];
const bbox = [W, S, W + D, S + D];
const gridArea = areaM2({ type: 'Polygon', coordinates: rect(0, 1) });

/** One type's result for the grid, its gaps given. */
function typeResult(gaps: PolygonCoords[]): GridCoverage {
  const gap = gaps.reduce((s, g) => s + areaM2({ type: 'Polygon', coordinates: g }), 0);
  const covered = gridArea - gap;
  return {
    id: 1,
    areaM2: gridArea,
    coveredM2: covered,
    coveredShare: covered / gridArea,
    population: 1000,
    coveredPopulation: (1000 * covered) / gridArea,
    uncoveredPopulation: (1000 * gap) / gridArea,
    gaps,
  };
}

describe('covered by all chosen types (per grid, geometric)', () => {
  it('is neither the product nor the minimum of the shares: gaps on opposite sides add up', () => {
    const a = typeResult([rect(0.6, 1)]); // A covers the west 60 %
    const b = typeResult([rect(0, 0.3)]); // B covers the east 70 %
    const all = coverAll([a, b], bbox);
    // Covered by both: the middle strip 0.3..0.6 (product would say 42 %, minimum 60 %).
    expect(all.coveredShare).toBeCloseTo(0.3, 3);
    expect(all.uncoveredPopulation).toBeCloseTo(700, 0);
    expect(all.gaps).toHaveLength(2);
  });

  it('nested gaps: the larger one; overlapping gaps: their union, once', () => {
    expect(coverAll([typeResult([rect(0.6, 1)]), typeResult([rect(0.7, 1)])], bbox).coveredShare).toBeCloseTo(0.6, 3);
    // Right 40 % strip and top 30 % band: 40 + 30 − 12 = 58 % uncovered.
    const all = coverAll([typeResult([rect(0.6, 1)]), typeResult([rect(0, 1, 0.7, 1)])], bbox);
    expect(all.coveredShare).toBeCloseTo(0.42, 3);
    expect(all.gaps).toHaveLength(1);
    const union = unionParts([rect(0.6, 1), rect(0, 1, 0.7, 1)], bbox);
    expect(areaM2({ type: 'MultiPolygon', coordinates: union })).toBeCloseTo(0.58 * gridArea, 0);
  });

  it('a type that covers all of the grid changes nothing; one that covers none leaves nothing', () => {
    const full = typeResult([]);
    const half = typeResult([rect(0.5, 1)]);
    expect(coverAll([full, half], bbox).coveredShare).toBeCloseTo(0.5, 6);
    expect(coverAll([full, full], bbox)).toMatchObject({ coveredShare: 1, gaps: [] });
    const none = typeResult([rect(0, 1)]);
    expect(coverAll([half, none], bbox)).toMatchObject({ coveredM2: 0, coveredPopulation: 0, uncoveredPopulation: 1000 });
  });

  it('names the types that leave a gap in the grid', () => {
    const full = typeResult([]);
    const half = typeResult([rect(0.5, 1)]);
    expect(missingTypes(['a', 'b', 'c'], [full, half, undefined])).toEqual(['b', 'c']);
    expect(missingTypes(['a'], [full])).toEqual([]);
  });
});
