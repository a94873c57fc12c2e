/**
 * Polygon rules shared by the editor and every importer (pure, no database):
 *
 * - **The storage grid.** Polygons are stored with every coordinate on a 1e-9° grid (≈ 0.1 mm), the
 *   grid the editor's GEOS overlays already run on (../editing/grids/queries.ts `GRID`), and served
 *   with 9 decimals (`SERVED_DECIMALS`): what the API or an export serves is exactly what is stored,
 *   so a served polygon is as valid as the stored one and sending it back changes nothing.
 * - **RFC 7946 winding**: exterior rings counter-clockwise, holes clockwise (`rewindRfc7946`).
 * - **Ring defects a file often has** and the database does not call invalid: consecutive duplicate
 *   points and spikes (the ring runs out to a vertex and straight back). `ringDefects` finds them
 *   with a place; `withoutRingDefects` removes them (used only when an import asks for repair).
 * - **What PostGIS says** (`ST_IsValidDetail` reasons) in Chinese and English (`geosReasonProblem`),
 *   and the sliver thresholds the importers' database check uses.
 */
import type { MultiPolygon, Point, Polygon, Position } from 'geojson';
import type { Problem } from './problem.js';
import { signedArea2 } from './geometry.js';

/** The storage grid, degrees. */
export const GRID_DEG = 1e-9;
/** Decimals every served polygon carries: the storage grid exactly. */
export const SERVED_DECIMALS = 9;

/** A part or hole smaller than this (m²) is a sliver. */
export const SLIVER_MAX_AREA_M2 = 1;
/** … or one whose mean width (2 · area / perimeter) is below this (m). */
export const SLIVER_MAX_WIDTH_M = 0.5;
/** A vertex where the ring turns back by more than 180° − this angle (degrees) is a spike. */
export const SPIKE_MAX_ANGLE_DEG = 0.5;

/** One coordinate on the storage grid: the double nearest to k · 1e-9 (what 9 decimals print and parse back to). */
export const snapCoordinate = (v: number) => Math.round(v * 1e9) / 1e9 || 0; // (no −0)

const snapRing = (ring: Position[]) => ring.map((p) => [snapCoordinate(p[0]), snapCoordinate(p[1])]);

/** A geometry with every coordinate on the storage grid (2D). */
export function snapToGrid<G extends Polygon | MultiPolygon | Point>(g: G): G {
  if (g.type === 'Point') return { type: 'Point', coordinates: [snapCoordinate(g.coordinates[0]), snapCoordinate(g.coordinates[1])] } as G;
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: g.coordinates.map(snapRing) } as G;
  return { type: 'MultiPolygon', coordinates: (g as MultiPolygon).coordinates.map((rings) => rings.map(snapRing)) } as G;
}

/** Reverses a ring keeping its first position (as PostGIS ST_ForcePolygonCCW does). */
const reversed = (ring: Position[]) => [ring[0], ...ring.slice(1, -1).reverse(), ring[ring.length - 1]];

const rewindRings = (rings: Position[][]) => rings.map((ring, k) => ((k === 0) !== signedArea2(ring) > 0 && signedArea2(ring) !== 0 ? reversed(ring) : ring));

/** RFC 7946 winding: exterior rings counter-clockwise, holes clockwise (zero-area rings are left alone). */
export function rewindRfc7946<G extends Polygon | MultiPolygon>(g: G): G {
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: rewindRings(g.coordinates) } as G;
  return { type: 'MultiPolygon', coordinates: (g as MultiPolygon).coordinates.map(rewindRings) } as G;
}

/** Whether every ring already has RFC 7946 winding. */
export const isRfc7946 = (g: Polygon | MultiPolygon) =>
  (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).every((rings) =>
    rings.every((ring, k) => signedArea2(ring) === 0 || (k === 0) === signedArea2(ring) > 0),
  );

export interface RingDefects {
  /** Positions repeated by the next position. */
  duplicates: Position[];
  /** Spike tips. */
  spikes: Position[];
}

/** The angle (degrees) at b between b→a and b→c, in local metres (longitude shrunk by cos latitude). */
function angleAt(a: Position, b: Position, c: Position): number {
  const k = Math.cos((b[1] * Math.PI) / 180);
  const ux = (a[0] - b[0]) * k;
  const uy = a[1] - b[1];
  const vx = (c[0] - b[0]) * k;
  const vy = c[1] - b[1];
  return (Math.abs(Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)) * 180) / Math.PI;
}

/** The ring's vertices without the closing position and without consecutive duplicates. */
function distinctVertices(ring: readonly Position[]): { vertices: Position[]; duplicates: Position[] } {
  const vertices: Position[] = [];
  const duplicates: Position[] = [];
  const open = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring.slice();
  for (const p of open) {
    const last = vertices[vertices.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) duplicates.push([p[0], p[1]]);
    else vertices.push([p[0], p[1]]);
  }
  while (vertices.length > 1 && vertices[0][0] === vertices[vertices.length - 1][0] && vertices[0][1] === vertices[vertices.length - 1][1])
    duplicates.push(vertices.pop()!);
  return { vertices, duplicates };
}

