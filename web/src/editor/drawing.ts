/**
 * terra-draw on the editor's map, and the tools that use it: the selected grid's outline with
 * vertex handles (snapping to the neighbours' vertices and edges), a new polygon (create), a line
 * (split), clicks that pick grids (select, merge, delete target); undo/redo and discard.
 */
import type { LineString, Polygon, Position } from 'geojson';
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode, type SnapToCustom } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import { t } from '../i18n/index.js';
import { EMPTY, type MapLibreMap } from '../map/create.js';
import { message } from '../ui/feedback.js';
import { formValues } from './attributes.js';
import { normalizeLine, normalizePolygon, pointInPolygon } from './geometry.js';
import { loadHistory } from './history.js';
import { clearOverlays, editorMap, setOverlay } from './overlays.js';
import { canEdit, communityUnder, deleteCandidates, isDirty, pendingEdit, pendingKey, stepUndo, type GridFeature, type Pending, type Tool } from './pending.js';
import { ringBbox, ringsNear, snapToRings } from './snap.js';
import * as store from './store.js';
import { state } from './store.js';

let draw: TerraDraw | undefined;
let snapIndex: { id: number; ring: Position[]; bbox: [number, number, number, number] }[] = [];
/** terra-draw edits finished so far (`data-draw-seq` on <body>, for tests). */
let drawSeq = 0;

export const drawInstance = (): TerraDraw | undefined => draw;

/** The selected grid's outline as terra-draw has it now (with the moved vertices). */
export function workingGeometry(): Polygon | null {
  if (!draw || state.tdId === null) return null;
  const f = draw.getSnapshotFeature(state.tdId);
  return f && f.geometry.type === 'Polygon' ? (f.geometry as Polygon) : null;
}

export const dirty = (): boolean => isDirty(state, workingGeometry());
/** The change the toolbar's 预览影响 / 保存 act on, if any. */
export const pending = (): Pending | null => pendingEdit(state, workingGeometry(), t('create.defaultName'));
export const keyOf = (p: Pending): string => pendingKey(p, state);

/** The loaded grids' outlines, for snapping. */
export function indexForSnapping(grids: Iterable<GridFeature>): void {
  snapIndex = [...grids].map((g) => ({ id: g.properties.id, ring: g.geometry.coordinates[0], bbox: ringBbox(g.geometry.coordinates[0]) }));
}

/** Snaps to vertices, then edges, of every other grid within 10 px. */
const snap: SnapToCustom = (event: { lng: number; lat: number; containerX: number; containerY: number }) => {
  const map = editorMap();
  if (!map) return undefined;
  const skip = state.tool === 'select' ? state.selected?.properties.id : undefined;
  const near = snapIndex.filter((r) => r.id !== skip);
  const pad = (map.getBounds().getEast() - map.getBounds().getWest()) * 0.02;
  const rings = ringsNear(near, [event.lng, event.lat], pad);
  return snapToRings({ x: event.containerX, y: event.containerY }, rings, (p) => map.project([p[0], p[1]]), 10)?.position;
};

export function setupDraw(m: MapLibreMap): void {
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
        styles: {
          fillColor: '#16a34a',
          fillOpacity: 0.2,
          outlineColor: '#15803d',
          outlineWidth: 2.5,
          closingPointColor: '#ffffff',
          closingPointOutlineColor: '#15803d',
        },
      }),
      new TerraDrawLineStringMode({ snapping: { toCustom: snap }, styles: { lineStringColor: '#b91c1c', lineStringWidth: 3 } }),
    ],
  });
  d.start();
  d.setMode('select');
  d.on('finish', (id, ctx) => {
    if (ctx.mode === 'select' && id === state.tdId) {
      const g = workingGeometry();
      if (g) store.recordShape(g);
    } else if (ctx.mode === 'polygon') {
      const f = d.getSnapshotFeature(id);
      const drawn = f?.geometry.type === 'Polygon' ? normalizePolygon(f.geometry as Polygon) : null;
      store.setDrawn(drawn);
      if (drawn) {
        const community = communityUnder(state, drawn);
        if (community) store.setCreateCommunity(community);
        store.recordShape(drawn);
      }
      // One new grid at a time: stop drawing, keep the shape.
      d.setMode('select');
    } else if (ctx.mode === 'linestring') {
      const f = d.getSnapshotFeature(id);
      store.setSplitLine(f?.geometry.type === 'LineString' ? normalizeLine(f.geometry as LineString) : null);
      d.setMode('select');
    } else return;
    document.body.dataset.drawSeq = String(++drawSeq);
    afterChange();
  });
  draw = d;
}

