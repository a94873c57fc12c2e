/** The import pipeline's options, progress events and report. */
import type { Message } from '../../validation/problem.js';
import type { Crs } from '../crs.js';
import type { ImportFormat, ReadOptions, Rejected, readImportFile } from '../formats/read.js';
import type { AdminRecord, GridRecord, ImportKind, StationRecord } from '../records/types.js';

export interface ImportReport {
  kind: ImportKind;
  format: ImportFormat;
  crs: Crs;
  dry_run: boolean;
  /** True when the rows were written. */
  committed: boolean;
  /** Features/rows in the file. */
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Every problem found, each naming its row (a row may have several; `row: null` = the whole file). */
  rejected: Rejected[];
  /** Rows with at least one problem (problems of the whole file are listed in `rejected` with `row: null` but are not rows): created + updated + unchanged + rejected_rows = total. */
  rejected_rows: number;
  /** What happens (or happened) to each accepted row; stations also say how the row matched and the hours stored. */
  changes: {
    row: number;
    code: string;
    action: 'create' | 'update' | 'unchanged';
    matched_by?: 'code' | 'name_position' | 'none';
    code_generated?: boolean;
    opening_hours?: string;
    opening_hours_text?: string;
  }[];
  warnings: Message[];
  info: Record<string, unknown>;
  /** Polygons repaired (only with `repair`): what was fixed, and the geodesic area before and after. */
  repairs: RepairEntry[];
  /** The coordinate-system check (stations, when a street network is loaded). */
  crs_check?: {
    suspected: Crs | null;
    verdict: 'suspected' | 'fits' | 'not_enough_evidence';
    log10_ratio: number;
    mean_m: Record<Crs, number>;
    median_m: Record<Crs, number>;
    points: number;
  };
}

/** One repaired polygon. `location`s are in the file's coordinate system. */
export interface RepairEntry {
  row: number;
  feature_code?: string;
  /** Each problem that was fixed: duplicate_points, spike, self_intersection, overlapping_parts, sliver, invalid_geometry. */
  fixes: { code: string; reason_zh: string; reason_en: string; location?: [number, number] }[];
  /** As the file has it (overlapping parts counted twice). */
  area_before_m2: number;
  area_after_m2: number;
}

export interface ImportProgress {
  phase: 'read' | 'check' | 'write';
  done: number;
  total: number;
}

export interface ImportOptions extends ReadOptions {
  dryRun?: boolean;
  /** Written to updated_by and the history tables. */
  by?: string;
  /** Import even when the coordinate-system check suspects a wrong --crs. */
  force?: boolean;
  /** Distance (m) beyond the districts that still counts as inside the city. Default 1000. */
  cityToleranceM?: number;
  onProgress?: (p: ImportProgress) => void;
  /** Reads the file (default readImportFile here; the server reads on its parsing thread). */
  read?: typeof readImportFile;
}

export type AnyRecord = AdminRecord | GridRecord | StationRecord;
