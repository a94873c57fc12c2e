/**
 * Text cells of every export, made safe (pure): control characters stripped (XML 1.0 — KML and the
 * XML inside .xlsx — cannot carry C0 controls even escaped), and cells a spreadsheet would run as
 * a formula neutralised. One home for both rules: KML (./kml.ts), Excel (./xlsx.ts) and CSV
 * (../coverage/csv.ts) call these.
 */

/** C0 controls other than TAB, LF and CR, DEL, and the C1 range; lone surrogates and U+FFFE/U+FFFF (not XML characters either). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Removes characters no export may carry.
 * @example stripControlChars('网格\u0001一') // '网格一'
 */
export const stripControlChars = (s: string): string => s.replace(CONTROL, '');

/** A leading character that makes Excel / LibreOffice / Sheets read a cell as a formula (OWASP CSV injection: = + - @, TAB, CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text for a spreadsheet cell (CSV or Excel): control characters stripped, and a leading formula
 * character prefixed with an apostrophe, so "=HYPERLINK(…)" or "\t=1+1" shows as text.
 * @example spreadsheetText('=1+1') // "'=1+1"
 */
export function spreadsheetText(s: string): string {
  const clean = stripControlChars(s);
  return FORMULA_START.test(clean) ? `'${clean}` : clean;
}
