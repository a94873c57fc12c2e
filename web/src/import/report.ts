/**
 * Upload page, pure logic: reading an import report — may the import be committed, which rows
 * were rejected, and the upload progress text.
 */
import type { Static } from 'typebox';
import type { ImportReport as ImportReportSchema, RejectedRow as RejectedRowSchema } from '../../../server/schemas/imports.js';

export type RejectedRow = Static<typeof RejectedRowSchema>;

export type ImportReport = Static<typeof ImportReportSchema>;

/** True when the only objections are the coordinate-system check's (then `force` may override). */
export const onlyCrsObjects = (r: ImportReport): boolean => r.rejected.length > 0 && r.rejected.every((x) => x.code === 'suspected_crs');

export type CommitState = 'ready' | 'needs_force' | 'blocked';

/**
 * Whether 提交导入 is allowed after this dry run: a clean report → ready; only the CRS check
 * objects → ready once `force` is ticked; any other rejected row → blocked.
 */
export function commitState(r: ImportReport | null, force: boolean): CommitState {
  if (!r?.dry_run) return 'blocked';
  if (r.rejected.length === 0) return 'ready';
  if (onlyCrsObjects(r)) return force ? 'ready' : 'needs_force';
  return 'blocked';
}

/** Rejected rows sorted by row (whole-file problems, row null, first). */
export const sortedRejected = (r: ImportReport): RejectedRow[] => [...r.rejected].sort((a, b) => (a.row ?? -1) - (b.row ?? -1));

/** Upload share 0..1 from XHR progress; null when the total is unknown. */
export const uploadShare = (loaded: number, total: number): number | null => (total > 0 ? Math.min(1, Math.max(0, loaded / total)) : null);
