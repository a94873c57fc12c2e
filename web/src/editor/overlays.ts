/**
 * The editor's map once it exists, and what the editor draws on it besides terra-draw: the grids
 * (own, locked, merge picks, split target), their labels, and the overlays of a preview (changes,
 * problems), a conflict and a history version.
 */
import type { FeatureCollection, Polygon } from 'geojson';
import type { EditProblem, EditResponse } from '../api/client.js';
import { EMPTY, type MapLibreMap } from '../map/create.js';
import { GridLabels } from './labels.js';
import { addEditorLayers, hideGrid, setData, type SourceId } from './layers.js';
import { canEdit } from './pending.js';
import { state } from './store.js';

let map: MapLibreMap | undefined;
let labels: GridLabels | undefined;

/** The map, once its style has loaded and the editor's layers are added. */
export const editorMap = (): MapLibreMap | undefined => map;

export function attachMap(m: MapLibreMap): void {
  addEditorLayers(m);
  labels = new GridLabels(m);
  map = m;
}

export function setOverlay(id: SourceId, data: FeatureCollection): void {
  if (map) setData(map, id, data);
}

/** One polygon as an overlay (a history version), or none. */
export const polygonOverlay = (g: Polygon | null | undefined): FeatureCollection =>
  g ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: g, properties: {} }] } : EMPTY;

export function clearOverlays(): void {
  for (const id of ['preview', 'problems', 'conflict', 'history-geom'] as const) setOverlay(id, EMPTY);
}

/** Numbered markers where validation found problems. */
export function showProblems(problems: EditProblem[]): void {
  setOverlay('problems', {
    type: 'FeatureCollection',
    features: problems
      .filter((p) => p.location)
      .map((p, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p.location! }, properties: { i: i + 1, code: p.code } })),
  });
}

/** The grids an edit changes, by role (edited, created, adjusted, …). */
export function showChanges(r: EditResponse): void {
  setOverlay('preview', {
    type: 'FeatureCollection',
    features: r.changes.filter((c) => c.geometry).map((c) => ({ type: 'Feature', geometry: c.geometry!, properties: { role: c.role, id: c.grid_id } })),
  });
}

export const focusProblem = (p: EditProblem): void => void (p.location && map?.easeTo({ center: p.location, zoom: Math.max(map.getZoom(), 16) }));

/** The loaded grids with what the current tool marks on them; the one being reshaped is left to terra-draw. */
export function paintGrids(): void {
  if (!map) return;
  const grids = [...state.grids.values()];
  const communities = [...new Set(grids.map((g) => g.properties.community_code))].sort();
  setData(map, 'grids', {
    type: 'FeatureCollection',
    features: grids.map((g) => ({
      type: 'Feature',
      id: g.properties.id,
      geometry: g.geometry,
      properties: {
        id: g.properties.id,
        own: canEdit(state.user, g),
        community_index: communities.indexOf(g.properties.community_code) % 4,
        merge: (state.tool === 'merge' && state.mergeIds.includes(g.properties.id)) || state.deleting?.into === g.properties.id,
        target: state.tool === 'split' && state.selected?.properties.id === g.properties.id,
      },
    })),
  });
  hideGrid(map, state.tool === 'select' && state.selected ? state.selected.properties.id : null);
  labels?.update(
    grids.map((g) => ({ id: g.properties.id, name: g.properties.name, code: g.properties.code, own: canEdit(state.user, g), geometry: g.geometry })),
    null,
  );
}
