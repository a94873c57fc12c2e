/** A file that cannot be read at all (one rejected entry with `row: null` in the report). */
import type { ReasonCode } from '../records/types.js';

/** Reason codes of reports: the validator's plus the database checks'. */
export type RejectCode = ReasonCode | 'unreadable_file' | 'outside_city' | 'unknown_parent' | 'suspected_crs' | 'missing_column' | 'database_refused';

export class FileFormatError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
    readonly code: RejectCode = 'unreadable_file',
  ) {
    super(`${zh} / ${en}`);
  }
}
