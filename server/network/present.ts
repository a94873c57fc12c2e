/** The isochrone as the API serves it: a GeoJSON Feature with its parameters and geodesic area. */
import { areaM2 } from '../geo/measure.js';
import type { Isochrone } from './isochrone.js';

export interface IsochroneParams {
  minutes: number;
  walkSpeedKmh: number;
  bufferM: number;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

export function isochroneFeature(iso: Isochrone, p: IsochroneParams) {
  return {
    type: 'Feature' as const,
    geometry: iso.polygon,
    properties: {
      minutes: p.minutes,
      limit_m: r2(limitM(p)),
      walk_speed_kmh: p.walkSpeedKmh,
      buffer_m: p.bufferM,
      reached_nodes: iso.reachedNodes,
      snap_distance_m: r2(iso.snap.distanceM),
      area_m2: r2(areaM2(iso.polygon)),
      lines: iso.lines,
    },
  };
}

/** Walking distance in `minutes` at the profile's speed, metres. */
export const limitM = (p: Pick<IsochroneParams, 'minutes' | 'walkSpeedKmh'>) => (p.minutes * p.walkSpeedKmh * 1000) / 60;
