/**
 * Upload page, pure logic: the CSV/XLSX column mapping the user adjusts in the preview and the
 * `columns` JSON sent with the preview and the import (header text → field, or null = ignore).
 */

import type { Static } from 'typebox';
import type { ColumnMapping as ColumnMappingSchema, TableField as TableFieldSchema } from '../../../server/schemas/imports.js';

export type TableField = Static<typeof TableFieldSchema>;

export const TABLE_FIELDS: readonly TableField[] = [
  'code',
  'name',
  'type',
  'address',
  'lon',
  'lat',
  'lonlat',
  'openingHours',
  'amenities',
  'phone',
  'operator',
  'status',
];

/** One column as the preview returns it. */
export type ColumnMapping = Static<typeof ColumnMappingSchema>;

/**
 * Sets column `index` to `field`; any other column mapped to the same field is cleared (the server
 * keeps only the first column of a field, so the page makes the choice explicit).
 */
export function assignField(columns: readonly ColumnMapping[], index: number, field: TableField | null): ColumnMapping[] {
  return columns.map((c, i) => (i === index ? { ...c, field } : field !== null && c.field === field ? { ...c, field: null } : { ...c }));
}

/**
 * The `columns` parameter: only the columns whose field differs from what the server detected
 * (so the query stays short), or undefined when nothing changed. Columns without header text
 * cannot be named and are left out.
 */
export function columnsParam(detected: readonly ColumnMapping[], chosen: readonly ColumnMapping[]): string | undefined {
  const out: Record<string, string | null> = {};
  chosen.forEach((c, i) => {
    if (!c.header) return;
    if ((detected[i]?.field ?? null) !== c.field) out[c.header] = c.field;
  });
  return Object.keys(out).length ? JSON.stringify(out) : undefined;
}

/** Required fields not mapped to any column (same rule as the server: lon+lat or lonlat). */
export function missingFields(chosen: readonly ColumnMapping[]): TableField[] {
  const seen = new Set(chosen.map((c) => c.field).filter((f): f is TableField => !!f));
  const missing = (['code', 'name', 'type', 'address', 'openingHours'] as TableField[]).filter((f) => !seen.has(f));
  if (!seen.has('lonlat') && !(seen.has('lon') && seen.has('lat'))) {
    if (!seen.has('lon')) missing.push('lon');
    if (!seen.has('lat')) missing.push('lat');
  }
  return missing;
}
