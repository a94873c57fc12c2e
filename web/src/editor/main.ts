/**
 * Street-office grid editor (/editor/): log in, see your street's grids (editable) and the
 * neighbouring streets' (grey, locked); reshape a grid with terra-draw (vertices snap to the
 * neighbours' vertices and edges), draw a new grid, split with a line, merge grids; undo/redo;
 * every change is validated and its impact previewed (the same endpoint with ?dry_run=true)
 * before it is saved; a version conflict (409) opens a dialog with both versions on the map;
 * the history panel restores earlier versions. The attribute form edits name, leader, phone, party
 * branch, population and households the same way (preview, then save); a grid can be deleted into
 * an adjacent grid of its community and restored from its history; grids carry HTML labels.
 */
import '../ui/base.css';
import '../planner/planner.css';
import './editor.css';
import type { Feature, FeatureCollection, LineString, Polygon, Position } from 'geojson';
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode, type SnapToCustom } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import {
  api,
  ApiFailure,
  editApi,
  type AuthUser,
  type Bbox,
  type ConflictDetails,
  type EditProblem,
  type EditResponse,
  type GridProps,
  type HistoryEntry,
} from '../api/client.js';
import { applyI18n, bindLangToggle, fmtArea, fmtInt, lang, onLangChange, pick, t } from '../i18n/index.js';
import { boundsOf, createMap, EMPTY, networkLoader, type MapLibreMap } from '../map/create.js';
import { $, h } from '../ui/dom.js';
import { normalizeLine, normalizePolygon, pointInPolygon, ringCentroid, samePolygon } from './geometry.js';
import { addEditorLayers, hideGrid, setData } from './layers.js';
import { attributeForm, nodes, renderConflict, renderDeleted, renderHistory, renderPreview, type TypeNames } from './panels.js';
import { attributeChanges, fieldOfMessage, formValues, sharesBorder, type AttrBody, type AttrField, type AttrValues, type FieldError } from './attributes.js';
import { GridLabels } from './labels.js';
import { ringBbox, ringsNear, snapToRings } from './snap.js';
import { UndoStack } from './undo.js';

type GridFeature = Feature<Polygon, GridProps>;
/** What a restore needs of a grid: also a deleted one, which is no longer on the map. */
type GridRef = { properties: Pick<GridProps, 'id' | 'code' | 'name' | 'version'> };
type DeletedGrid = { id: number; code: string; name: string; version: number };
type Tool = 'select' | 'create' | 'split' | 'merge';

type Pending =
  | { kind: 'reshape'; grid: GridFeature; geometry: Polygon; attrs: AttrBody }
  | { kind: 'attributes'; grid: GridFeature; attrs: AttrBody }
  | { kind: 'delete'; grid: GridFeature; into: GridFeature }
  | { kind: 'create'; geometry: Polygon; community: string; name: string }
  | { kind: 'split'; grid: GridFeature; line: LineString }
  | { kind: 'merge'; grids: GridFeature[] }
  | { kind: 'restore'; grid: GridRef; toVersion: number };

interface PreviewState {
  key: string;
  running?: boolean;
  response?: EditResponse;
  error?: ApiFailure | Error;
  saved?: boolean;
}

const S = {
  user: null as AuthUser | null,
  sampleCity: false,
  datasetBbox: undefined as Bbox | undefined,
  grids: new Map<number, GridFeature>(),
  communities: [] as { code: string; name: string; street: string }[],
  tool: 'select' as Tool,
  /** The grid being edited (reshape), or the one to split. */
  selected: null as GridFeature | null,
  tdId: null as string | number | null,
  undo: new UndoStack<Polygon>(),
  drawn: null as Polygon | null,
  createCommunity: '',
  createName: '',
  splitLine: null as LineString | null,
  mergeIds: [] as number[],
  restore: null as { grid: GridRef; toVersion: number } | null,
  /** The attribute form's values for the selected grid (text as typed). */
  attrValues: null as AttrValues | null,
  /** The field a server 400 named, until that field is edited again. */
  attrServerError: null as FieldError | null,
  /** Delete in progress: the neighbour that takes the area, once chosen. */
  deleting: null as { grid: GridFeature; into: number | null } | null,
  /** 允许改变社区边界: sent with reshape and create. */
  allowCommunity: false,
  /** Grids deleted this session (restorable from their history). */
  deleted: [] as DeletedGrid[],
  /** The history panel shows this deleted grid instead of the selected one. */
  historyFor: null as DeletedGrid | null,
  preview: null as PreviewState | null,
  /** Versions to send instead of the loaded ones (after "re-apply mine" on a conflict). */
  versionOverride: new Map<number, number>(),
  historyOpen: false,
  history: null as { gridId: number; entries?: HistoryEntry[]; loading?: boolean; error?: string } | null,
  typeNames: new Map() as TypeNames,
};

let map: MapLibreMap | undefined;
let draw: TerraDraw | undefined;
let labels: GridLabels | undefined;

declare global {
  interface Window {
    /** Editor internals, for browser tests and debugging. */
    __editor?: { state: typeof S; draw: () => TerraDraw | undefined; pending: () => Pending | null };
  }
}
window.__editor = { state: S, draw: () => draw, pending: () => pending() };

// ---------------------------------------------------------------------------------------------
// Small helpers

const errorText = (e: unknown) => (e instanceof ApiFailure ? pick(e.zh, e.en) : String((e as Error)?.message ?? e));

function status(msg: string | null): void {
  const el = $('#status');
  el.hidden = msg === null;
  el.textContent = msg ?? '';
}

