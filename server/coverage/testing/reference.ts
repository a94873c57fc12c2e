/**
 * Test oracle, not used by the server: the previous clipping path, kept as a reference for tests
 * and the benchmark. Per grid, 16-sided capsules around the street stretches (cut to the grid's
 * bbox grown by their width) and circles, then grid − all of them with polygon-clipping in one sweep.
 * Its street buffer is 0.26–1.25 m wider than the width (circumscribed 16-gons, 0.25 m
 * simplification); see ../clip.ts for the path in use.
 */
import polygonClipping, { type MultiPolygon as PcMultiPolygon, type Geom } from 'polygon-clipping';
import bboxClip from '@turf/bbox-clip';
import type { Position } from 'geojson';
import { metresPerDegree } from '../../geo/measure.js';
import { bufferCapsules } from '../../network/testing/capsules.js';
import type { Piece, PolygonCoords } from '../pieces.js';

const quantize = (polys: PolygonCoords[], q: number): PcMultiPolygon =>
  polys.map((poly) => poly.map((ring) => ring.map(([x, y]) => [Math.round(x! / q) * q, Math.round(y! / q) * q] as [number, number])));

function clipPolygons(bbox: readonly number[], pieces: readonly Piece[]): PolygonCoords[][] {
  const out: PolygonCoords[][] = [];
  const byWidth = new Map<number, Position[][]>();
  for (const p of pieces) {
    if (p.polygons.length) out.push(p.polygons);
    if (!p.xy || !p.widthM) continue;
    const line: Position[] = [];
    for (let i = 0; i < p.xy.length; i += 2) line.push([p.xy[i]!, p.xy[i + 1]!]);
    const k = metresPerDegree((bbox[1]! + bbox[3]!) / 2);
    const dy = (p.widthM * 1.1 + 1) / k.y;
    const dx = (p.widthM * 1.1 + 1) / k.x;
    const box: [number, number, number, number] = [bbox[0]! - dx, bbox[1]! - dy, bbox[2]! + dx, bbox[3]! + dy];
    const clipped = bboxClip({ type: 'LineString', coordinates: line }, box).geometry;
    const parts = clipped.type === 'LineString' ? [clipped.coordinates] : (clipped.coordinates as Position[][]);
    const list = byWidth.get(p.widthM) ?? [];
    for (const part of parts) if (part.length >= 2) list.push(part);
    byWidth.set(p.widthM, list);
  }
  for (const [width, lines] of byWidth) {
    if (lines.length) out.push(bufferCapsules(lines as [number, number][][], width, { simplifyM: 0.25, segments: 16 }) as PolygonCoords[]);
  }
  return out;
}

/**
 * grid − pieces with polygon-clipping (the path used before clip.ts), same contract as
 * {@link import('../clip.js').uncoveredParts}.
 */
export function uncoveredPartsReference(polygon: PolygonCoords, bbox: readonly number[], pieces: readonly Piece[]): PolygonCoords[] {
  if (pieces.length === 0) return [polygon];
  const polygons = clipPolygons(bbox, pieces);
  let last: unknown;
  for (const q of [0, 1e-8, 1e-7, 1e-6]) {
    try {
      const clips: Geom[] = polygons.map((p) => (q ? quantize(p, q) : (p as PcMultiPolygon)));
      return polygonClipping.difference(polygon as PcMultiPolygon[number], ...clips) as PolygonCoords[];
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`coverage: polygon clipping failed for a grid even after snapping: ${(last as Error).message}`);
}
