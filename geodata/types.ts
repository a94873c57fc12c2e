import type { Feature, MultiPolygon, Point, Polygon, LineString } from 'geojson';
import type { StreetNetwork } from '../server/network/types.js';
import type { Amenity, StationStatus } from '../server/domain/stations.js';

/** Properties of a district, street or community. Codes are 12-digit statistical-style codes. */
export interface AdminProps {
  code: string;
  name: string;
  /** Code of the parent unit (absent for districts). */
  parentCode?: string;
}

export interface GridProps {
  /** 15 digits: the community's 12-digit code + a 3-digit sequence (west→east, north→south). */
  code: string;
  name: string;
  communityCode: string;
  leaderName: string;
  leaderPhone: string;
  partyBranch: string | null;
  population: number;
  households: number;
}

export interface StationProps {
  code: string;
  /** A code from STATION_TYPES. */
  type: string;
  name: string;
  address: string;
  amenities: Amenity[];
  /** OpenStreetMap opening_hours syntax, e.g. "24/7", "Mo-Fr 08:00-18:00". */
  openingHours: string;
  phone: string | null;
  operator: string | null;
  status: StationStatus;
}

export interface SampleCityMeta {
  /** Clearly fictional; the data is marked as sample everywhere it appears. */
  name: string;
  nameEn: string;
  sample: true;
  seed: number;
  size: string;
  crs: 'EPSG:4326';
  bbox: [number, number, number, number];
}

export interface SampleCity {
  meta: SampleCityMeta;
  districts: Feature<Polygon | MultiPolygon, AdminProps>[];
  streets: Feature<Polygon | MultiPolygon, AdminProps>[];
  communities: Feature<Polygon | MultiPolygon, AdminProps>[];
  grids: Feature<Polygon, GridProps>[];
  stations: Feature<Point, StationProps>[];
  network: StreetNetwork;
  /** The river (polygon) and rail line that the network crosses only at bridges. */
  barriers: Feature<Polygon | LineString, { kind: 'river' | 'rail'; name: string }>[];
}