let messageTimer: ReturnType<typeof setTimeout> | undefined;
/** A message over the map (refusals, locked grids); stays 8 s. */
function message(msg: string | null, kind: 'alert' | 'info' = 'alert'): void {
  const el = $('#message');
  clearTimeout(messageTimer);
  el.hidden = msg === null;
  el.textContent = msg ?? '';
  el.className = `message ${kind}`;
  if (msg) messageTimer = setTimeout(() => (el.hidden = true), 8000);
}

const canEdit = (g: GridFeature): boolean => {
  const u = S.user;
  if (!u) return false;
  if (u.role === 'admin') return true;
  return u.role === 'street_editor' && u.streets.some((s) => s.code === g.properties.street_code);
};

const versionOf = (g: GridRef) => S.versionOverride.get(g.properties.id) ?? g.properties.version;

/** The attribute form against the selected grid: what changed and what is wrong. */
function attrState(): { body: AttrBody; errors: FieldError[]; changed: boolean } {
  const g = S.selected;
  if (!g || !S.attrValues || S.tool !== 'select') return { body: {}, errors: [], changed: false };
  const r = attributeChanges(g.properties, S.attrValues);
  const errors = S.attrServerError && !r.errors.some((e) => e.field === S.attrServerError!.field) ? [...r.errors, S.attrServerError] : r.errors;
  return { body: r.body, errors, changed: Object.keys(r.body).length > 0 || r.errors.length > 0 };
}

/** Own grids of the same community sharing a border with `g`: where its area can go. */
function deleteCandidates(g: GridFeature): GridFeature[] {
  return [...S.grids.values()]
    .filter((o) => o.properties.id !== g.properties.id && canEdit(o) && o.properties.community_code === g.properties.community_code && sharesBorder(o.geometry, g.geometry))
    .sort((a, b) => a.properties.code.localeCompare(b.properties.code));
}

function workingGeometry(): Polygon | null {
  if (!draw || S.tdId === null) return null;
  const f = draw.getSnapshotFeature(S.tdId);
  return f && f.geometry.type === 'Polygon' ? (f.geometry as Polygon) : null;
}

const dirty = (): boolean => {
  if (!S.selected || S.tool !== 'select') return false;
  const g = workingGeometry();
  return !!g && !samePolygon(g, S.selected.geometry);
};

/** The change the toolbar's 预览影响 / 保存 act on, if any. */
function pending(): Pending | null {
  if (S.restore) return { kind: 'restore', ...S.restore };
  switch (S.tool) {
    case 'select': {
      if (!S.selected) return null;
      if (S.deleting) {
        const into = S.deleting.into === null ? undefined : S.grids.get(S.deleting.into);
        return into ? { kind: 'delete', grid: S.deleting.grid, into } : null;
      }
      const a = attrState();
      if (a.errors.length) return null;
      if (!dirty()) return Object.keys(a.body).length ? { kind: 'attributes', grid: S.selected, attrs: a.body } : null;
      const geometry = normalizePolygon(workingGeometry()!);
      return geometry ? { kind: 'reshape', grid: S.selected, geometry, attrs: a.body } : null;
    }
    case 'create':
      return S.drawn ? { kind: 'create', geometry: S.drawn, community: S.createCommunity, name: S.createName.trim() || t('create.defaultName') } : null;
    case 'split':
      return S.selected && S.splitLine ? { kind: 'split', grid: S.selected, line: S.splitLine } : null;
    case 'merge': {
      const grids = S.mergeIds.map((id) => S.grids.get(id)).filter((g): g is GridFeature => !!g);
      return grids.length >= 2 ? { kind: 'merge', grids } : null;
    }
  }
}

function keyOf(p: Pending): string {
  const v = (g: GridRef) => [g.properties.id, versionOf(g)];
  switch (p.kind) {
    case 'reshape':
      return JSON.stringify(['reshape', v(p.grid), p.geometry.coordinates, p.attrs, S.allowCommunity]);
    case 'attributes':
      return JSON.stringify(['attributes', v(p.grid), p.attrs]);
    case 'delete':
      return JSON.stringify(['delete', v(p.grid), v(p.into)]);
    case 'create':
      return JSON.stringify(['create', p.community, p.name, p.geometry.coordinates, S.allowCommunity]);
    case 'split':
      return JSON.stringify(['split', v(p.grid), p.line.coordinates]);
    case 'merge':
      return JSON.stringify(['merge', p.grids.map(v)]);
    case 'restore':
      return JSON.stringify(['restore', v(p.grid), p.toVersion]);
  }
}

function send(p: Pending, dryRun: boolean): Promise<EditResponse> {
  switch (p.kind) {
    case 'reshape':
      return editApi.reshape(p.grid.properties.id, versionOf(p.grid), { geometry: p.geometry, ...p.attrs, ...(S.allowCommunity ? { allow_community_change: true } : {}) }, dryRun);
    case 'attributes':
      return editApi.reshape(p.grid.properties.id, versionOf(p.grid), p.attrs, dryRun);
    case 'delete':
      return editApi.remove(p.grid.properties.id, versionOf(p.grid), p.into.properties.id, dryRun);
    case 'create':
      return editApi.create({ community_code: p.community, name: p.name, geometry: p.geometry, ...(S.allowCommunity ? { allow_community_change: true } : {}) }, dryRun);
    case 'split':
      return editApi.split(p.grid.properties.id, versionOf(p.grid), p.line, dryRun);
    case 'merge':
      return editApi.merge(p.grids.map((g) => ({ id: g.properties.id, version: versionOf(g) })), dryRun);
    case 'restore':
      return editApi.restore(p.grid.properties.id, versionOf(p.grid), p.toVersion, dryRun);
  }
}

// ---------------------------------------------------------------------------------------------
// Data

