/**
 * The editor's conversation with the server: the grids to edit, the preview of a pending edit
 * (the same endpoint with ?dry_run=true), the save that needs a fresh clean preview of exactly
 * that change, refusals (problems on the map, a field error, a 401 → log in again) and version
 * conflicts (409: both versions on the map; keep theirs, or re-apply mine on their version);
 * restoring a version from the history.
 */
import { ApiError, editApi, type Bbox, type ConflictDetails, type EditProblem, type EditResponse, type HistoryEntry } from '../api/client.js';
import { pick, t } from '../i18n/index.js';
import { boundsOf, EMPTY } from '../map/create.js';
import { $ } from '../ui/dom.js';
import { errorText, message } from '../ui/feedback.js';
import { fieldOfMessage } from './attributes.js';
import { afterSave, clearWork, confirmDiscard, chooseTool, dirty, indexForSnapping, keyOf, pending, revertSelected, selectGrid } from './drawing.js';
import { historyTarget, revealHistory } from './history.js';
import { editorMap, paintGrids, polygonOverlay, setOverlay, showChanges, showProblems } from './overlays.js';
import { renderConflict } from './panels.js';
import { attrState, focusAfterSave, versionOf, type GridFeature, type Pending } from './pending.js';
import * as store from './store.js';
import { state } from './store.js';

let askLogin: () => void = () => {};
/** What a 401 in the middle of work does (show the login dialog). */
export const onLoginNeeded = (fn: () => void): void => void (askLogin = fn);

/** The user's streets' grids (full detail) and the grids around them (locked). */
export async function loadGrids(): Promise<void> {
  const u = state.user!;
  const own = u.role === 'street_editor' ? u.streets : [];
  const byId = new Map<number, GridFeature>();
  for (const s of own) for (const f of (await editApi.gridsOfStreet(s.code)).features) byId.set(f.properties.id, f as GridFeature);
  let bbox: Bbox | undefined = byId.size ? boundsOf({ type: 'FeatureCollection', features: [...byId.values()] }) : state.datasetBbox;
  if (bbox) {
    const dx = (bbox[2] - bbox[0]) * 0.25;
    const dy = (bbox[3] - bbox[1]) * 0.25;
    bbox = byId.size ? [bbox[0] - dx, bbox[1] - dy, bbox[2] + dx, bbox[3] + dy] : bbox;
    for (const f of (await editApi.gridsInBbox(bbox)).features) if (!byId.has(f.properties.id)) byId.set(f.properties.id, f as GridFeature);
  }
  // Only simple polygons are editable here; grids are polygons by construction.
  store.setGrids(new Map([...byId].filter(([, f]) => f.geometry.type === 'Polygon')));
  indexForSnapping(state.grids.values());
}

function send(p: Pending, dryRun: boolean): Promise<EditResponse> {
  const v = (g: Parameters<typeof versionOf>[1]) => versionOf(state, g);
  const allow = state.allowCommunity ? { allow_community_change: true } : {};
  switch (p.kind) {
    case 'reshape':
      return editApi.reshape(p.grid.properties.id, v(p.grid), { geometry: p.geometry, ...p.attrs, ...allow }, dryRun);
    case 'attributes':
      return editApi.reshape(p.grid.properties.id, v(p.grid), p.attrs, dryRun);
    case 'delete':
      return editApi.remove(p.grid.properties.id, v(p.grid), p.into.properties.id, dryRun);
    case 'create':
      return editApi.create({ community_code: p.community, name: p.name, geometry: p.geometry, ...allow }, dryRun);
    case 'split':
      return editApi.split(p.grid.properties.id, v(p.grid), p.line, dryRun);
    case 'merge':
      return editApi.merge(
        p.grids.map((g) => ({ id: g.properties.id, version: v(g) })),
        dryRun,
      );
    case 'restore':
      return editApi.restore(p.grid.properties.id, v(p.grid), p.toVersion, dryRun);
  }
}

/** The sidebar scrolls so the preview's verdict is in view (the attribute form may push it down). */
function revealPreview(): void {
  const el = $('#preview-panel');
  if (!el.hidden) el.scrollIntoView({ block: 'nearest' });
}

export async function runPreview(): Promise<boolean> {
  const p = pending();
  if (!p) return false;
  const key = keyOf(p);
  store.setPreview({ key, running: true });
  store.changed();
  try {
    const r = await send(p, true);
    store.setPreview({ key, response: r });
    showChanges(r);
    showProblems(r.warnings);
    store.changed();
    revealPreview();
    return true;
  } catch (e) {
    handleError(e, key, p);
    revealPreview();
    return false;
  }
}

