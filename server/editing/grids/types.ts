/** The types of grid edits: limits, the editable attributes, a grid's locked state and the result of a change. */
import type { Polygon } from 'geojson';
import type { GridOperation } from '../../db/schema.js';
import type { Problem } from '../../validation/problem.js';

export interface EditLimits {
  /** Smallest grid allowed after any edit, m². */
  minAreaM2: number;
  /** Largest grid allowed, m². */
  maxAreaM2: number;
  /** Area a polygon may stick out of its street/community, or leave uncovered, as drawing noise, m². */
  toleranceM2: number;
}

export const DEFAULT_LIMITS: EditLimits = { minAreaM2: 200, maxAreaM2: 20_000_000, toleranceM2: 1 };

/** Attributes an editor may set (geometry aside). */
export interface GridAttributes {
  name?: string;
  leader_name?: string | null;
  leader_phone?: string | null;
  party_branch?: string | null;
  population?: number;
  households?: number;
}

/** A grid as an edit reads it (geometry as hex EWKB). */
export interface GridState {
  id: number;
  code: string;
  name: string;
  community_id: number;
  community_code: string;
  street_id: number;
  leader_name: string | null;
  leader_phone: string | null;
  party_branch: string | null;
  population: number;
  households: number;
  version: number;
  deleted: boolean;
  geom: string; // hex EWKB
  area_m2: number;
}

export type ChangeRole = 'edited' | 'adjusted' | 'created' | 'deleted' | 'restored';

export interface GridChange {
  grid_id: number;
  code: string;
  name: string;
  role: ChangeRole;
  operation: GridOperation;
  version_before: number | null;
  version_after: number;
  area_m2_before: number;
  area_m2_after: number;
  population_before: number;
  population_after: number;
  households_before: number;
  households_after: number;
  stations_before: number;
  stations_after: number;
  /** The grid after the change (null when deleted). */
  geometry: Polygon | null;
  /** Before, for the impact preview (null when created). */
  geometry_before: Polygon | null;
}

export interface EditResult {
  /** null when nothing changed (an unchanged polygon and attributes sent back). */
  change_id: number | null;
  operation: GridOperation;
  changes: GridChange[];
  warnings: Problem[];
}
