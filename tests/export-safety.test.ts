/**
 * Exports survive what people type into names (issue 13 item 5): control characters are stripped
 * so KML stays well-formed XML (checked with a strict XML parser), and spreadsheet cells that start
 * with = + - @ TAB or CR are neutralised in CSV and Excel. On both engines.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { SaxesParser } from 'saxes';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/db.js';

const env = useTestApp();

/** Parses XML strictly (XML 1.0 well-formedness, character ranges included); returns the text of every <name>. */
function parseXml(xml: string): string[] {
  const p = new SaxesParser({ xmlns: false });
  const names: string[] = [];
  let inName = false;
  let text = '';
  p.on('error', (e) => {
    throw e;
  });
  p.on('opentag', (t) => {
    if (t.name === 'name') {
      inName = true;
      text = '';
    }
  });
  p.on('text', (t) => {
    if (inName) text += t;
  });
  p.on('closetag', (t) => {
    if (t.name === 'name') {
      inName = false;
      names.push(text);
    }
  });
  p.write(xml).close();
  return names;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
let grid: { id: number; code: string };
let station: { code: string };

beforeAll(async () => {
  grid = (await sql<{ id: number; code: string }>`SELECT id, code FROM grids WHERE deleted_at IS NULL ORDER BY code LIMIT 1`.execute(env.db.kysely)).rows[0];
  station = (await sql<{ code: string }>`SELECT code FROM stations WHERE deleted_at IS NULL ORDER BY code LIMIT 1`.execute(env.db.kysely)).rows[0];
  // What a careless paste leaves behind: control characters, markup, formula starts.
  await sql`UPDATE grids SET name = ${'网格\u0001\u0008甲<&>\u001F'}, leader_name = ${'\t=1+1'}, leader_phone = ${'\r=cmd|calc'}, version = version + 1, updated_at = now() WHERE id = ${grid.id}`.execute(
    env.db.kysely,
  );
  await sql`UPDATE stations SET name = ${'驿站\u000B乙\u007F'}, address = ${'@SUM(A1)'}, version = version + 1, updated_at = now() WHERE code = ${station.code}`.execute(
    env.db.kysely,
  );
  env.app.city.invalidate();
});

describe('exports with control characters and formula starts in names', () => {
  it('the input really holds control characters (the test can fail)', async () => {
    const r = await sql<{ name: string }>`SELECT name FROM grids WHERE id = ${grid.id}`.execute(env.db.kysely);
    expect(r.rows[0].name).toMatch(CONTROL);
    // The characters alone make XML malformed for the parser used below.
    expect(() => parseXml('<a>\u0001</a>')).toThrow();
  });

  it('KML of grids and stations is well-formed XML; names keep their text without the control characters', async () => {
    for (const layer of ['grids', 'stations'] as const) {
      const r = await env.app.inject({ url: `/api/export/${layer}?format=kml` });
      expect(r.statusCode).toBe(200);
      const names = parseXml(r.body);
      expect(names.some((n) => CONTROL.test(n))).toBe(false);
      if (layer === 'grids') expect(names).toContain('网格甲<&>');
      else expect(names).toContain('驿站乙');
    }
  });

  it('CSV: no control characters, and = + - @ TAB CR at the start of a text cell are neutralised', async () => {
    const r = await env.app.inject({ url: '/api/coverage?types=courier_station&format=csv&level=grid' });
    expect(r.statusCode).toBe(200);
    const rows = Papa.parse<string[]>(r.body.replace(/^\uFEFF/, ''), { skipEmptyLines: true }).data;
    const row = rows.find((x) => x[0] === grid.code)!;
    expect(row).toBeDefined();
    expect(row[1]).toBe('网格甲<&>');
    expect(row[4]).toBe("'\t=1+1");
    expect(row[5]).toBe("'\r=cmd|calc");
    expect(rows.flat().some((c) => CONTROL.test(c))).toBe(false);
    // Every text cell that a spreadsheet would run starts with the apostrophe.
    for (const c of rows.flat()) if (/^[=+@\t\r]/.test(c) || (/^-/.test(c) && Number.isNaN(Number(c)))) throw new Error(`unguarded cell ${JSON.stringify(c)}`);
  });

  it('Excel: the same cells are text with the apostrophe, and no control characters reach the sheet XML', async () => {
    const r = await env.app.inject({ url: '/api/coverage?types=courier_station&format=xlsx' });
    expect(r.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('网格')!;
    let found = 0;
    ws.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      for (const v of values) if (typeof v === 'string') expect(v).not.toMatch(CONTROL);
      if (values[0] === grid.code) {
        found++;
        expect(values[1]).toBe('网格甲<&>');
        expect(values[4]).toBe("'\t=1+1");
        expect(values[5]).toMatch(/^'[\r\n]=cmd\|calc$/); // XML readers normalise CR to LF; the apostrophe is what counts
      }
    });
    expect(found).toBe(1);
  });
});