function handleError(e: unknown, key: string, p: Pending): void {
  const err = e instanceof Error ? e : new Error(String(e));
  store.setPreview({ key, error: err });
  if (err instanceof ApiError) {
    if (err.status === 401) {
      message(t('preview.loginAgain'));
      askLogin();
    } else if (err.status === 409 && err.code === 'version_conflict') {
      openConflict(err.details as ConflictDetails, p);
    } else {
      const problems = (err.details as { problems?: EditProblem[] } | undefined)?.problems ?? [];
      showProblems(problems);
      // A refused attribute: named next to its field too.
      const field = (p.kind === 'attributes' || p.kind === 'reshape') && err.status === 400 ? fieldOfMessage(err.zh) : undefined;
      if (field) store.setAttrServerError({ field, zh: err.zh, en: err.en });
      if (err.status === 403 || !problems.length) message(pick(err.zh, err.en));
    }
  } else {
    message(errorText(err));
  }
  store.changed();
}

/** 保存: previews first unless a clean preview of exactly this change is shown; then commits. */
export async function save(): Promise<void> {
  const p = pending();
  if (!p) return;
  const key = keyOf(p);
  const pv = state.preview;
  if (!pv || pv.key !== key || !pv.response || pv.saved) {
    await runPreview();
    return;
  }
  await commit(p, key);
}

async function commit(p: Pending, key: string): Promise<void> {
  store.setPreview({ ...state.preview!, key, running: true });
  store.changed();
  try {
    const r = await send(p, false);
    const focusId = focusAfterSave(p, r);
    store.saved(r.changes);
    const tool = state.tool;
    clearWork();
    await loadGrids();
    afterSave(tool, (focusId !== undefined && state.grids.get(focusId)) || null);
    store.setPreview({ key: '', response: r, saved: true });
    showChanges(r);
    paintGrids();
    store.changed();
    message(t('preview.saved', { n: r.changes.length }), 'info');
  } catch (e) {
    handleError(e, key, p);
  }
}

function openConflict(d: ConflictDetails, p: Pending): void {
  const dialog = $<HTMLDialogElement>('#conflict');
  const mine = p.kind === 'reshape' || p.kind === 'create' ? p.geometry : null;
  setOverlay('conflict', {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', geometry: d.current.geometry, properties: { side: 'theirs' } },
      ...(mine ? [{ type: 'Feature' as const, geometry: mine, properties: { side: 'yours' } }] : []),
    ],
  });
  const grid = state.grids.get(d.grid_id);
  renderConflict(
    dialog,
    { code: d.current.properties.code ?? grid?.properties.code ?? String(d.grid_id), yours: d.your_version, theirs: d.current_version },
    {
      keepTheirs: () => {
        dialog.close();
        void reloadAndReselect();
      },
      reapply: () => {
        dialog.close();
        setOverlay('conflict', EMPTY);
        store.overrideVersion(d.grid_id, d.current_version);
        const again = pending();
        if (again) void commit(again, keyOf(again));
      },
    },
  );
  if (!dialog.open) dialog.show();
}

/** "Keep theirs": the grids again from the server, the same grid selected. */
async function reloadAndReselect(): Promise<void> {
  const id = state.selected?.properties.id;
  const tool = state.tool;
  clearWork();
  await loadGrids();
  paintGrids();
  if (tool === 'select') selectGrid((id !== undefined && state.grids.get(id)) || null);
  else store.changed();
}

/** Opens the history of a grid deleted this session (its restore button brings it back). */
export function openDeletedHistory(id: number): void {
  const d = state.deleted.find((x) => x.id === id);
  if (!d || !confirmDiscard()) return;
  if (state.tool !== 'select') chooseTool('select');
  selectGrid(null);
  store.showDeletedHistory(d);
  void revealHistory();
  store.changed();
}

/** A history entry's restore button: the restore becomes the pending edit and is previewed. */
export function restoreFrom(e: HistoryEntry): void {
  const target = historyTarget();
  if (!target) return;
  const g = target.selected;
  if (g && state.tool === 'select' && (dirty() || attrState(state).changed) && !window.confirm(t('grid.discardConfirm'))) return;
  if (g && state.tool === 'select') revertSelected(g);
  store.setRestore({ grid: target.ref, toVersion: e.version });
  const map = editorMap();
  if (target.deleted && e.after_geometry) map?.fitBounds(boundsOf(polygonOverlay(e.after_geometry))!, { padding: 80, maxZoom: 16.5, duration: 0 });
  if (e.after_geometry) setOverlay('history-geom', polygonOverlay(e.after_geometry));
  void runPreview();
}
