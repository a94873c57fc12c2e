/**
 * Residents as population points: a list of points, each with a number of people and the grid
 * (index into the grid list) it belongs to. The life-circle assessment reads distances off these
 * points, so residential buildings (issue 15, item 3) can replace the even spread later by giving
 * other points for the grids that have buildings — nothing downstream changes.
 *
 * The even spread (`even`): each grid's population shared equally among the points of a lattice
 * (`stepM` metres, aligned to whole multiples of the step in degrees so neighbours use one lattice)
 * that fall inside the grid; a grid too small for any lattice point gets one point inside it.
 * Pure.
 */
import type { Polygon } from 'geojson';
import { metresPerDegree } from '../geo/measure.js';
import type { WalkGraph } from '../network/graph.js';
import { snapPoint } from '../network/snap.js';

export type PopulationSource = 'even' | 'buildings';

export interface PopulationPoints {
  source: PopulationSource;
  lon: Float64Array;
  lat: Float64Array;
  population: Float64Array;
  /** Index of the point's grid in the grid list the points were made from. */
  grid: Int32Array;
}

/** Where each point sits on the streets: edge index (-1: no street within the snap limit) and offset from its source. */
export interface PlacedPoints {
  edge: Int32Array;
  offsetM: Float64Array;
}

/** Even-odd over all rings (holes excluded); a point exactly on an edge may go either way. */
export function insidePolygon(p: Polygon, x: number, y: number): boolean {
  let inside = false;
  for (const ring of p.coordinates) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i]![0]!;
      const yi = ring[i]![1]!;
      const xj = ring[j]![0]!;
      const yj = ring[j]![1]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** One point inside a polygon without lattice points: the middle of the widest inside run of the bbox's middle row. */
function pointInside(p: Polygon): [number, number] {
  const ring = p.coordinates[0]!;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const q of ring) {
    minY = Math.min(minY, q[1]!);
    maxY = Math.max(maxY, q[1]!);
  }
  for (const f of [0.5, 0.25, 0.75, 0.1, 0.9]) {
    const y = minY + f * (maxY - minY);
    // Crossings of the horizontal line y with every ring, sorted: inside runs are [x0,x1], [x2,x3] …
    const xs: number[] = [];
    for (const r of p.coordinates) {
      for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
        const [xi, yi] = r[i] as [number, number];
        const [xj, yj] = r[j] as [number, number];
        if (yi > y !== yj > y) xs.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
      }
    }
    xs.sort((a, b) => a - b);
    let best: [number, number] | null = null;
    let width = 0;
    for (let k = 0; k + 1 < xs.length; k += 2) {
      if (xs[k + 1]! - xs[k]! > width) {
        width = xs[k + 1]! - xs[k]!;
        best = [(xs[k]! + xs[k + 1]!) / 2, y];
      }
    }
    if (best) return best;
  }
  return [ring[0]![0]!, ring[0]![1]!];
}

/**
 * The even spread of every grid's population as lattice points.
 * @param grids polygons and populations, in the order the assessment reports grids
 * @param stepM lattice spacing in metres (default 50)
 * @example evenPopulationPoints([{ polygon, population: 1200 }], 50).population // 1200 / n each
 */
export function evenPopulationPoints(grids: readonly { polygon: Polygon; population: number }[], stepM = 50): PopulationPoints {
  const lon: number[] = [];
  const lat: number[] = [];
  const pop: number[] = [];
  const gridOf: number[] = [];
  grids.forEach((g, gi) => {
    const ring = g.polygon.coordinates[0]!;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const q of ring) {
      x0 = Math.min(x0, q[0]!);
      x1 = Math.max(x1, q[0]!);
      y0 = Math.min(y0, q[1]!);
      y1 = Math.max(y1, q[1]!);
    }
    // One step in degrees per grid set latitude band (rounded to 0.5°, so neighbours share it).
    const { x: kx, y: ky } = metresPerDegree(Math.round(((y0 + y1) / 2) * 2) / 2);
    const dx = stepM / kx;
    const dy = stepM / ky;
    const start = lon.length;
    for (let j = Math.ceil(y0 / dy); j * dy <= y1; j++) {
      const y = j * dy;
      for (let i = Math.ceil(x0 / dx); i * dx <= x1; i++) {
        const x = i * dx;
        if (insidePolygon(g.polygon, x, y)) {
          lon.push(x);
          lat.push(y);
        }
      }
    }
    if (lon.length === start) {
      const [x, y] = pointInside(g.polygon);
      lon.push(x);
      lat.push(y);
    }
    const n = lon.length - start;
    for (let k = 0; k < n; k++) {
      pop.push(g.population / n);
      gridOf.push(gi);
    }
  });
  return { source: 'even', lon: Float64Array.from(lon), lat: Float64Array.from(lat), population: Float64Array.from(pop), grid: Int32Array.from(gridOf) };
}

/** Each point's place on the streets (server/network snapPoint); farther than `maxSnapM` from any street: edge -1. */
export function placePoints(g: WalkGraph, pts: Pick<PopulationPoints, 'lon' | 'lat'>, maxSnapM: number): PlacedPoints {
  const n = pts.lon.length;
  const edge = new Int32Array(n).fill(-1);
  const offsetM = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = snapPoint(g, pts.lon[i]!, pts.lat[i]!, maxSnapM);
    if (s) {
      edge[i] = s.edge;
      offsetM[i] = s.offsetM;
    }
  }
  return { edge, offsetM };
}

/** Population points and their places on the streets. */
export interface LocatedPoints {
  points: PopulationPoints;
  placed: PlacedPoints;
}

/** The even spread of a grid set, placed on the streets (pure; what a pool thread runs). */
export function locatePoints(g: WalkGraph | null, grids: readonly { polygon: Polygon; population: number }[], stepM: number, maxSnapM: number): LocatedPoints {
  const points = evenPopulationPoints(grids, stepM);
  const placed = g ? placePoints(g, points, maxSnapM) : { edge: new Int32Array(points.lon.length).fill(-1), offsetM: new Float64Array(points.lon.length) };
  return { points, placed };
}
