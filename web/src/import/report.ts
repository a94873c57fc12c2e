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

/** What happened to one row of the file (whole-file problems, row null, are not rows). */
export interface RowResult {
  row: number;
  /** The record's code: kept, generated, or taken from the matched station; the file's own code for a rejected row, if any. */
  code: string | null;
  result: 'create' | 'update' | 'unchanged' | 'rejected';
  /** Stations: how an accepted row found its station — its code, its name + position (rows without a code), or none (new). */
  matchedBy: 'code' | 'name_position' | 'none' | null;
  codeGenerated: boolean;
  /** Stations: the hours as stored (OSM opening_hours) and, when converted, as the file wrote them. */
  hours: string | null;
  hoursText: string | null;
  /** Rejected rows: every problem of the row. */
  problems: RejectedRow[];
}

/**
 * One entry per row, in file order: the accepted rows from `changes`, the rejected ones from
 * `rejected` (a row with several problems once, with all of them).
 */
export function rowResults(r: ImportReport): RowResult[] {
  const out: RowResult[] = r.changes.map((c) => ({
    row: c.row,
    code: c.code,
    result: c.action,
    matchedBy: c.matched_by ?? null,
    codeGenerated: c.code_generated ?? false,
    hours: c.opening_hours ?? null,
    hoursText: c.opening_hours_text ?? null,
    problems: [],
  }));
  const rejected = new Map<number, RowResult>();
  for (const x of r.rejected) {
    if (x.row === null) continue;
    let e = rejected.get(x.row);
    if (!e) {
      e = { row: x.row, code: x.feature_code ?? null, result: 'rejected', matchedBy: null, codeGenerated: false, hours: null, hoursText: null, problems: [] };
      rejected.set(x.row, e);
    }
    e.problems.push(x);
  }
  return [...out, ...rejected.values()].sort((a, b) => a.row - b.row);
}

/** Rows the page lists at most (a 200k-row import is counted above, not drawn row by row). */
export const MAX_LISTED_ROWS = 500;
