/**
 * Which grids get a label on the planner map (pure; the markers are web/src/map/html-labels.ts).
 * Only at high zoom, only grids whose label point is in view, at most `max` of them (largest
 * first, so a crowded view drops the smallest grids rather than a random half), and the text
 * shortened while the grids are still small on screen.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Bbox } from '../api/client.js';
import { labelPoint, signedArea2 } from '../editor/geometry.js';
import type { HtmlLabel } from '../map/html-labels.js';

/** Labels appear from this zoom on (a grid is then ~100 px across). */
export const PLANNER_LABEL_MIN_ZOOM = 15;
/** From this zoom on the full grid name fits; below it the community prefix is dropped. */
export const FULL_NAME_ZOOM = 16.5;
/** At most this many labels at once (each is a DOM element moved on every frame). */
export const MAX_LABELS = 150;

export interface LabelSource {
  geometry: Polygon | MultiPolygon;
  properties: { id: number; name: string; code: string; community_name?: string };
}

/**
 * The short form of a grid's name: "桃源社区第3网格" in community 桃源社区 → "第3网格" (the community
 * outline and popups say which community). Names not starting with the community name stay.
 */
export function shortGridName(name: string, community?: string): string {
  return community && name.startsWith(community) && name.length > community.length ? name.slice(community.length) : name;
}

/** The largest polygon of a multipolygon (by exterior ring area), or the polygon itself. */
export function mainPolygon(g: Polygon | MultiPolygon): Polygon {
  if (g.type === 'Polygon') return g;
  let best = g.coordinates[0];
  let area = -1;
  for (const p of g.coordinates) {
    const a = Math.abs(signedArea2(p[0]));
    if (a > area) {
      area = a;
      best = p;
    }
  }
  return { type: 'Polygon', coordinates: best };
}

const inBbox = (p: Position, b: Bbox) => p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];

/**
 * The labels to show for `grids` in the view `view` at `zoom`: none below `minZoom`; otherwise
 * one per grid (ids deduplicated) whose label point lies in the view, the `max` largest.
 */
export function pickGridLabels(
  grids: readonly LabelSource[],
  view: Bbox,
  zoom: number,
  { minZoom = PLANNER_LABEL_MIN_ZOOM, max = MAX_LABELS, fullNameZoom = FULL_NAME_ZOOM } = {},
): HtmlLabel[] {
  if (zoom < minZoom || max <= 0) return [];
  const seen = new Set<number>();
  const candidates: Array<{ label: HtmlLabel; area: number }> = [];
  for (const f of grids) {
    const p = f.properties;
    if (seen.has(p.id) || !f.geometry) continue;
    seen.add(p.id);
    const poly = mainPolygon(f.geometry);
    const ring = poly.coordinates[0];
    if (!ring || ring.length < 4) continue;
    // Cheap reject before the label point: the grid's bbox must meet the view.
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    for (const [x, y] of ring) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    if (x1 < view[0] || x0 > view[2] || y1 < view[1] || y0 > view[3]) continue;
    const at = labelPoint(poly);
    if (!inBbox(at, view)) continue;
    const text = zoom >= fullNameZoom ? p.name : shortGridName(p.name, p.community_name);
    candidates.push({ label: { id: p.id, text, title: `${p.name} · ${p.code}`, lngLat: [at[0], at[1]] }, area: Math.abs(signedArea2(ring)) });
  }
  candidates.sort((a, b) => b.area - a.area || a.label.id - b.label.id);
  return candidates.slice(0, max).map((c) => c.label);
}
