/**
 * The editor's state and the only functions that change it. Everything else reads `state`
 * (typed read-only) and calls a named update; `changed()` asks for a render (main.ts wires it).
 * No DOM, no map, no fetch.
 */
import type { AuthUser, Bbox, EditResponse, GridChange, HistoryEntry, StationType } from '../api/client.js';
import type { AttrField, AttrValues, FieldError } from './attributes.js';
import { formValues } from './attributes.js';
import type { TypeNames } from './panels.js';
import { deletedAfterSave, emptyDraft, toggleId, type DeletedGrid, type Draft, type GridFeature, type GridRef, type Tool } from './pending.js';
import type { LineString, Polygon } from 'geojson';

export interface PreviewState {
  key: string;
  running?: boolean;
  response?: EditResponse;
  error?: Error;
  saved?: boolean;
}

export interface HistoryState {
  gridId: number;
  entries?: HistoryEntry[];
  loading?: boolean;
  error?: string;
}

export interface Community {
  code: string;
  name: string;
  street: string;
}

export interface EditorState extends Draft {
  sampleCity: boolean;
  datasetBbox: Bbox | undefined;
  grids: Map<number, GridFeature>;
  communities: Community[];
  /** terra-draw's id of the outline being edited (select), once loaded. */
  tdId: string | number | null;
  /** Grids deleted this session (restorable from their history). */
  deleted: DeletedGrid[];
  /** The history panel shows this deleted grid instead of the selected one. */
  historyFor: DeletedGrid | null;
  preview: PreviewState | null;
  versionOverride: Map<number, number>;
  historyOpen: boolean;
  history: HistoryState | null;
  typeNames: TypeNames;
  /** Bumped when the attribute form must show the grid's values again (another grid, a reset). */
  attrEpoch: number;
}

const S: EditorState = {
  ...emptyDraft(),
  sampleCity: false,
  datasetBbox: undefined,
  communities: [],
  tdId: null,
  deleted: [],
  historyFor: null,
  preview: null,
  historyOpen: false,
  history: null,
  typeNames: new Map(),
  attrEpoch: 0,
};

export const state: Readonly<EditorState> = S;

let onChanged: () => void = () => {};
/** Sets what `changed()` runs (the render). */
export const whenChanged = (fn: () => void): void => void (onChanged = fn);
/** Something changed: render. */
export const changed = (): void => onChanged();

// Session and data ------------------------------------------------------------------------------

export function setUser(user: AuthUser): void {
  S.user = user;
}

export function setDataset(sample: boolean, bbox: Bbox | undefined): void {
  S.sampleCity = sample;
  S.datasetBbox = bbox;
}

export function setTypeNames(types: StationType[]): void {
  for (const ty of types) S.typeNames.set(ty.code, { zh: ty.name_zh, en: ty.name_en });
}

export function addCommunities(list: Community[]): void {
  S.communities.push(...list);
}

/** The loaded grids; versions re-applied after a conflict are forgotten (the loaded ones are current). */
export function setGrids(grids: Map<number, GridFeature>): void {
  S.grids = grids;
  S.versionOverride.clear();
}

/** "Re-apply mine" on a conflict: send `version` for grid `id` from now on. */
export function overrideVersion(id: number, version: number): void {
  S.versionOverride.set(id, version);
}

// The draft (unsaved work) ----------------------------------------------------------------------

export function setTool(tool: Tool): void {
  S.tool = tool;
}

export function setOutlineId(id: string | number | null): void {
  S.tdId = id;
}

/** Forgets all unsaved work (the tool stays). */
export function clearDraft(): void {
  S.tdId = null;
  S.drawn = null;
  S.splitLine = null;
  S.mergeIds = [];
  S.restore = null;
  S.deleting = null;
  S.undo.clear();
  S.preview = null;
}

/** `g` becomes the selected grid; its attribute form starts from its saved values. */
export function select(g: GridFeature | null): void {
  S.selected = g;
  S.restore = null;
  S.deleting = null;
  S.historyFor = null;
  S.attrValues = g ? formValues(g.properties) : null;
  S.attrServerError = null;
  S.attrEpoch++;
  S.preview = null;
}

/** Selects without touching the rest of the draft (the split tool's target). */
export function setSelected(g: GridFeature | null): void {
  S.selected = g;
}

export function startCreate(community: string): void {
  S.createName = '';
  S.createCommunity = community;
}

/** A finished edit of the outline or the drawn polygon: one undo step. */
export function recordShape(g: Polygon): void {
  S.undo.push(g);
}

/** Undo starts over from `g` (a newly selected grid), or holds nothing. */
export function resetShapes(g: Polygon | null): void {
  if (g) S.undo.reset(g);
  else S.undo.clear();
}

export function setDrawn(p: Polygon | null): void {
  S.drawn = p;
}

export function setCreateCommunity(code: string): void {
  S.createCommunity = code;
}

export function setCreateName(name: string): void {
  S.createName = name;
}

export function setSplitLine(line: LineString | null): void {
  S.splitLine = line;
}

export function startMerge(ids: number[]): void {
  S.mergeIds = ids;
}

export function toggleMerge(id: number): void {
  S.mergeIds = toggleId(S.mergeIds, id);
  S.preview = null;
}

export function setRestore(r: { grid: GridRef; toVersion: number } | null): void {
  if (r) S.deleting = null;
  S.restore = r;
}

export function editAttr(field: AttrField, value: string): void {
  S.attrValues = { ...S.attrValues!, [field]: value };
  if (S.attrServerError?.field === field) S.attrServerError = null;
}

/** The attribute form back to the grid's saved values. */
export function resetAttrs(values: AttrValues | null): void {
  S.attrValues = values;
  S.attrServerError = null;
  S.attrEpoch++;
}

export function setAttrServerError(e: FieldError): void {
  S.attrServerError = e;
}

export function startDeleting(grid: GridFeature, into: number | null): void {
  S.restore = null;
  S.preview = null;
  S.deleting = { grid, into };
}

export function chooseDeleteInto(id: number | null): void {
  if (!S.deleting) return;
  S.deleting = { ...S.deleting, into: id };
  S.preview = null;
}

export function cancelDeleting(): void {
  S.deleting = null;
  S.preview = null;
}

export function setAllowCommunity(on: boolean): void {
  S.allowCommunity = on;
}

// Preview and save ------------------------------------------------------------------------------

export function setPreview(p: PreviewState | null): void {
  S.preview = p;
}

/** The draft changed after a finished preview: it no longer counts as saved. */
export function previewOutdated(): void {
  if (S.preview && !S.preview.running) S.preview = { ...S.preview, saved: false };
}

/** After a save: remember deleted grids, forget restored ones; the community checkbox is not sticky. */
export function saved(changes: GridChange[]): void {
  S.deleted = deletedAfterSave(S.deleted, changes);
  S.allowCommunity = false;
  S.historyFor = null;
}

// History ---------------------------------------------------------------------------------------

export function setHistoryOpen(open: boolean): void {
  S.historyOpen = open;
}

export function setHistory(h: HistoryState | null): void {
  S.history = h;
}

export function showDeletedHistory(d: DeletedGrid): void {
  S.historyFor = d;
  S.historyOpen = true;
}
