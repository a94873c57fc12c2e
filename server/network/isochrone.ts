/** Walking isochrones: the area within a walk of a point, as buffered reached streets. */
import type { MultiLineString, MultiPolygon } from 'geojson';
import { bufferLines } from './buffer.js';
import type { WalkGraph } from './graph.js';
import { intervalsToLines, reachedIntervals } from './intervals.js';
import { walkFrom } from './search.js';
import { snapPoint, type Snap } from './snap.js';

/** Result of {@link isochrone}. */
export interface Isochrone {
  snap: Snap;
  /** Number of network nodes reached within the limit. */
  reachedNodes: number;
  /** Buffered reached streets. */
  polygon: MultiPolygon;
  /** The reached parts of the streets. */
  lines: MultiLineString;
}

/**
 * Walking isochrone around a point: snap → walkFrom → reachedIntervals → intervalsToLines →
 * bufferLines. The limit counts network distance from the snapped point; the walk from the
 * query point to the street is not subtracted.
 *
 * @param g the graph
 * @param lon start longitude
 * @param lat start latitude
 * @param limitM walking distance in metres (e.g. 1,200 m ≈ 15 minutes)
 * @param widthM buffer width around reached streets (default 50)
 * @param maxSnapM farthest the point may be from a walkable street (default 500)
 * @returns snap, reached node count, polygon and lines; null when the point cannot be snapped.
 * @example
 * const iso = isochrone(g, 121.6, 38.91, 1200);
 * iso?.polygon // { type: 'MultiPolygon', coordinates: … }
 */
export function isochrone(g: WalkGraph, lon: number, lat: number, limitM: number, widthM = 50, maxSnapM = 500): Isochrone | null {
  const snap = snapPoint(g, lon, lat, maxSnapM);
  if (!snap) return null;
  const reach = walkFrom(g, snap, limitM);
  const lines = intervalsToLines(g, reachedIntervals(g, reach));
  return {
    snap,
    reachedNodes: reach.reachedNodes.length,
    polygon: { type: 'MultiPolygon', coordinates: bufferLines(lines, widthM) },
    lines: { type: 'MultiLineString', coordinates: lines },
  };
}
