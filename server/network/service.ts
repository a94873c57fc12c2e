/** Walking areas (isochrones) over the in-memory city's street graph. */
import type { CityStore } from '../city/store.js';
import { isochrone } from './graph.js';

export interface IsochroneSettings {
  walkSpeedKmh: number;
  bufferM: number;
  maxSnapM: number;
}

export class IsochroneService {
  constructor(
    readonly city: CityStore,
    readonly settings: IsochroneSettings,
  ) {}

  /** The walking area from any point within `minutes`; null when the point is off the network or there is none. */
  async isochrone(lon: number, lat: number, minutes: number) {
    const d = await this.city.snapshot();
    if (!d.graph) return null;
    const limit = (minutes * this.settings.walkSpeedKmh * 1000) / 60;
    const iso = isochrone(d.graph, lon, lat, limit, this.settings.bufferM, this.settings.maxSnapM);
    return iso ? { ...iso, limitM: limit } : null;
  }
}
