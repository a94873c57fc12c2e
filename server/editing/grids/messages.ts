/**
 * Every sentence a grid edit can answer with, Chinese and English: the problems (422, listed in
 * `details.problems`) and the errors (403 / 404 / 409). Areas are shown in m², or in hectares
 * (公顷) from 1 ha up.
 */
import { ApiError } from '../../errors.js';
import { editRejected, type Problem } from '../../validation/problem.js';
import { geosReasonProblem } from '../../validation/polygons.js';

export const rejected = editRejected;

export const forbidden = (zh: string, en: string, details?: unknown) => new ApiError(403, 'forbidden', zh, en, details);

export const fmt = (m2: number) => (m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} 公顷` : `${m2.toFixed(1)} m²`);
export const fmtEn = (m2: number) => (m2 >= 10_000 ? `${(m2 / 10_000).toFixed(2)} ha` : `${m2.toFixed(1)} m²`);

type At = [number, number];
type GridRef = { id: number; code: string; name: string };

// --- Errors ---------------------------------------------------------------------------------

/** A single-row geometry query came back empty: PostGIS failed (PGlite can lose the GEOS exception). */
export const geometryFailed = () =>
  new ApiError(
    422,
    'geometry_error',
    '几何运算失败，请检查图形（例如极窄的尖角或几乎重合的边）',
    'A geometry operation failed; check the shape (e.g. very thin spikes or nearly coincident edges)',
  );

export const gridNotFound = (id: number) => new ApiError(404, 'not_found', `网格 ${id} 不存在`, `Grid ${id} not found`);

export const gridsNotFound = (ids: number[]) => new ApiError(404, 'not_found', `网格 ${ids.join(', ')} 不存在`, `Grid(s) ${ids.join(', ')} not found`);

export const gridDeleted = (code: string) =>
  new ApiError(404, 'not_found', `网格 ${code} 已删除（可在历史中恢复）`, `Grid ${code} has been deleted (it can be restored from its history)`);

export const versionConflict = (code: string, yours: number, current: number, details: unknown) =>
  new ApiError(
    409,
    'version_conflict',
    `网格 ${code} 已被他人修改（您基于版本 ${yours}，当前为版本 ${current}），未保存任何内容`,
    `Grid ${code} was changed by someone else (you edited version ${yours}; it is now version ${current}); nothing was saved`,
    details,
  );

/** The row is locked, so this only happens if a plan itself is stale (a bug). */
export const changedMeanwhile = (code: string) => new ApiError(409, 'version_conflict', `网格 ${code} 已被他人修改`, `Grid ${code} was changed meanwhile`);

export const notGridEditor = () => forbidden('您的账号没有编辑网格的权限', 'Your account may not edit grids');

export const notYourGrid = (code: string) =>
  forbidden(`您无权编辑网格 ${code}：它不在您负责的街道内`, `You may not edit grid ${code}: it is outside the street(s) assigned to you`);

export const notYourCommunityToCreate = (code: string) =>
  forbidden(`您无权在社区 ${code} 新建网格：它不在您负责的街道内`, `You may not create grids in community ${code}: it is outside your street(s)`);

export const notYourCommunityToMoveTo = (code: string) =>
  forbidden(`不能把网格移到社区 ${code}：它不在您负责的街道内`, `You may not move the grid to community ${code}: it is outside your street(s)`);

export const foreignStreets = (streets: { code: string; name: string; area: number }[]) =>
  forbidden(
    `不能把网格画进${streets.map((s) => `${s.name}（${fmt(s.area)}）`).join('、')}：那不是您负责的街道`,
    `The grid may not reach into ${streets.map((s) => `${s.code} (${fmtEn(s.area)})`).join(', ')}: not a street assigned to you`,
    { streets: streets.map((s) => ({ code: s.code, name: s.name, area_m2: s.area })) },
  );

// --- Problems of the drawn polygon ----------------------------------------------------------

/** PostGIS's reason (ST_IsValidDetail) in words: the importers' wording too (../../validation/polygons.ts). */
export const invalidGeometry = geosReasonProblem;

export const outsideStreet = (area: number, at: At): Problem => ({
  code: 'outside_street',
  zh: `网格超出所属街道 ${fmt(area)}（网格只能在本街道内）`,
  en: `The grid extends ${fmtEn(area)} outside its street (grids must stay inside their street)`,
  area_m2: area,
  location: at,
});

export const outsideCommunity = (area: number, at: At): Problem => ({
  code: 'outside_community',
  zh: `网格超出所属社区 ${fmt(area)}；如确需调整社区边界，请勾选“允许改变社区边界”`,
  en: `The grid extends ${fmtEn(area)} outside its community; set allow_community_change to move a community border`,
  area_m2: area,
  location: at,
});

export const gridTooSmall = (area: number, min: number): Problem => ({
  code: 'too_small',
  zh: `网格面积 ${fmt(area)} 过小（至少 ${fmt(min)}）`,
  en: `Grid area ${fmtEn(area)} is too small (at least ${fmtEn(min)})`,
  area_m2: area,
});

export const gridTooLarge = (area: number, max: number): Problem => ({
  code: 'too_large',
  zh: `网格面积 ${fmt(area)} 过大（至多 ${fmt(max)}）`,
  en: `Grid area ${fmtEn(area)} is too large (at most ${fmtEn(max)})`,
  area_m2: area,
});

// --- Problems of the neighbours -------------------------------------------------------------

export const tinyGap = (area: number, at: At): Problem => ({
  code: 'tiny_gap',
  zh: `留下 ${fmt(area)} 的微小空隙（容差内，已忽略）`,
  en: `A ${fmtEn(area)} sliver is left uncovered (within tolerance, ignored)`,
  area_m2: area,
  location: at,
});

export const gap = (area: number, at: At): Problem => ({
  code: 'gap',
  zh: `会留下 ${fmt(area)} 无网格负责的空隙（没有同社区的相邻网格可以接收这块区域）`,
  en: `This would leave a ${fmtEn(area)} gap that no grid covers (no neighbouring grid of the same community borders it)`,
  area_m2: area,
  location: at,
});

export const swallowsNeighbour = (n: GridRef): Problem => ({
  code: 'swallows_neighbour',
  zh: `会完全覆盖相邻网格 ${n.code}（${n.name}）；如要合并请使用“合并”`,
  en: `This would swallow neighbouring grid ${n.code} entirely; use merge instead`,
  grid: { id: n.id, code: n.code },
});

export const splitsNeighbour = (n: GridRef, parts: number): Problem => ({
  code: 'splits_neighbour',
  zh: `会把相邻网格 ${n.code}（${n.name}）切成 ${parts} 块`,
  en: `This would cut neighbouring grid ${n.code} into ${parts} pieces`,
  grid: { id: n.id, code: n.code },
});

export const neighbourTooSmall = (n: GridRef, area: number, min: number): Problem => ({
  code: 'neighbour_too_small',
  zh: `相邻网格 ${n.code}（${n.name}）将只剩 ${fmt(area)}（至少 ${fmt(min)}）`,
  en: `Neighbouring grid ${n.code} would shrink to ${fmtEn(area)} (at least ${fmtEn(min)})`,
  grid: { id: n.id, code: n.code },
  area_m2: area,
});

/** A warning, not a problem: the edit sent what is stored. */
export const nothingChanged = (): Problem => ({
  code: 'unchanged',
  zh: '与当前版本相同，没有改动，未生成新版本',
  en: 'Identical to the current version: nothing changed and no new version was written',
});

// --- Problems of one operation --------------------------------------------------------------

export const unknownCommunity = (code: string): Problem => ({ code: 'unknown_community', zh: `社区编码 ${code} 不存在`, en: `No community with code ${code}` });

export const codesExhausted = (communityCode: string): Problem => ({
  code: 'codes_exhausted',
  zh: `社区 ${communityCode} 的网格编码已用完`,
  en: `No grid codes left in community ${communityCode}`,
});

export const duplicateCode = (code: string): Problem => ({ code: 'duplicate_code', zh: `网格编码 ${code} 已存在`, en: `Grid code ${code} already exists` });

export const lineDoesNotSplit = (): Problem => ({
  code: 'line_does_not_split',
  zh: '分割线没有完整穿过网格（两端都应画到网格外）',
  en: 'The line does not cut across the grid (both ends must lie outside it)',
});

export const pieceTooSmall = (area: number, min: number): Problem => ({
  code: 'too_small',
  zh: `分割后有一块只有 ${fmt(area)}（至少 ${fmt(min)}）`,
  en: `One piece would be only ${fmtEn(area)} (at least ${fmtEn(min)})`,
  area_m2: area,
});

export const needTwoGrids = (): Problem => ({ code: 'need_two_grids', zh: '合并至少需要两个不同的网格', en: 'A merge needs at least two different grids' });

export const differentCommunities = (): Problem => ({
  code: 'different_communities',
  zh: '只能合并同一社区的网格',
  en: 'Only grids of the same community can be merged',
});

export const notAdjacent = (): Problem => ({
  code: 'not_adjacent',
  zh: '这些网格不相邻，合并后会是分离的几块',
  en: 'The grids are not adjacent; merged they would be separate pieces',
});

export const mergedTooLarge = (area: number): Problem => ({
  code: 'too_large',
  zh: `合并后面积 ${fmt(area)} 过大`,
  en: `Merged area ${fmtEn(area)} is too large`,
});

export const intoRequired = (): Problem => ({
  code: 'into_required',
  zh: '删除网格会留下无人负责的区域：请用 into 指定并入哪个相邻网格',
  en: 'Deleting a grid would leave its area unassigned: name the neighbouring grid that takes it over with `into`',
});

export const unknownInto = (id: number): Problem => ({ code: 'unknown_grid', zh: `要并入的网格 ${id} 不存在`, en: `Grid ${id} to merge into does not exist` });

export const noSuchVersion = (id: number, version: number): Problem => ({
  code: 'no_such_version',
  zh: `网格 ${id} 没有可恢复的版本 ${version}`,
  en: `Grid ${id} has no restorable version ${version}`,
});