async function loadGrids(): Promise<void> {
  const u = S.user!;
  const own = u.role === 'street_editor' ? u.streets : [];
  const byId = new Map<number, GridFeature>();
  for (const s of own) for (const f of (await editApi.gridsOfStreet(s.code)).features) byId.set(f.properties.id, f as GridFeature);
  let bbox: Bbox | undefined = byId.size ? boundsOf({ type: 'FeatureCollection', features: [...byId.values()] }) : S.datasetBbox;
  if (bbox) {
    const dx = (bbox[2] - bbox[0]) * 0.25;
    const dy = (bbox[3] - bbox[1]) * 0.25;
    bbox = byId.size ? [bbox[0] - dx, bbox[1] - dy, bbox[2] + dx, bbox[3] + dy] : bbox;
    for (const f of (await editApi.gridsInBbox(bbox)).features) if (!byId.has(f.properties.id)) byId.set(f.properties.id, f as GridFeature);
  }
  // Only simple polygons are editable here; grids are polygons by construction.
  S.grids = new Map([...byId].filter(([, f]) => f.geometry.type === 'Polygon'));
  S.versionOverride.clear();
  snapIndex = [...S.grids.values()].map((g) => ({ id: g.properties.id, ring: g.geometry.coordinates[0], bbox: ringBbox(g.geometry.coordinates[0]) }));
}

let snapIndex: { id: number; ring: Position[]; bbox: [number, number, number, number] }[] = [];

function paintGrids(): void {
  if (!map) return;
  const communities = [...new Set([...S.grids.values()].map((g) => g.properties.community_code))].sort();
  const fc: FeatureCollection = {
    type: 'FeatureCollection',
    features: [...S.grids.values()].map((g) => ({
      type: 'Feature',
      id: g.properties.id,
      geometry: g.geometry,
      properties: {
        id: g.properties.id,
        own: canEdit(g),
        community_index: communities.indexOf(g.properties.community_code) % 4,
        merge: (S.tool === 'merge' && S.mergeIds.includes(g.properties.id)) || S.deleting?.into === g.properties.id,
        target: S.tool === 'split' && S.selected?.properties.id === g.properties.id,
      },
    })),
  };
  setData(map, 'grids', fc);
  const editing = S.tool === 'select' && S.selected ? S.selected.properties.id : null;
  hideGrid(map, editing);
  labels?.update(
    [...S.grids.values()].map((g) => ({ id: g.properties.id, name: g.properties.name, code: g.properties.code, own: canEdit(g), geometry: g.geometry })),
    null,
  );
}

// ---------------------------------------------------------------------------------------------
// Drawing (terra-draw)

/** Snaps to vertices, then edges, of every other grid within 10 px. */
const snap: SnapToCustom = (event: { lng: number; lat: number; containerX: number; containerY: number }) => {
  if (!map) return undefined;
  const skip = S.tool === 'select' ? S.selected?.properties.id : undefined;
  const near = snapIndex.filter((r) => r.id !== skip);
  const pad = (map.getBounds().getEast() - map.getBounds().getWest()) * 0.02;
  const rings = ringsNear(near, [event.lng, event.lat], pad);
  const m = map;
  const r = snapToRings({ x: event.containerX, y: event.containerY }, rings, (p) => m.project([p[0], p[1]]), 10);
  return r?.position;
};

function setupDraw(m: MapLibreMap): TerraDraw {
  const d = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map: m, coordinatePrecision: 9 }),
    modes: [
      new TerraDrawSelectMode({
        allowManualDeselection: false,
        allowManualSelection: false,
        keyEvents: { deselect: null, delete: null, rotate: null, scale: null },
        flags: {
          polygon: {
            feature: {
              draggable: false,
              rotateable: false,
              scaleable: false,
              selfIntersectable: false,
              coordinates: { draggable: true, midpoints: { draggable: true }, deletable: true, snappable: { toCustom: snap } },
            },
          },
        },
        styles: {
          selectedPolygonColor: '#2563eb',
          selectedPolygonFillOpacity: 0.18,
          selectedPolygonOutlineColor: '#1d4ed8',
          selectedPolygonOutlineWidth: 3,
          selectionPointColor: '#ffffff',
          selectionPointOutlineColor: '#1d4ed8',
          selectionPointWidth: 5,
          selectionPointOutlineWidth: 2,
          midPointColor: '#bfdbfe',
          midPointOutlineColor: '#1d4ed8',
          midPointWidth: 3,
          midPointOutlineWidth: 1,
        },
      }),
      new TerraDrawPolygonMode({
        snapping: { toCustom: snap },
        styles: { fillColor: '#16a34a', fillOpacity: 0.2, outlineColor: '#15803d', outlineWidth: 2.5, closingPointColor: '#ffffff', closingPointOutlineColor: '#15803d' },
      }),
      new TerraDrawLineStringMode({ snapping: { toCustom: snap }, styles: { lineStringColor: '#b91c1c', lineStringWidth: 3 } }),
    ],
  });
  d.start();
  d.setMode('select');
  d.on('finish', (id, ctx) => {
    if (ctx.mode === 'select' && id === S.tdId) {
      const g = workingGeometry();
      if (g) S.undo.push(g);
      afterChange();
    } else if (ctx.mode === 'polygon') {
      const f = d.getSnapshotFeature(id);
      S.drawn = f?.geometry.type === 'Polygon' ? normalizePolygon(f.geometry as Polygon) : null;
      if (S.drawn) {
        const c = ringCentroid(S.drawn.coordinates[0]);
        const under = [...S.grids.values()].find((g) => canEdit(g) && pointInPolygon(c, g.geometry));
        if (under) S.createCommunity = under.properties.community_code;
        S.undo.push(S.drawn);
      }
      // One new grid at a time: stop drawing, keep the shape.
      d.setMode('select');
      afterChange();
    } else if (ctx.mode === 'linestring') {
      const f = d.getSnapshotFeature(id);
      S.splitLine = f?.geometry.type === 'LineString' ? normalizeLine(f.geometry as LineString) : null;
      d.setMode('select');
      afterChange();
    }
  });
  return d;
}