/** Removes spike tips until none is left; returns the tips removed. */
function removeSpikes(vertices: Position[]): Position[] {
  const tips: Position[] = [];
  let changed = true;
  while (changed && vertices.length > 3) {
    changed = false;
    for (let i = 0; i < vertices.length && vertices.length > 3; i++) {
      const a = vertices[(i - 1 + vertices.length) % vertices.length];
      const c = vertices[(i + 1) % vertices.length];
      const b = vertices[i];
      if (angleAt(a, b, c) < SPIKE_MAX_ANGLE_DEG) {
        tips.push(b);
        vertices.splice(i, 1);
        // Going back and forth along one line leaves a and c equal: one of them goes too.
        const j = i % vertices.length;
        const prev = vertices[(j - 1 + vertices.length) % vertices.length];
        if (prev[0] === vertices[j][0] && prev[1] === vertices[j][1]) vertices.splice(j, 1);
        changed = true;
        i--;
      }
    }
  }
  return tips;
}

/** Consecutive duplicate points and spikes of one ring (closed or not). */
export function ringDefects(ring: readonly Position[]): RingDefects {
  const { vertices, duplicates } = distinctVertices(ring);
  return { duplicates, spikes: vertices.length > 3 ? removeSpikes(vertices) : [] };
}

/** The ring closed again without duplicates and spikes. */
export function withoutRingDefects(ring: readonly Position[]): Position[] {
  const { vertices } = distinctVertices(ring);
  if (vertices.length > 3) removeSpikes(vertices);
  return vertices.length > 0 ? [...vertices, vertices[0]] : [];
}

type At = [number, number];
const where = (at: At | undefined) =>
  at ? { zh: `（位置 ${at[0].toFixed(6)}, ${at[1].toFixed(6)}）`, en: ` at ${at[0].toFixed(6)}, ${at[1].toFixed(6)}` } : { zh: '', en: '' };

/** PostGIS's reason (ST_IsValidDetail) in words, with its place. */
export function geosReasonProblem(reason: string, at: At | undefined): Problem {
  const w = where(at);
  const zh = /ring self-intersection/i.test(reason)
    ? '环自相交（边界在一个顶点处与自身接触或相交，常见于尖刺）'
    : /self-intersection/i.test(reason)
      ? '多边形自相交'
      : /hole lies outside shell/i.test(reason)
        ? '内环位于外环之外'
        : /nested holes|holes are nested/i.test(reason)
          ? '内环相互嵌套'
          : /nested shells/i.test(reason)
            ? '多边形的部分相互嵌套'
            : /interior is disconnected/i.test(reason)
              ? '内环把多边形分成了几块'
              : /too few points/i.test(reason)
                ? '顶点过少'
                : /duplicate rings/i.test(reason)
                  ? '环重复'
                  : `几何无效（${reason}）`;
  return { code: 'invalid_geometry', zh: zh + w.zh, en: `Invalid polygon: ${reason}${w.en}`, location: at };
}

const fmtM2 = (m2: number) => (m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} 公顷` : `${m2.toFixed(1)} m²`);
const fmtM2En = (m2: number) => (m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} ha` : `${m2.toFixed(1)} m²`);

/** Two parts of a MultiPolygon overlap. `a`, `b` count from 1. */
export const overlappingParts = (a: number, b: number, areaM2: number, at: At): Problem => ({
  code: 'overlapping_parts',
  zh: `第 ${a} 与第 ${b} 个部分重叠 ${fmtM2(areaM2)}${where(at).zh}`,
  en: `parts ${a} and ${b} overlap by ${fmtM2En(areaM2)}${where(at).en}`,
  location: at,
  area_m2: areaM2,
});

/** A sliver part or hole. `part` counts from 1; `hole` 0 means the part's exterior. */
export const sliver = (part: number | null, hole: number, areaM2: number, widthM: number, at: At): Problem => {
  const zhWhat = `${part ? `第 ${part} 个部分的` : ''}${hole > 0 ? `第 ${hole} 个内环` : part ? '外环' : '多边形'}`;
  const enWhat = `${part ? `part ${part}, ` : ''}${hole > 0 ? `hole ${hole}` : part ? 'exterior' : 'polygon'}`;
  return {
    code: 'sliver',
    zh: `${zhWhat}是细长碎片（面积 ${fmtM2(areaM2)}，平均宽度 ${widthM.toFixed(2)} 米）${where(at).zh}`,
    en: `${enWhat} is a sliver (area ${fmtM2En(areaM2)}, mean width ${widthM.toFixed(2)} m)${where(at).en}`,
    location: at,
    area_m2: areaM2,
  };
};

export const duplicatePoints = (label: { zh: string; en: string }, count: number, at: At): Problem => ({
  code: 'duplicate_points',
  zh: `${label.zh}有重复的连续顶点（共 ${count} 处）${where(at).zh}`,
  en: `${label.en}has repeated consecutive points (${count} in total)${where(at).en}`,
  location: at,
});

export const spike = (label: { zh: string; en: string }, count: number, at: At): Problem => ({
  code: 'spike',
  zh: `${label.zh}有尖刺（边界伸出后原路折返，共 ${count} 处）${where(at).zh}`,
  en: `${label.en}has a spike (the border runs out and straight back; ${count} in total)${where(at).en}`,
  location: at,
});
