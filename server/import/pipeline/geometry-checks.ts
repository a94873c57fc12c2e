/**
 * The polygons of an import, checked as the editor checks a drawn polygon and as they will be
 * stored (read-only; part of every dry run):
 *
 * 1. every polygon is put on the storage grid (1e-9°) and wound as RFC 7946 wants (exterior
 *    counter-clockwise, holes clockwise) — what is checked is exactly what will be written;
 * 2. PostGIS judges it (../../db/validity.repository.ts): `ST_IsValidDetail` (self-intersections,
 *    holes outside the shell …, worded by ../../validation/polygons.ts as for the editor),
 *    MultiPolygon parts that overlap (with the overlap's area), sliver parts and holes;
 * 3. without `repair` each finding rejects its row, with a place (in the file's coordinates);
 *    with `repair` the polygon is repaired in PostGIS (`ST_MakeValid` keeping structure, so
 *    overlapping parts are unioned; slivers dropped; the storage grid) and the change is reported
 *    — each fix and the area before and after. A repair that does not give a valid polygon of the
 *    right kind (a grid must stay one polygon) rejects the row, saying why.
 */
import type { Kysely } from 'kysely';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Database } from '../../db/schema.js';
import { polygonFindings, repairPolygons } from '../../db/validity.repository.js';
import type { Problem } from '../../validation/problem.js';
import { geosReasonProblem, overlappingParts, rewindRfc7946, sliver, snapToGrid } from '../../validation/polygons.js';
import { convertPosition, type Crs } from '../crs.js';
import type { ReadResult, Rejected } from '../formats/read.js';
import type { ImportKind } from '../records/types.js';
import type { RepairEntry } from './types.js';

type Poly = Polygon | MultiPolygon;
type At = [number, number];

/** Problems per record index, places in the file's coordinate system. */
async function findings(q: Kysely<Database>, geoms: Poly[], crs: Crs): Promise<Map<number, Problem[]>> {
  const f = await polygonFindings(q, geoms);
  const here = (x: number | null, y: number | null): At | undefined => {
    if (x === null || y === null) return undefined;
    const p = convertPosition([x, y], 'wgs84', crs);
    return [p[0], p[1]];
  };
  const out = new Map<number, Problem[]>();
  const add = (i: number, p: Problem) => out.set(i, [...(out.get(i) ?? []), p]);
  const overlapping = new Set(f.overlaps.map((o) => o.i));
  for (const o of f.overlaps) add(o.i, overlappingParts(o.a, o.b, o.area_m2, here(o.x, o.y)!));
  // Overlapping parts are what makes such a MultiPolygon invalid: its "Self-intersection" says no more.
  for (const d of f.invalid) if (!(overlapping.has(d.i) && /^self-intersection/i.test(d.reason))) add(d.i, geosReasonProblem(d.reason, here(d.x, d.y)));
  for (const s of f.slivers) add(s.i, sliver(geoms[s.i].type === 'MultiPolygon' ? s.part : null, s.hole, s.area_m2, s.width_m, here(s.x, s.y)!));
  return out;
}

const rejection = (row: number, code: string | undefined, p: Problem, extra: { zh: string; en: string } = { zh: '', en: '' }): Rejected => ({
  row,
  code: 'invalid_geometry',
  ...(code ? { feature_code: code } : {}),
  ...(p.location ? { location: p.location } : {}),
  reason_zh: `几何无效：${p.zh}${extra.zh}`,
  reason_en: `invalid geometry: ${p.en}${extra.en}`,
});

/**
 * Checks (and with `repair` repairs) the polygons of `read` in place: each record's geometry becomes
 * the one that will be stored. Returns the rejected rows and the repairs.
 */