/** Puts `g` into terra-draw, selected with its vertex handles. */
function loadIntoDraw(g: Polygon): void {
  if (!draw) return;
  draw.clear();
  draw.setMode('select');
  const id = draw.getFeatureId();
  const res = draw.addFeatures([{ type: 'Feature', id, geometry: g, properties: { mode: 'polygon' } }]);
  if (!res[0]?.valid) {
    message(`terra-draw: ${res[0]?.reason ?? 'invalid'}`);
    S.tdId = null;
    return;
  }
  S.tdId = id;
  draw.selectFeature(id);
}

function clearWork(): void {
  draw?.clear();
  draw?.setMode('select');
  S.tdId = null;
  S.drawn = null;
  S.splitLine = null;
  S.mergeIds = [];
  S.restore = null;
  S.deleting = null;
  S.undo.clear();
  S.preview = null;
  clearOverlays();
}

function clearOverlays(): void {
  if (!map) return;
  setData(map, 'preview', EMPTY);
  setData(map, 'problems', EMPTY);
  setData(map, 'conflict', EMPTY);
  setData(map, 'history-geom', EMPTY);
}

function selectGrid(g: GridFeature | null): void {
  S.selected = g;
  S.restore = null;
  S.deleting = null;
  S.historyFor = null;
  S.attrValues = g ? formValues(g.properties) : null;
  S.attrServerError = null;
  attrForm = null;
  S.preview = null;
  clearOverlays();
  if (S.tool === 'select') {
    if (g) {
      loadIntoDraw(g.geometry);
      S.undo.reset(g.geometry);
    } else {
      draw?.clear();
      S.tdId = null;
      S.undo.clear();
    }
  }
  if (S.historyOpen) void loadHistory();
  render();
}

function confirmDiscard(): boolean {
  return !pending() || window.confirm(t('grid.discardConfirm'));
}

function setTool(tool: Tool): void {
  if (tool === S.tool) return;
  if (!confirmDiscard()) return;
  const keep = S.selected;
  clearWork();
  S.tool = tool;
  if (tool === 'select') {
    selectGrid(keep);
    return;
  }
  if (tool === 'create') {
    S.createName = '';
    S.createCommunity = S.communities[0]?.code ?? '';
    draw?.setMode('polygon');
  } else if (tool === 'split') {
    if (S.selected) draw?.setMode('linestring');
    else message(t('hint.splitNeedsGrid'), 'info');
  } else if (tool === 'merge' && S.selected) {
    S.mergeIds = [S.selected.properties.id];
  }
  render();
}

function afterChange(): void {
  if (S.preview && !S.preview.running) S.preview = { ...S.preview, saved: false };
  setData(map!, 'problems', EMPTY);
  setData(map!, 'preview', EMPTY);
  render();
}

function undo(redo = false): void {
  if (S.tool === 'select' && S.tdId !== null && draw) {
    const g = redo ? S.undo.redo() : S.undo.undo();
    if (!g) return;
    // Re-select so terra-draw rebuilds the vertex handles for the restored shape.
    loadIntoDraw(g);
    afterChange();
  } else if (S.tool === 'create') {
    const g = redo ? S.undo.redo() : S.undo.undo();
    draw?.clear();
    S.drawn = g ?? null;
    if (g && draw) draw.addFeatures([{ type: 'Feature', id: draw.getFeatureId(), geometry: g, properties: { mode: 'polygon' } }]);
    else draw?.setMode('polygon');
    afterChange();
  }
}

function discard(): void {
  if (!confirmDiscard()) return;
  const keep = S.selected;
  const tool = S.tool;
  clearWork();
  S.tool = tool;
  if (tool === 'select') selectGrid(keep);
  else if (tool === 'create') draw?.setMode('polygon');
  else if (tool === 'split' && keep) draw?.setMode('linestring');
  render();
}

// ---------------------------------------------------------------------------------------------
// Preview, save, conflicts

function showProblems(problems: EditProblem[]): void {
  setData(map!, 'problems', {
    type: 'FeatureCollection',
    features: problems.filter((p) => p.location).map((p, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p.location! }, properties: { i: i + 1, code: p.code } })),
  });
}

function showChanges(r: EditResponse): void {
  setData(map!, 'preview', {
    type: 'FeatureCollection',
    features: r.changes.filter((c) => c.geometry).map((c) => ({ type: 'Feature', geometry: c.geometry!, properties: { role: c.role, id: c.grid_id } })),
  });
}

const focusProblem = (p: EditProblem) => p.location && map?.easeTo({ center: p.location, zoom: Math.max(map.getZoom(), 16) });

async function runPreview(): Promise<boolean> {
  const p = pending();
  if (!p) return false;
  const key = keyOf(p);
  S.preview = { key, running: true };
  render();
  try {
    const r = await send(p, true);
    S.preview = { key, response: r };
    showChanges(r);
    showProblems(r.warnings);
    render();
    revealPreview();
    return true;
  } catch (e) {
    await handleError(e, key, p);
    revealPreview();
    return false;
  }
}

/** The sidebar scrolls so the preview's verdict is in view (the attribute form may push it down). */
const revealPreview = () => {
  const el = $('#preview-panel');
  if (!el.hidden) el.scrollIntoView({ block: 'nearest' });
};

