/** Walking areas (isochrones) over the in-memory city's street graph. */
import type { CityStore } from '../city/store.js';
import type { WalkGraph } from './graph.js';
import { isochrone } from './isochrone.js';
import { isochroneFeature, limitM, type IsochroneParams } from './present.js';

export interface IsochroneSettings {
  walkSpeedKmh: number;
  bufferM: number;
  maxSnapM: number;
}

/** The isochrone's Feature as JSON text, computed somewhere else (the worker pool); null when the point is off the network. */
export type IsochroneRunner = (g: WalkGraph, lon: number, lat: number, p: IsochroneParams, maxSnapM: number) => Promise<string | null>;

/** The same on this thread. */
export function isochroneJson(g: WalkGraph, lon: number, lat: number, p: IsochroneParams, maxSnapM: number): string | null {
  const iso = isochrone(g, lon, lat, limitM(p), p.bufferM, maxSnapM);
  return iso ? JSON.stringify(isochroneFeature(iso, p)) : null;
}

export class IsochroneService {
  constructor(
    readonly city: CityStore,
    readonly settings: IsochroneSettings,
    private readonly runner?: IsochroneRunner,
  ) {}

  /**
   * The walking area from any point within `minutes`, as the Feature's JSON text (built where it
   * is computed: a 60-minute area is megabytes, and serialising it must not hold the event loop).
   * @returns null when there is no network or the point is off it.
   */
  async isochroneJson(lon: number, lat: number, minutes: number): Promise<string | null> {
    const d = await this.city.snapshot();
    if (!d.graph) return null;
    const { walkSpeedKmh, bufferM, maxSnapM } = this.settings;
    const p = { minutes, walkSpeedKmh, bufferM };
    return this.runner ? this.runner(d.graph, lon, lat, p, maxSnapM) : isochroneJson(d.graph, lon, lat, p, maxSnapM);
  }
}
