/**
 * Several station types in one grid: "all of them" (全部齐全) — the part of the grid that every
 * chosen type covers. Pure (no I/O).
 *
 * Computed geometrically per grid, never as a product or minimum of shares: the part not covered
 * by every type is the union of each type's uncovered parts (x lacks some type ⇔ x is in some
 * type's gap), so covered-by-all = grid − ∪ₜ gapₜ. The union is one Clipper union in the grid's
 * local frame (1 mm integers, as in clip.ts). "Any type" needs no combination: it is the coverage
 * of all the chosen types' pieces together (the usual engine).
 *
 * Precision: each type's gaps come without slivers under the engine's `minGapM2` (1 m²), which are
 * still counted in that type's covered area; the union's area is therefore taken as at least the
 * largest single type's gap area, so "all" never exceeds any one type's coverage.
 */
import { localFrame } from '../geo/measure.js';
import { areaM2 } from '../geo/measure.js';
import { clipper, ClipType, polygonsOf, PolyFillType, project, toInt, type IntPoint, type PolyNode } from '../network/buffer.js';
import type { GridCoverage } from './engine.js';
import type { PolygonCoords } from './pieces.js';

/** The union of polygons (lon/lat) that all lie inside `bbox`, as Polygon coordinates (outer CCW, holes CW). */
export function unionParts(parts: readonly PolygonCoords[], bbox: readonly number[]): PolygonCoords[] {
  if (parts.length <= 1) return [...parts];
  const f = localFrame((bbox[0]! + bbox[2]!) / 2, (bbox[1]! + bbox[3]!) / 2);
  const rings: IntPoint[][] = [];
  for (const poly of parts)
    for (const ring of poly) {
      const r = toInt(project(f, ring, true));
      if (r.length >= 3) rings.push(r);
    }
  // Gap polygons are simple with holes wound opposite to their outer ring: NonZero fills each
  // polygon's interior exactly and unions overlapping ones.
  const tree = clipper.clipToPolyTree({
    clipType: ClipType.Union,
    subjectInputs: [{ data: rings, closed: true }],
    subjectFillType: PolyFillType.NonZero,
  }) as unknown as PolyNode;
  return polygonsOf(tree, f);
}

const multiArea = (polys: readonly PolygonCoords[]) => (polys.length ? areaM2({ type: 'MultiPolygon', coordinates: polys as PolygonCoords[] }) : 0);

/**
 * One grid covered by every type: `perType` are the same grid's results, one per chosen type.
 * @param bbox the grid's bbox (its local frame for the union)
 * @example coverAll([typeA, typeB], grid.bbox).coveredShare // ≤ min(typeA.coveredShare, typeB.coveredShare)
 */
export function coverAll(perType: readonly GridCoverage[], bbox: readonly number[], minGapM2 = 1): GridCoverage {
  const first = perType[0]!;
  if (perType.length === 1) return first;
  const { id, areaM2: area, population } = first;
  const lacking = perType.filter((c) => c.coveredM2 < c.areaM2);
  let gaps: PolygonCoords[];
  let gapM2: number;
  if (lacking.length === 0) {
    gaps = [];
    gapM2 = 0;
  } else if (lacking.length === 1) {
    gaps = lacking[0]!.gaps;
    gapM2 = lacking[0]!.areaM2 - lacking[0]!.coveredM2;
  } else if (lacking.some((c) => c.coveredM2 <= 0)) {
    // One type covers nothing here: nothing is covered by all of them; its gap is the whole grid.
    const none = lacking.find((c) => c.coveredM2 <= 0)!;
    gaps = none.gaps;
    gapM2 = area;
  } else {
    gaps = unionParts(
      lacking.flatMap((c) => c.gaps),
      bbox,
    );
    const largest = Math.max(...lacking.map((c) => c.areaM2 - c.coveredM2));
    gapM2 = Math.min(area, Math.max(largest, multiArea(gaps)));
    gaps = gaps.filter((g) => areaM2({ type: 'Polygon', coordinates: g }) >= minGapM2);
  }
  const coveredM2 = area - gapM2;
  const share = area > 0 ? coveredM2 / area : 0;
  const coveredPopulation = population * share;
  return { id, areaM2: area, coveredM2, coveredShare: share, population, coveredPopulation, uncoveredPopulation: population - coveredPopulation, gaps };
}

/** The chosen types that leave some of the grid uncovered (a gap polygon of at least `minGapM2` there), in `types` order. */
export function missingTypes(types: readonly string[], perType: readonly (GridCoverage | undefined)[]): string[] {
  return types.filter((_, i) => {
    const c = perType[i];
    return !c || c.gaps.length > 0;
  });
}