async function handleError(e: unknown, key: string, p: Pending): Promise<void> {
  const err = e instanceof Error ? e : new Error(String(e));
  S.preview = { key, error: err };
  if (err instanceof ApiFailure) {
    if (err.status === 401) {
      message(t('preview.loginAgain'));
      showLogin();
    } else if (err.status === 409 && err.code === 'version_conflict') {
      openConflict(err.details as ConflictDetails, p);
    } else {
      const problems = (err.details as { problems?: EditProblem[] } | undefined)?.problems ?? [];
      showProblems(problems);
      // A refused attribute: named next to its field too.
      const field = (p.kind === 'attributes' || p.kind === 'reshape') && err.status === 400 ? fieldOfMessage(err.zh) : undefined;
      if (field) S.attrServerError = { field, zh: err.zh, en: err.en };
      if (err.status === 403 || !problems.length) message(pick(err.zh, err.en));
    }
  } else {
    message(errorText(err));
  }
  render();
}

async function save(): Promise<void> {
  const p = pending();
  if (!p) return;
  const key = keyOf(p);
  // Validation and impact first: a save needs a clean preview of exactly this change.
  if (!S.preview || S.preview.key !== key || !S.preview.response || S.preview.saved) {
    await runPreview();
    return;
  }
  await commit(p, key);
}

async function commit(p: Pending, key: string): Promise<void> {
  S.preview = { ...S.preview!, key, running: true };
  render();
  try {
    const r = await send(p, false);
    const focusId =
      p.kind === 'merge' ? p.grids[0].properties.id : p.kind === 'delete' ? p.into.properties.id : p.kind === 'create' ? r.changes.find((c) => c.role === 'created')?.grid_id : 'grid' in p ? p.grid.properties.id : undefined;
    // Remember deleted grids (restorable from their history); a restored one leaves the list.
    for (const c of r.changes) {
      if (c.role === 'deleted') S.deleted = [...S.deleted.filter((d) => d.id !== c.grid_id), { id: c.grid_id, code: c.code, name: c.name, version: c.version_after }];
      if (c.role === 'restored') S.deleted = S.deleted.filter((d) => d.id !== c.grid_id);
    }
    S.allowCommunity = false;
    S.historyFor = null;
    const tool = S.tool;
    clearWork();
    S.tool = tool;
    await loadGrids();
    S.preview = { key: '', response: r, saved: true };
    showChanges(r);
    if (tool === 'select') selectGrid((focusId !== undefined && S.grids.get(focusId)) || null);
    else {
      S.selected = null;
      if (tool === 'create') draw?.setMode('polygon');
    }
    S.preview = { key: '', response: r, saved: true };
    showChanges(r);
    paintGrids();
    render();
    message(t('preview.saved', { n: r.changes.length }), 'info');
  } catch (e) {
    await handleError(e, key, p);
  }
}

function openConflict(d: ConflictDetails, p: Pending): void {
  const dialog = $<HTMLDialogElement>('#conflict');
  const mine = p.kind === 'reshape' ? p.geometry : p.kind === 'create' ? p.geometry : null;
  setData(map!, 'conflict', {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', geometry: d.current.geometry, properties: { side: 'theirs' } },
      ...(mine ? [{ type: 'Feature' as const, geometry: mine, properties: { side: 'yours' } }] : []),
    ],
  });
  const grid = S.grids.get(d.grid_id);
  renderConflict(dialog, { code: d.current.properties.code ?? grid?.properties.code ?? String(d.grid_id), yours: d.your_version, theirs: d.current_version }, {
    keepTheirs: () => {
      dialog.close();
      void reloadAndReselect();
    },
    reapply: () => {
      dialog.close();
      setData(map!, 'conflict', EMPTY);
      S.versionOverride.set(d.grid_id, d.current_version);
      const again = pending();
      if (again) void commit(again, keyOf(again));
    },
  });
  if (!dialog.open) dialog.show();
}

async function reloadAndReselect(): Promise<void> {
  const id = S.selected?.properties.id;
  const tool = S.tool;
  clearWork();
  S.tool = tool;
  await loadGrids();
  paintGrids();
  if (tool === 'select') selectGrid((id !== undefined && S.grids.get(id)) || null);
  else render();
}

// ---------------------------------------------------------------------------------------------
// History

/** The grid the history panel is about: a deleted one opened from the list, else the selected one. */
function historyTarget(): { ref: GridRef; deleted?: DeletedGrid; selected?: GridFeature } | null {
  if (S.historyFor) return { ref: { properties: { ...S.historyFor } }, deleted: S.historyFor };
  return S.selected ? { ref: S.selected, selected: S.selected } : null;
}

async function loadHistory(): Promise<void> {
  const target = historyTarget();
  if (!target) {
    S.history = null;
    render();
    return;
  }
  const id = target.ref.properties.id;
  S.history = { gridId: id, loading: true };
  render();
  try {
    const r = await editApi.history(id);
    if (historyTarget()?.ref.properties.id === id) S.history = { gridId: id, entries: r.entries };
  } catch (e) {
    S.history = { gridId: id, error: errorText(e) };
  }
  render();
}

/** Opens the history of a grid deleted this session (its restore button brings it back). */
function openDeletedHistory(id: number): void {
  const d = S.deleted.find((x) => x.id === id);
  if (!d || !confirmDiscard()) return;
  if (S.tool !== 'select') setTool('select');
  selectGrid(null);
  S.historyFor = d;
  S.historyOpen = true;
  void loadHistory().then(() => $('#history-panel').scrollIntoView({ block: 'nearest' }));
  render();
}