export async function checkPolygons(
  q: Kysely<Database>,
  read: ReadResult<ImportKind>,
  repair: boolean,
): Promise<{ rejected: Rejected[]; bad: Set<number>; repairs: RepairEntry[] }> {
  const rejected: Rejected[] = [];
  const bad = new Set<number>();
  const repairs: RepairEntry[] = [];
  if (read.kind === 'stations') return { rejected, bad, repairs };
  const recs = read.records;
  for (const r of recs) r.record.geometry = rewindRfc7946(snapToGrid(r.record.geometry as Poly));
  const found = await findings(
    q,
    recs.map((r) => r.record.geometry as Poly),
    read.crs,
  );

  if (!repair) {
    for (const [i, problems] of found) {
      const { row, record } = recs[i];
      bad.add(row);
      for (const p of problems) rejected.push(rejection(row, record.code, p, { zh: '（可用“修复”选项自动修复）', en: ' (the repair option can fix this)' }));
    }
    return { rejected, bad, repairs };
  }

  // Repair what the file-level checks noted (repeated points, spikes, self-intersections) and what PostGIS found.
  const todo = recs
    .map((r, i) => {
      const early = r.repair?.notes ?? [];
      // A crossing found while reading is the same one PostGIS calls "Self-intersection": say it once.
      const crossing = early.some((n) => n.code === 'self_intersection');
      const late = (found.get(i) ?? []).filter((p) => !(crossing && p.code === 'invalid_geometry' && /自相交/.test(p.zh)));
      return { i, notes: [...early, ...late] };
    })
    .filter((x) => x.notes.length > 0);
  const fixed = await repairPolygons(
    q,
    todo.map(({ i }) => ({ geometry: recs[i].record.geometry as Poly, asRead: (recs[i].repair?.asRead ?? recs[i].record.geometry) as Poly })),
  );
  const candidates: { i: number; geometry: Poly }[] = [];
  fixed.forEach((f, j) => {
    const { i, notes } = todo[j];
    const { row, record } = recs[i];
    const why = notes.map((n) => n.zh).join('；');
    const whyEn = notes.map((n) => n.en).join('; ');
    if (!f.geometry) {
      bad.add(row);
      rejected.push({
        row,
        code: 'invalid_geometry',
        ...(record.code ? { feature_code: record.code } : {}),
        reason_zh: `无法自动修复：修复后不剩任何面（${why}）`,
        reason_en: `cannot be repaired: nothing is left once repaired (${whyEn})`,
      });
      return;
    }
    if (read.kind === 'grids' && f.parts !== 1) {
      bad.add(row);
      rejected.push({
        row,
        code: 'invalid_geometry',
        ...(record.code ? { feature_code: record.code } : {}),
        ...(notes[0]?.location ? { location: notes[0].location } : {}),
        reason_zh: `无法自动修复：修复后分成 ${f.parts} 个互不相连的部分，而网格必须是单个多边形（${why}）`,
        reason_en: `cannot be repaired: repaired it falls into ${f.parts} separate parts, and a grid must be a single polygon (${whyEn})`,
      });
      return;
    }
    candidates.push({ i, geometry: f.geometry });
    repairs.push({
      row,
      ...(record.code ? { feature_code: record.code } : {}),
      fixes: notes.map((n) => ({ code: n.code, reason_zh: n.zh, reason_en: n.en, ...(n.location ? { location: n.location } : {}) })),
      area_before_m2: f.area_before_m2,
      area_after_m2: f.area_after_m2,
    });
  });
  // The repaired polygons must pass the same checks.
  const again = await findings(
    q,
    candidates.map((c) => c.geometry),
    read.crs,
  );
  candidates.forEach((c, j) => {
    const { row, record } = recs[c.i];
    const left = again.get(j);
    if (left) {
      bad.add(row);
      const k = repairs.findIndex((r) => r.row === row);
      if (k >= 0) repairs.splice(k, 1);
      for (const p of left) rejected.push({ ...rejection(row, record.code, p), reason_zh: `无法自动修复：${p.zh}`, reason_en: `cannot be repaired: ${p.en}` });
      return;
    }
    record.geometry = c.geometry as typeof record.geometry;
  });
  return { rejected, bad, repairs };
}
