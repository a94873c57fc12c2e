/**
 * The pending edit: what the user has changed but not saved (moved vertices, a drawn polygon or
 * split line, grids picked to merge, a delete, a restore, attribute values), the one change the
 * toolbar's 预览影响 / 保存 act on, its identity (the preview must match it) and what a save leaves
 * behind. Pure: no DOM, no map, no fetch; terra-draw's current outline comes in as `working`.
 */
import type { Feature, LineString, Polygon, Position } from 'geojson';
import type { AuthUser, EditResponse, GridChange, GridProps } from '../api/client.js';
import { attributeChanges, sharesBorder, type AttrBody, type AttrValues, type FieldError } from './attributes.js';
import { normalizePolygon, pointInPolygon, ringCentroid, samePolygon } from './geometry.js';
import { UndoStack } from './undo.js';

export type GridFeature = Feature<Polygon, GridProps>;
/** What a restore needs of a grid: also a deleted one, which is no longer on the map. */
export type GridRef = { properties: Pick<GridProps, 'id' | 'code' | 'name' | 'version'> };
export type DeletedGrid = Pick<GridProps, 'id' | 'code' | 'name' | 'version'>;
export type Tool = 'select' | 'create' | 'split' | 'merge';

export type Pending =
  | { kind: 'reshape'; grid: GridFeature; geometry: Polygon; attrs: AttrBody }
  | { kind: 'attributes'; grid: GridFeature; attrs: AttrBody }
  | { kind: 'delete'; grid: GridFeature; into: GridFeature }
  | { kind: 'create'; geometry: Polygon; community: string; name: string }
  | { kind: 'split'; grid: GridFeature; line: LineString }
  | { kind: 'merge'; grids: GridFeature[] }
  | { kind: 'restore'; grid: GridRef; toVersion: number };

/** The editor's unsaved work (part of the store's state). */
export interface Draft {
  user: AuthUser | null;
  grids: ReadonlyMap<number, GridFeature>;
  tool: Tool;
  /** The grid being edited (reshape), or the one to split. */
  selected: GridFeature | null;
  /** Undo/redo of the edited outline (select) or the drawn polygon (create). */
  undo: UndoStack<Polygon>;
  drawn: Polygon | null;
  createCommunity: string;
  createName: string;
  splitLine: LineString | null;
  mergeIds: readonly number[];
  restore: { grid: GridRef; toVersion: number } | null;
  /** The attribute form's values for the selected grid (text as typed). */
  attrValues: AttrValues | null;
  /** The field a server 400 named, until that field is edited again. */
  attrServerError: FieldError | null;
  /** Delete in progress: the neighbour that takes the area, once chosen. */
  deleting: { grid: GridFeature; into: number | null } | null;
  /** 允许改变社区边界: sent with reshape and create. */
  allowCommunity: boolean;
  /** Versions to send instead of the loaded ones (after "re-apply mine" on a conflict). */
  versionOverride: ReadonlyMap<number, number>;
}

/** No unsaved work, no grids, nobody signed in. */
export function emptyDraft(): Draft & { grids: Map<number, GridFeature>; versionOverride: Map<number, number> } {
  return {
    user: null,
    grids: new Map(),
    tool: 'select',
    selected: null,
    undo: new UndoStack<Polygon>(),
    drawn: null,
    createCommunity: '',
    createName: '',
    splitLine: null,
    mergeIds: [],
    restore: null,
    attrValues: null,
    attrServerError: null,
    deleting: null,
    allowCommunity: false,
    versionOverride: new Map(),
  };
}

/** Whether `user` may edit grid `g`: an administrator any, a street editor those of their streets. */
export function canEdit(user: AuthUser | null, g: GridFeature): boolean {
  if (!user) return false;
  if (user.role === 'admin') return true;
  return user.role === 'street_editor' && user.streets.some((s) => s.code === g.properties.street_code);
}

export const versionOf = (d: Pick<Draft, 'versionOverride'>, g: GridRef): number => d.versionOverride.get(g.properties.id) ?? g.properties.version;

/** The attribute form against the selected grid: what changed and what is wrong. */
export function attrState(d: Draft): { body: AttrBody; errors: FieldError[]; changed: boolean } {
  const g = d.selected;
  if (!g || !d.attrValues || d.tool !== 'select') return { body: {}, errors: [], changed: false };
  const r = attributeChanges(g.properties, d.attrValues);
  const server = d.attrServerError;
  const errors = server && !r.errors.some((e) => e.field === server.field) ? [...r.errors, server] : r.errors;
  return { body: r.body, errors, changed: Object.keys(r.body).length > 0 || r.errors.length > 0 };
}

/** Own grids of the same community sharing a border with `g`: where its area can go. */
export function deleteCandidates(d: Pick<Draft, 'user' | 'grids'>, g: GridFeature): GridFeature[] {
  return [...d.grids.values()]
    .filter(
      (o) =>
        o.properties.id !== g.properties.id &&
        canEdit(d.user, o) &&
        o.properties.community_code === g.properties.community_code &&
        sharesBorder(o.geometry, g.geometry),
    )
    .sort((a, b) => a.properties.code.localeCompare(b.properties.code));
}