function restoreFrom(e: HistoryEntry): void {
  const target = historyTarget();
  if (!target) return;
  const g = target.selected;
  if (g && S.tool === 'select' && (dirty() || attrState().changed) && !window.confirm(t('grid.discardConfirm'))) return;
  if (g && S.tool === 'select') {
    loadIntoDraw(g.geometry);
    S.undo.reset(g.geometry);
    S.attrValues = formValues(g.properties);
    S.attrServerError = null;
    attrForm = null;
  }
  S.deleting = null;
  S.restore = { grid: target.ref, toVersion: e.version };
  if (target.deleted && e.after_geometry) map?.fitBounds(boundsOf({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: e.after_geometry, properties: {} }] })!, { padding: 80, maxZoom: 16.5, duration: 0 });
  if (e.after_geometry) setData(map!, 'history-geom', { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: e.after_geometry, properties: {} }] });
  void runPreview();
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render(): void {
  const p = pending();
  const previewFresh = !!(p && S.preview && S.preview.key === keyOf(p) && S.preview.response && !S.preview.saved);
  document.querySelectorAll<HTMLButtonElement>('[data-tool]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.tool === S.tool)));
  $<HTMLButtonElement>('#undo').disabled = !(S.tool === 'select' || S.tool === 'create') || !S.undo.canUndo;
  $<HTMLButtonElement>('#redo').disabled = !(S.tool === 'select' || S.tool === 'create') || !S.undo.canRedo;
  $<HTMLButtonElement>('#discard').disabled = !p;
  $<HTMLButtonElement>('#preview').disabled = !p || !!S.preview?.running;
  const saveBtn = $<HTMLButtonElement>('#save');
  saveBtn.disabled = !p || !!S.preview?.running || (!!S.preview && S.preview.key === (p && keyOf(p)) && !!S.preview.error);
  saveBtn.textContent = previewFresh ? t('tool.confirmSave') : t('tool.save');
  $('#history-btn').setAttribute('aria-pressed', String(S.historyOpen));
  $('#hint').textContent = t(S.tool === 'select' ? 'hint.select' : S.tool === 'create' ? 'hint.create' : S.tool === 'split' ? 'hint.split' : 'hint.merge');
  const allow = $<HTMLInputElement>('#allow-community');
  allow.checked = S.allowCommunity;
  allow.disabled = !(S.tool === 'create' || (S.tool === 'select' && !!S.selected && !S.deleting && !S.restore));
  const err = S.preview?.error instanceof ApiFailure ? ((S.preview.error.details as { problems?: EditProblem[] } | undefined)?.problems ?? []) : [];
  $('#allow-community-label').classList.toggle('attention', !S.allowCommunity && err.some((x) => x.code === 'outside_community'));
  renderGridPanel();
  renderAttrPanel();
  renderPendingPanel(p);
  renderDeleted($('#deleted-panel'), S.deleted, openDeletedHistory);
  const pv = $('#preview-panel');
  if (!S.preview) pv.hidden = true;
  else {
    const stale = !!(S.preview.response && !S.preview.saved && p && S.preview.key !== keyOf(p));
    renderPreview(pv, { ...S.preview, confirm: previewFresh, stale }, S.typeNames, focusProblem);
  }
  const hp = $('#history-panel');
  hp.hidden = !S.historyOpen;
  if (S.historyOpen) {
    const target = historyTarget();
    renderHistory(
      hp,
      { gridName: target?.ref.properties.name, currentVersion: target?.ref.properties.version, deleted: !!target?.deleted, entries: S.history?.entries, loading: S.history?.loading, error: S.history?.error },
      {
        restore: restoreFrom,
        hover: (e) => {
          if (S.restore) return;
          setData(map!, 'history-geom', e?.after_geometry ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: e.after_geometry, properties: {} }] } : EMPTY);
        },
      },
    );
  }
  paintGrids();
}

function renderGridPanel(): void {
  const el = $('#grid-panel');
  const g = S.selected;
  if (!g) {
    el.replaceChildren(h('h2', {}, t('kind.grid')), h('p', { class: 'muted' }, t('grid.none')));
    return;
  }
  const p = g.properties;
  const steps = S.tool === 'select' ? S.undo.depth : 0;
  el.replaceChildren(
    ...nodes(
    h('h2', {}, t('kind.grid')),
    h('h3', { class: 'grid-name' }, p.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('popup.code')),
      h('dd', {}, p.code),
      h('dt', {}, t('grid.community')),
      h('dd', {}, `${p.community_name} · ${p.street_name}`),
      h('dt', {}, t('grid.version')),
      h('dd', { id: 'grid-version' }, String(p.version)),
      h('dt', {}, t('grid.area')),
      h('dd', {}, fmtArea(p.area_m2)),
      h('dt', {}, t('popup.population')),
      h('dd', {}, fmtInt(p.population)),
      h('dt', {}, t('popup.leader')),
      h('dd', {}, p.leader_name ?? '—'),
    ),
    S.tool === 'select' ? h('p', { class: dirty() ? 'alert dirty' : 'muted' }, dirty() ? t('grid.dirty', { n: steps }) : t('grid.clean')) : null,
    ),
  );
}

let attrForm: { key: string; el: HTMLElement; show: ReturnType<typeof attributeForm>['show'] } | null = null;

/** The attribute form: rebuilt only for another grid, version or language, so typing is not interrupted. */
function renderAttrPanel(): void {
  const el = $('#attr-panel');
  const g = S.selected;
  if (!g || S.tool !== 'select' || !S.attrValues || !canEdit(g)) {
    el.hidden = true;
    attrForm = null;
    return;
  }
  el.hidden = false;
  const key = JSON.stringify([g.properties.id, g.properties.version, lang(), S.attrValues === null]);
  if (!attrForm || attrForm.key !== key || !el.contains(attrForm.el)) {
    const f = attributeForm(S.attrValues, {
      input: (field: AttrField, value: string) => {
        S.attrValues = { ...S.attrValues!, [field]: value };
        if (S.attrServerError?.field === field) S.attrServerError = null;
        afterChange();
      },
      reset: () => {
        S.attrValues = formValues(g.properties);
        S.attrServerError = null;
        attrForm = null;
        afterChange();
      },
      remove: startDelete,
    });
    attrForm = { key, ...f };
    el.replaceChildren(f.el);
  }
  const a = attrState();
  attrForm.show(a.errors, { changed: a.changed, canDelete: !dirty() && !S.restore, deleting: !!S.deleting });
}

