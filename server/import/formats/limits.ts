/**
 * What an uploaded file may expand to (pure): archive and table limits, and the error that says
 * which one a file went past. A LimitExceeded is the HTTP 413 `too_large` of the import routes;
 * a file that is simply broken stays a FileFormatError (422).
 */

export interface UploadLimits {
  /** Bytes all entries of a zip (KMZ, Shapefile zip, XLSX) may inflate to together. */
  maxUnzippedBytes: number;
  /** Inflated : compressed bytes allowed per zip entry once it is past `ratioFloorBytes`. */
  maxZipRatio: number;
  /** Entries smaller than this (inflated) are never refused for their ratio. */
  ratioFloorBytes: number;
  /** Entries a zip may hold. */
  maxZipEntries: number;
  /** Non-empty rows a CSV/XLSX sheet may have (header and title rows included). */
  maxRows: number;
  /** Columns a CSV/XLSX row may have. */
  maxColumns: number;
  /** Bytes (UTF-8) one CSV/XLSX cell may hold. */
  maxCellBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxUnzippedBytes: 200 * 1024 * 1024,
  maxZipRatio: 100,
  ratioFloorBytes: 1024 * 1024,
  maxZipEntries: 10_000,
  maxRows: 500_000,
  maxColumns: 1_000,
  maxCellBytes: 32 * 1024,
};

export type LimitName = 'unzipped_bytes' | 'zip_ratio' | 'zip_entries' | 'rows' | 'columns' | 'cell_bytes';

/** The file goes past a limit: 413, nothing read further, nothing written. */
export class LimitExceeded extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
    /** Which limit, its value, and where (entry, row, column) when there is a place. */
    readonly details: { limit: LimitName; max: number; entry?: string; row?: number; column?: string },
  ) {
    super(`${zh} / ${en}`);
  }
}

export const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
export const kb = (bytes: number) => `${Math.round((bytes / 1024) * 10) / 10} KB`;

/** Spreadsheet column letters of a 0-based index: 0 → A, 26 → AA. */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