/** Whether the selected grid's outline (`working`, as terra-draw has it) differs from the saved one. */
export function isDirty(d: Draft, working: Polygon | null): boolean {
  if (!d.selected || d.tool !== 'select') return false;
  return !!working && !samePolygon(working, d.selected.geometry);
}

/** The change the toolbar's 预览影响 / 保存 act on, if any. `defaultName` names a new grid left unnamed. */
export function pendingEdit(d: Draft, working: Polygon | null, defaultName: string): Pending | null {
  if (d.restore) return { kind: 'restore', ...d.restore };
  switch (d.tool) {
    case 'select': {
      if (!d.selected) return null;
      if (d.deleting) {
        const into = d.deleting.into === null ? undefined : d.grids.get(d.deleting.into);
        return into ? { kind: 'delete', grid: d.deleting.grid, into } : null;
      }
      const a = attrState(d);
      if (a.errors.length) return null;
      if (!isDirty(d, working)) return Object.keys(a.body).length ? { kind: 'attributes', grid: d.selected, attrs: a.body } : null;
      const geometry = normalizePolygon(working!);
      return geometry ? { kind: 'reshape', grid: d.selected, geometry, attrs: a.body } : null;
    }
    case 'create':
      return d.drawn ? { kind: 'create', geometry: d.drawn, community: d.createCommunity, name: d.createName.trim() || defaultName } : null;
    case 'split':
      return d.selected && d.splitLine ? { kind: 'split', grid: d.selected, line: d.splitLine } : null;
    case 'merge': {
      const grids = d.mergeIds.map((id) => d.grids.get(id)).filter((g): g is GridFeature => !!g);
      return grids.length >= 2 ? { kind: 'merge', grids } : null;
    }
  }
}

/** The identity of a change: a preview counts for a save only while the key is the same. */
export function pendingKey(p: Pending, d: Pick<Draft, 'versionOverride' | 'allowCommunity'>): string {
  const v = (g: GridRef) => [g.properties.id, versionOf(d, g)];
  switch (p.kind) {
    case 'reshape':
      return JSON.stringify(['reshape', v(p.grid), p.geometry.coordinates, p.attrs, d.allowCommunity]);
    case 'attributes':
      return JSON.stringify(['attributes', v(p.grid), p.attrs]);
    case 'delete':
      return JSON.stringify(['delete', v(p.grid), v(p.into)]);
    case 'create':
      return JSON.stringify(['create', p.community, p.name, p.geometry.coordinates, d.allowCommunity]);
    case 'split':
      return JSON.stringify(['split', v(p.grid), p.line.coordinates]);
    case 'merge':
      return JSON.stringify(['merge', p.grids.map(v)]);
    case 'restore':
      return JSON.stringify(['restore', v(p.grid), p.toVersion]);
  }
}

/** The community of the own grid under a drawn polygon's centroid (the new grid's default). */
export function communityUnder(d: Pick<Draft, 'user' | 'grids'>, polygon: Polygon): string | undefined {
  const c: Position = ringCentroid(polygon.coordinates[0]);
  return [...d.grids.values()].find((g) => canEdit(d.user, g) && pointInPolygon(c, g.geometry))?.properties.community_code;
}

/** Merge picks: `id` added at the end, or taken out when already picked. */
export const toggleId = (ids: readonly number[], id: number): number[] => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);

/** The grid to select after a save: the merged, the one that took a deleted grid's area, the new one, or the edited one. */
export function focusAfterSave(p: Pending, r: Pick<EditResponse, 'changes'>): number | undefined {
  if (p.kind === 'merge') return p.grids[0].properties.id;
  if (p.kind === 'delete') return p.into.properties.id;
  if (p.kind === 'create') return r.changes.find((c) => c.role === 'created')?.grid_id;
  return p.grid.properties.id;
}

/** Grids deleted this session after a save: deleted ones join (restorable), restored ones leave. */
export function deletedAfterSave(
  deleted: readonly DeletedGrid[],
  changes: readonly Pick<GridChange, 'role' | 'grid_id' | 'code' | 'name' | 'version_after'>[],
): DeletedGrid[] {
  let out = [...deleted];
  for (const c of changes) {
    if (c.role === 'deleted') out = [...out.filter((x) => x.id !== c.grid_id), { id: c.grid_id, code: c.code, name: c.name, version: c.version_after }];
    if (c.role === 'restored') out = out.filter((x) => x.id !== c.grid_id);
  }
  return out;
}

/** Undo (or redo) of the outline or drawn polygon: the shape to show, or undefined when there is none. */
export function stepUndo(d: Pick<Draft, 'tool' | 'undo'>, hasOutline: boolean, redo: boolean): { shape: Polygon | undefined } | null {
  if (d.tool === 'select' && hasOutline) {
    const g = redo ? d.undo.redo() : d.undo.undo();
    return g ? { shape: g } : null;
  }
  if (d.tool === 'create') return { shape: redo ? d.undo.redo() : d.undo.undo() };
  return null;
}
