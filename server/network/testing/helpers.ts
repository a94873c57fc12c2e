/** Small helpers shared by the street-network tests (local metres ↔ graph). */
import * as turf from '@turf/turf';
import type { LonLat, WalkGraph } from '../graph.js';
import { snapPoint } from '../snap.js';
import { toLonLat, toXY } from './fixtures.js';

export const node = (g: WalkGraph, id: number) => g.nodeIndex.get(id)!;
export const edge = (g: WalkGraph, id: number) => g.edgeIds.indexOf(id);
export const snapXY = (g: WalkGraph, x: number, y: number, max?: number) => snapPoint(g, ...toLonLat(x, y), max);
/** A line's vertices in local metres, rounded to the millimetre. */
export const lineXY = (coords: LonLat[]) => coords.map(([lon, lat]) => toXY(lon, lat).map((v) => Math.round(v * 1000) / 1000));
/** Geodesic length (Turf) of a lon/lat line, metres. */
export const lineLength = (coords: LonLat[]) => turf.length(turf.lineString(coords), { units: 'meters' });

/** Planar distance from p to polyline (all in metres). */
export function distToLine(p: [number, number], line: [number, number][]): number {
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const [ax, ay] = line[i - 1]!;
    const [bx, by] = line[i]!;
    const dx = bx - ax;
    const dy = by - ay;
    const l2 = dx * dx + dy * dy;
    const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - ax) * dx + (p[1] - ay) * dy) / l2)) : 0;
    best = Math.min(best, Math.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy));
  }
  return best;
}
