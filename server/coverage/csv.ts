/** CSV for Excel users: UTF-8 with a BOM (so Excel reads Chinese correctly), CRLF line ends. */
import { spreadsheetText } from '../export/text.js';

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/\.?0+$/, '')) : String(v);
  // Text: control characters stripped, a leading = + - @ TAB CR neutralised (../export/text.ts); then quoted when needed.
  const safe = typeof v === 'number' ? s : spreadsheetText(s);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/**
 * @example toCsv(['名称', 'name'], [['网格', 'grid']]) // '\uFEFF名称,name\r\n网格,grid\r\n'
 */
export function toCsv(headers: string[], rows: unknown[][]): string {
  return `\uFEFF${[headers, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
