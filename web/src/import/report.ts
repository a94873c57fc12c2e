/**
 * Upload page, pure logic: reading an import report — may the import be committed, which rows
 * were rejected, and the upload progress text.
 */

export interface RejectedRow {
  row: number | null;
  code: string;
  feature_code?: string;
  reason_zh: string;
  reason_en: string;
}

export interface ImportReport {
  kind: string;
  format: string;
  crs: string;
  dry_run: boolean;
  committed: boolean;
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
  changes: { row: number; code: string; action: string }[];
  warnings: { zh: string; en: string }[];
  info: Record<string, unknown>;
  crs_check?: { suspected: string | null; mean_m: Record<string, number>; median_m: Record<string, number>; points: number };
}

/** True when the only objections are the coordinate-system check's (then `force` may override). */
export const onlyCrsObjects = (r: ImportReport): boolean => r.rejected.length > 0 && r.rejected.every((x) => x.code === 'suspected_crs');

export type CommitState = 'ready' | 'needs_force' | 'blocked';

/**
 * Whether 提交导入 is allowed after this dry run: a clean report → ready; only the CRS check
 * objects → ready once `force` is ticked; any other rejected row → blocked.
 */
export function commitState(r: ImportReport | null, force: boolean): CommitState {
  if (!r || !r.dry_run) return 'blocked';
  if (r.rejected.length === 0) return 'ready';
  if (onlyCrsObjects(r)) return force ? 'ready' : 'needs_force';
  return 'blocked';
}

/** Rejected rows sorted by row (whole-file problems, row null, first). */
export const sortedRejected = (r: ImportReport): RejectedRow[] => [...r.rejected].sort((a, b) => (a.row ?? -1) - (b.row ?? -1));

/** Upload share 0..1 from XHR progress; null when the total is unknown. */
export const uploadShare = (loaded: number, total: number): number | null => (total > 0 ? Math.min(1, Math.max(0, loaded / total)) : null);