function startDelete(): void {
  const g = S.selected;
  if (!g) return;
  if (S.deleting) {
    S.deleting = null;
    S.preview = null;
    clearOverlays();
    render();
    return;
  }
  const candidates = deleteCandidates(g);
  if (!candidates.length) {
    message(t('delete.noNeighbour'), 'info');
    return;
  }
  S.restore = null;
  S.preview = null;
  clearOverlays();
  S.deleting = { grid: g, into: candidates.length === 1 ? candidates[0].properties.id : null };
  render();
  $('#pending-panel').scrollIntoView({ block: 'nearest' });
}

function chooseDeleteTarget(id: number | null): void {
  if (!S.deleting) return;
  S.deleting = { ...S.deleting, into: id };
  S.preview = null;
  clearOverlays();
  render();
}

function renderPendingPanel(p: Pending | null): void {
  const el = $('#pending-panel');
  if (S.tool === 'select' && S.deleting && !S.restore) {
    const d = S.deleting;
    const candidates = deleteCandidates(d.grid);
    const select = h(
      'select',
      { id: 'delete-into', onchange: (e: Event) => chooseDeleteTarget(Number((e.target as HTMLSelectElement).value) || null) },
      h('option', { value: '' }, t('delete.choose')),
      candidates.map((c) => {
        const o = h('option', { value: c.properties.id }, `${c.properties.name}（${c.properties.code}）`);
        o.selected = c.properties.id === d.into;
        return o;
      }),
    );
    const into = d.into === null ? undefined : S.grids.get(d.into);
    el.replaceChildren(
      h('h2', {}, t('tool.save')),
      h('p', { class: 'pending', id: 'pending-text' }, into ? t('pending.delete', { name: d.grid.properties.name, into: into.properties.name }) : t('pending.deletePick', { name: d.grid.properties.name })),
      h('label', { class: 'field' }, h('span', {}, t('delete.into')), select),
      h('p', { class: 'muted small' }, t('delete.mapHint')),
      h('button', { type: 'button', class: 'tool small', id: 'delete-cancel', onclick: startDelete }, t('delete.cancel')),
    );
    return;
  }
  if (S.tool === 'create' && S.drawn) {
    const select = h(
      'select',
      { id: 'create-community', onchange: (e: Event) => ((S.createCommunity = (e.target as HTMLSelectElement).value), render()) },
      S.communities.map((c) => {
        const o = h('option', { value: c.code }, `${c.name}（${c.street}）`);
        o.selected = c.code === S.createCommunity;
        return o;
      }),
    );
    const name = h('input', { id: 'create-name', value: S.createName, placeholder: t('create.defaultName') });
    name.addEventListener('change', () => {
      S.createName = name.value;
      render();
    });
    el.replaceChildren(
      h('h2', {}, t('pending.create')),
      h('label', { class: 'field' }, h('span', {}, t('create.community')), select),
      h('label', { class: 'field' }, h('span', {}, t('create.name')), name),
    );
    return;
  }
  const text = !p
    ? t('pending.none')
    : p.kind === 'reshape'
      ? Object.keys(p.attrs).length
        ? t('pending.reshapeAttributes', { name: p.grid.properties.name })
        : t('pending.reshape', { name: p.grid.properties.name })
      : p.kind === 'attributes'
        ? t('pending.attributes', { name: p.grid.properties.name, fields: Object.keys(p.attrs).map((f) => t(`attr.${f as AttrField}`)).join('、') })
      : p.kind === 'delete'
        ? t('pending.delete', { name: p.grid.properties.name, into: p.into.properties.name })
      : p.kind === 'create'
        ? t('pending.create')
        : p.kind === 'split'
          ? t('pending.split', { name: p.grid.properties.name })
          : p.kind === 'merge'
            ? t('pending.merge', { n: p.grids.length })
            : t('pending.restore', { name: p.grid.properties.name, v: p.toVersion });
  const mergeList =
    S.tool === 'merge' && S.mergeIds.length
      ? h(
          'ol',
          { class: 'merge-list' },
          S.mergeIds.map((id) => h('li', {}, S.grids.get(id)?.properties.name ?? String(id))),
        )
      : null;
  el.replaceChildren(...nodes(h('h2', {}, t('tool.save')), h('p', { class: p ? 'pending' : 'muted', id: 'pending-text' }, text), mergeList));
}

// ---------------------------------------------------------------------------------------------
// Map interaction

function gridAt(point: { x: number; y: number }): GridFeature | undefined {
  const hits = map!.queryRenderedFeatures([point.x, point.y], { layers: ['grids-own-fill', 'grids-locked-fill'] });
  const id = hits[0]?.properties?.id as number | undefined;
  return id === undefined ? undefined : S.grids.get(id);
}

/** Within 12 px of the edited grid's outline (its handles): that click belongs to terra-draw. */
function onEditedOutline(point: { x: number; y: number }): boolean {
  const g = workingGeometry();
  if (!g || !map) return false;
  const m = map;
  return !!snapToRings(point, g.coordinates, (p) => m.project([p[0], p[1]]), 12);
}

