/**
 * What the import validators produce: the kinds of record, the records ready to insert (WGS84),
 * and the per-feature errors (0-based feature index, Chinese first).
 */
import type { MultiPolygon, Point, Polygon } from 'geojson';
import type { GridProps, StationProps } from '../../../geodata/types.js';
import type { Problem } from '../../validation/problem.js';

export type ImportKind = 'districts' | 'streets' | 'communities' | 'grids' | 'stations';
export const IMPORT_KINDS: readonly ImportKind[] = ['districts', 'streets', 'communities', 'grids', 'stations'];

export type AdminLevel = 'district' | 'street' | 'community';
export const ADMIN_LEVEL_OF: Record<'districts' | 'streets' | 'communities', AdminLevel> = {
  districts: 'district',
  streets: 'street',
  communities: 'community',
};

/** Machine-readable reason of a rejected feature (reports and the HTTP API). */
export type ReasonCode =
  | 'invalid_coordinates'
  | 'swapped_lat_lon'
  | 'projected_coordinates'
  | 'missing_geometry'
  | 'invalid_geometry'
  | 'missing_field'
  | 'unknown_type'
  | 'duplicate_code'
  | 'invalid_value'
  | 'invalid_file';

export interface ImportError {
  /** 0-based index of the feature in `features`; −1 for problems with the file as a whole. */
  feature: number;
  /** The feature's code, when it has one. */
  id?: string;
  /** Chinese first, then English: "第 3 个要素（code …）：… / feature #3 (code …): …". */
  message: string;
  /** Why, machine-readable (absent on old-style file errors: treat as invalid_file). */
  reason?: ReasonCode;
  /** The reason alone (without the feature ordinal), Chinese and English. */
  zh?: string;
  en?: string;
  /** Where (file coordinates), when the problem has a place. */
  location?: [number, number];
}

/** A district, street or community, ready to insert (WGS84). */
export interface AdminRecord {
  level: AdminLevel;
  code: string;
  name: string;
  /** Required for streets and communities; null for districts unless given. */
  parentCode: string | null;
  geometry: Polygon | MultiPolygon;
}

/** A grid, ready to insert (WGS84). */
export interface GridRecord extends GridProps {
  geometry: Polygon;
}

/** A service station, ready to insert (WGS84). */
export interface StationRecord extends StationProps {
  geometry: Point;
  /** Present (true) when the list gave no code and `code` was generated (./stations.ts generatedStationCode). */
  codeGenerated?: true;
  /** The opening hours as the list wrote them, when they were converted to the OSM form in `openingHours`. */
  openingHoursText?: string;
}

export interface ImportRecordByKind {
  districts: AdminRecord;
  streets: AdminRecord;
  communities: AdminRecord;
  grids: GridRecord;
  stations: StationRecord;
}

/** What a repair will fix in one record (found without a database), and its geometry as read (WGS84). */
export interface RepairNotes {
  notes: Problem[];
  asRead: Polygon | MultiPolygon;
}

/** `repairs[i]` belongs to `records[i]` (only with `ParseOptions.repair`). */
export type ImportResult<R> = { ok: true; records: R[]; repairs?: (RepairNotes | undefined)[] } | { ok: false; errors: ImportError[] };

export interface ParseOptions {
  /** Stop recording errors after this many (a final note says how many more there were). Default 100. */
  maxErrors?: number;
  /** Rings with more segments than this are checked with an indexed search instead of turf.kinks. Default 3000. */
  kinksBruteForceLimit?: number;
  /** Remove repeated points and spikes, let self-intersections through for repair, and note each (see ./geometry.ts). */
  repair?: boolean;
}
