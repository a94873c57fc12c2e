/**
 * Deterministic sample-city generator: 滨海示例市（示例数据）, a fictional city near Dalian.
 *
 * `generateSampleCity({ seed, size })` is pure: no I/O, no Math.random/Date; the same seed and size give
 * byte-identical `JSON.stringify` output. All coordinates are WGS84 rounded to 7 decimals.
 *
 * Grid sequence rule (also used to number districts within the city, streets within a district and
 * communities within a street): units are sorted by the band of their centroid, counted from the city's
 * north edge, `band = floor((northEdge − centroidY) / bandHeight)` with bandHeight = √(city area / number of
 * units at that level) (≈ the grid spacing for grids), north band first; within a band, west → east by
 * centroid x (ties by internal index).
 */
import type { SampleCity } from '../types.js';
import { buildAdmin, type AdminConfig } from './admin.js';
import { Frame } from './geo.js';
import { CITY_NAME, CITY_NAME_EN, RIVER_NAME } from './names.js';
import { buildNetwork, type NetworkConfig } from './network.js';
import { River } from './river.js';
import { Rng } from './rng.js';
import { buildStations, type StationConfig } from './stations.js';
import { buildLifecircleStations } from './lifecircle.js';

export type SampleCitySize = 'small' | 'medium' | 'dalian';

export interface GenerateOptions {
  seed?: number;
  size?: SampleCitySize;
  /**
   * Where the city is: its centre [lon, lat] (default {@link CENTER}, near Dalian). The same seed and size give
   * the same city, in metres, wherever it is placed: used to test geodesy at other latitudes.
   */
  origin?: [number, number];
}

interface SizeConfig {
  width: number;
  height: number;
  admin: AdminConfig;
  network: NetworkConfig;
  stations: StationConfig;
}

export const SIZES: Record<SampleCitySize, SizeConfig> = {
  small: {
    width: 3000,
    height: 3000,
    admin: { districts: 2, streets: 4, communities: 16, grids: 125, centres: 1 },
    network: { spacing: 115, arterialGap: [600, 900], bridges: 3, bridgeSpacing: 800 },
    stations: { count: 50, gapZones: 1, gapRadius: [1100, 1300] },
  },
  medium: {
    width: 6000,
    height: 6000,
    admin: { districts: 4, streets: 16, communities: 64, grids: 500, centres: 2 },
    network: { spacing: 120, arterialGap: [600, 950], bridges: 5, bridgeSpacing: 900 },
    stations: { count: 200, gapZones: 2, gapRadius: [1100, 1500] },
  },
  dalian: {
    width: 25000,
    height: 20000,
    admin: { districts: 9, streets: 100, communities: 1000, grids: 10000, centres: 4 },
    network: { spacing: 135, arterialGap: [700, 1100], bridges: 12, bridgeSpacing: 1200 },
    stations: { count: 1000, gapZones: 8, gapRadius: [1400, 2400] },
  },
};

export const CENTER: [number, number] = [121.6, 38.91];

export function generateSampleCity(opts: GenerateOptions = {}): SampleCity {
  const seed = opts.seed ?? 1;
  const size = opts.size ?? 'small';
  const cfg = SIZES[size];
  if (!cfg) throw new Error(`unknown size: ${String(size)}`);
  if (!Number.isInteger(seed)) throw new Error('seed must be an integer');
  const [lon, lat] = opts.origin ?? CENTER;
  if (!(Math.abs(lon) <= 180 && Math.abs(lat) <= 80)) throw new Error('origin must be [lon, lat] with |lon| ≤ 180 and |lat| ≤ 80');

  const frame = new Frame(lon, lat, cfg.width, cfg.height);
  const river = new River(Rng.derive(seed, 'river'), cfg.width, cfg.height);
  const admin = buildAdmin(frame, river, cfg.admin, seed);
  const net = buildNetwork(frame, river, cfg.network, seed);
  const service = buildStations(frame, river, admin, net, cfg.stations, seed);
  const names = new Set(service.map((f) => f.properties.name));
  const stations = [...service, ...buildLifecircleStations(frame, river, admin, net, seed, service.length + 1, names)];

  return {
    meta: {
      name: CITY_NAME,
      nameEn: CITY_NAME_EN,
      sample: true,
      seed,
      size,
      crs: 'EPSG:4326',
      bbox: frame.bbox(),
    },
    districts: admin.districtFeatures,
    streets: admin.streetFeatures,
    communities: admin.communityFeatures,
    grids: admin.gridFeatures,
    stations,
    network: net.network,
    barriers: [
      {
        type: 'Feature',
        properties: { kind: 'river', name: RIVER_NAME },
        geometry: { type: 'Polygon', coordinates: [river.polygon(frame)] },
      },
    ],
  };
}