/** Puts `g` into terra-draw, selected with its vertex handles. */
export function loadIntoDraw(g: Polygon): void {
  if (!draw) return;
  draw.clear();
  draw.setMode('select');
  const id = draw.getFeatureId();
  const res = draw.addFeatures([{ type: 'Feature', id, geometry: g, properties: { mode: 'polygon' } }]);
  if (!res[0]?.valid) {
    message(`terra-draw: ${res[0]?.reason ?? 'invalid'}`);
    store.setOutlineId(null);
    return;
  }
  store.setOutlineId(id);
  draw.selectFeature(id);
}

const drawMode = (mode: 'select' | 'polygon' | 'linestring') => draw?.setMode(mode);

/** Forgets all unsaved work and its overlays (the tool stays). */
export function clearWork(): void {
  draw?.clear();
  draw?.setMode('select');
  store.clearDraft();
  clearOverlays();
}

/** The draft changed: an earlier preview is outdated, its overlays go. */
export function afterChange(): void {
  store.previewOutdated();
  setOverlay('problems', EMPTY);
  setOverlay('preview', EMPTY);
  store.changed();
}

export function selectGrid(g: GridFeature | null): void {
  store.select(g);
  clearOverlays();
  if (state.tool === 'select') {
    if (g) loadIntoDraw(g.geometry);
    else {
      draw?.clear();
      store.setOutlineId(null);
    }
    store.resetShapes(g?.geometry ?? null);
  }
  if (state.historyOpen) void loadHistory();
  store.changed();
}

/** The attribute form and the outline back to the selected grid's saved state (before a restore). */
export function revertSelected(g: GridFeature): void {
  loadIntoDraw(g.geometry);
  store.resetShapes(g.geometry);
  store.resetAttrs(formValues(g.properties));
}

export function confirmDiscard(): boolean {
  return !pending() || window.confirm(t('grid.discardConfirm'));
}

export function chooseTool(tool: Tool): void {
  if (tool === state.tool) return;
  if (!confirmDiscard()) return;
  const keep = state.selected;
  clearWork();
  store.setTool(tool);
  if (tool === 'select') {
    selectGrid(keep);
    return;
  }
  if (tool === 'create') {
    store.startCreate(state.communities[0]?.code ?? '');
    drawMode('polygon');
  } else if (tool === 'split') {
    if (state.selected) drawMode('linestring');
    else message(t('hint.splitNeedsGrid'), 'info');
  } else if (tool === 'merge' && state.selected) {
    store.startMerge([state.selected.properties.id]);
  }
  store.changed();
}

export function undo(redo = false): void {
  const step = stepUndo(state, state.tdId !== null && !!draw, redo);
  if (!step) return;
  if (state.tool === 'select') {
    // Re-select so terra-draw rebuilds the vertex handles for the restored shape.
    loadIntoDraw(step.shape!);
  } else {
    draw?.clear();
    store.setDrawn(step.shape ?? null);
    if (step.shape && draw) draw.addFeatures([{ type: 'Feature', id: draw.getFeatureId(), geometry: step.shape, properties: { mode: 'polygon' } }]);
    else drawMode('polygon');
  }
  afterChange();
}