function onMapClick(e: { point: { x: number; y: number } }): void {
  if (S.tool === 'create' || (S.tool === 'split' && S.selected)) return;
  if (S.tool === 'select' && onEditedOutline(e.point)) return;
  if (S.tool === 'select' && S.selected && workingGeometry() && pointInPolygon(map!.unproject([e.point.x, e.point.y]).toArray(), workingGeometry()!)) return;
  const g = gridAt(e.point);
  if (!g) return;
  if (!canEdit(g)) {
    message(t('grid.locked', { name: g.properties.name, street: g.properties.street_name }), 'info');
    return;
  }
  if (S.tool === 'merge') {
    const i = S.mergeIds.indexOf(g.properties.id);
    if (i >= 0) S.mergeIds.splice(i, 1);
    else S.mergeIds.push(g.properties.id);
    S.preview = null;
    clearOverlays();
    render();
    return;
  }
  if (S.tool === 'split') {
    S.selected = g;
    draw?.setMode('linestring');
    render();
    return;
  }
  if (S.deleting) {
    if (g.properties.id === S.deleting.grid.properties.id) return;
    if (deleteCandidates(S.deleting.grid).some((c) => c.properties.id === g.properties.id)) chooseDeleteTarget(g.properties.id);
    else message(t('delete.notNeighbour', { name: g.properties.name }), 'info');
    return;
  }
  if (S.selected?.properties.id === g.properties.id) return;
  if (!confirmDiscard()) return;
  selectGrid(g);
}

// ---------------------------------------------------------------------------------------------
// Start

function showLogin(): void {
  $('#login').hidden = false;
  $('#login-demo').hidden = !S.sampleCity;
  $<HTMLInputElement>('#username').focus();
}

async function start(user: AuthUser): Promise<void> {
  S.user = user;
  $('#login').hidden = true;
  $('#toolbar').hidden = false;
  $('#sidebar').hidden = false;
  $('#logout').hidden = false;
  const streets = user.streets.map((s) => s.name).join('、');
  $('#who').textContent = `${user.display_name}（${user.role_name_zh}）${streets ? ` · ${t('editor.street')}：${streets}` : user.role === 'admin' ? ` · ${t('editor.allStreets')}` : ''}`;
  if (user.role !== 'street_editor' && user.role !== 'admin') message(t('login.readOnly', { role: user.role_name_zh }), 'info');
  status(t('status.loading'));
  const [types, tree] = await Promise.all([api.stationTypes().catch(() => null), fetch('/api/admin/tree').then((r) => r.json() as Promise<AdminTree>).catch(() => null)]);
  for (const ty of types?.types ?? []) S.typeNames.set(ty.code, { zh: ty.name_zh, en: ty.name_en });
  const mine = new Set(user.streets.map((s) => s.code));
  for (const d of tree?.districts ?? [])
    for (const s of d.streets)
      if (user.role === 'admin' || mine.has(s.code)) for (const c of s.communities) S.communities.push({ code: c.code, name: c.name, street: s.name });
  await loadGrids();
  const own = [...S.grids.values()].filter(canEdit);
  const bounds = boundsOf({ type: 'FeatureCollection', features: own.length ? own : [...S.grids.values()] }) ?? S.datasetBbox;
  map = createMap($('#map'), bounds, { fitBoundsOptions: { padding: 30 } });
  map.on('load', () => {
    addEditorLayers(map!);
    networkLoader(map!);
    draw = setupDraw(map!);
    labels = new GridLabels(map!);
    map!.on('click', onMapClick);
    map!.on('mousemove', (e) => {
      if (S.tool !== 'select' && S.tool !== 'merge') return;
      const g = gridAt(e.point);
      map!.getCanvas().style.cursor = g && canEdit(g) ? 'pointer' : '';
    });
    paintGrids();
    status(null);
    render();
    document.body.dataset.ready = 'true';
  });
}

interface AdminTree {
  districts: { code: string; name: string; streets: { code: string; name: string; communities: { code: string; name: string }[] }[] }[];
}

function wire(): void {
  applyI18n();
  bindLangToggle($<HTMLButtonElement>('#lang'));
  onLangChange(() => {
    if (S.user) render();
  });
  document.querySelectorAll<HTMLButtonElement>('[data-tool]').forEach((b) => b.addEventListener('click', () => setTool(b.dataset.tool as Tool)));
  $('#undo').addEventListener('click', () => undo(false));
  $('#redo').addEventListener('click', () => undo(true));
  $('#discard').addEventListener('click', discard);
  $('#preview').addEventListener('click', () => void runPreview());
  $('#save').addEventListener('click', () => void save());
  $<HTMLInputElement>('#allow-community').addEventListener('change', (e) => {
    S.allowCommunity = (e.target as HTMLInputElement).checked;
    afterChange();
  });
  $('#history-btn').addEventListener('click', () => {
    S.historyOpen = !S.historyOpen;
    // A finished save's report makes room for the history.
    if (S.historyOpen && S.preview?.saved) {
      S.preview = null;
      setData(map!, 'preview', EMPTY);
    }
    if (S.historyOpen) void loadHistory().then(() => $('#history-panel').scrollIntoView({ block: 'nearest' }));
    else setData(map!, 'history-geom', EMPTY);
    render();
  });
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || (e.target as HTMLElement).closest('input, select, textarea')) return;
    if (e.key.toLowerCase() === 'z') {
      e.preventDefault();
      undo(e.shiftKey);
    } else if (e.key.toLowerCase() === 'y') {
      e.preventDefault();
      undo(true);
    }
  });
  $('#logout').addEventListener('click', async () => {
    await editApi.logout().catch(() => undefined);
    location.reload();
  });
  $<HTMLFormElement>('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = $('#login-error');
    err.hidden = true;
    try {
      const r = await editApi.login($<HTMLInputElement>('#username').value.trim(), $<HTMLInputElement>('#password').value);
      if (S.user) {
        $('#login').hidden = true;
        return;
      }
      await start(r.user);
    } catch (x) {
      err.hidden = false;
      err.textContent = errorText(x);
    }
  });
}

async function main(): Promise<void> {
  wire();
  const health = await api.health().catch(() => null);
  S.sampleCity = !!health?.dataset?.sample;
  S.datasetBbox = health?.dataset?.bbox;
  try {
    await start(await editApi.me());
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) showLogin();
    else {
      status(null);
      message(t('status.error', { msg: errorText(e) }));
    }
  }
}

void main();