export function discard(): void {
  if (!confirmDiscard()) return;
  const keep = state.selected;
  const tool = state.tool;
  clearWork();
  if (tool === 'select') selectGrid(keep);
  else if (tool === 'create') drawMode('polygon');
  else if (tool === 'split' && keep) drawMode('linestring');
  store.changed();
}

/** Starts (or cancels) deleting the selected grid into a neighbour of its community. */
export function startDelete(): void {
  const g = state.selected;
  if (!g) return;
  if (state.deleting) {
    store.cancelDeleting();
    clearOverlays();
    store.changed();
    return;
  }
  const candidates = deleteCandidates(state, g);
  if (!candidates.length) {
    message(t('delete.noNeighbour'), 'info');
    return;
  }
  clearOverlays();
  store.startDeleting(g, candidates.length === 1 ? candidates[0].properties.id : null);
  store.changed();
  document.querySelector('#pending-panel')?.scrollIntoView({ block: 'nearest' });
}

export function chooseDeleteTarget(id: number | null): void {
  if (!state.deleting) return;
  store.chooseDeleteInto(id);
  clearOverlays();
  store.changed();
}

/** After a save: the tool stays, its work is gone; `focus` is selected (select tool). */
export function afterSave(tool: Tool, focus: GridFeature | null): void {
  if (tool === 'select') selectGrid(focus);
  else {
    store.setSelected(null);
    if (tool === 'create') drawMode('polygon');
  }
}

function gridAt(point: { x: number; y: number }): GridFeature | undefined {
  const hits = editorMap()!.queryRenderedFeatures([point.x, point.y], { layers: ['grids-own-fill', 'grids-locked-fill'] });
  const id = hits[0]?.properties?.id as number | undefined;
  return id === undefined ? undefined : state.grids.get(id);
}

/** Within 12 px of the edited grid's outline (its handles): that click belongs to terra-draw. */
function onEditedOutline(point: { x: number; y: number }): boolean {
  const g = workingGeometry();
  const m = editorMap();
  if (!g || !m) return false;
  return !!snapToRings(point, g.coordinates, (p) => m.project([p[0], p[1]]), 12);
}

export function onMapClick(e: { point: { x: number; y: number } }): void {
  const map = editorMap()!;
  if (state.tool === 'create' || (state.tool === 'split' && state.selected)) return;
  if (state.tool === 'select' && onEditedOutline(e.point)) return;
  const working = workingGeometry();
  if (state.tool === 'select' && state.selected && working && pointInPolygon(map.unproject([e.point.x, e.point.y]).toArray(), working)) return;
  const g = gridAt(e.point);
  if (!g) return;
  if (!canEdit(state.user, g)) {
    message(t('grid.locked', { name: g.properties.name, street: g.properties.street_name }), 'info');
    return;
  }
  if (state.tool === 'merge') {
    store.toggleMerge(g.properties.id);
    clearOverlays();
    store.changed();
    return;
  }
  if (state.tool === 'split') {
    store.setSelected(g);
    drawMode('linestring');
    store.changed();
    return;
  }
  if (state.deleting) {
    if (g.properties.id === state.deleting.grid.properties.id) return;
    if (deleteCandidates(state, state.deleting.grid).some((c) => c.properties.id === g.properties.id)) chooseDeleteTarget(g.properties.id);
    else message(t('delete.notNeighbour', { name: g.properties.name }), 'info');
    return;
  }
  if (state.selected?.properties.id === g.properties.id) return;
  if (!confirmDiscard()) return;
  selectGrid(g);
}

/** The pointer over a grid the current tool can pick. */
export function onMapHover(e: { point: { x: number; y: number } }): void {
  if (state.tool !== 'select' && state.tool !== 'merge') return;
  const g = gridAt(e.point);
  editorMap()!.getCanvas().style.cursor = g && canEdit(state.user, g) ? 'pointer' : '';
}
