/**
 * MapLibre layers of the editor, under terra-draw's: the user's grids (blue outlines, selectable),
 * other streets' grids (grey, locked), the merge selection, the preview of what an edit changes,
 * problem markers, the two versions of a conflict and a version from the history.
 */
import type { FeatureCollection } from 'geojson';
import { EMPTY, type MapLibreMap, type maplibregl } from '../map/create.js';

export const SOURCES = ['grids', 'preview', 'problems', 'conflict', 'history-geom'] as const;
export type SourceId = (typeof SOURCES)[number];

export function addEditorLayers(map: MapLibreMap): void {
  for (const id of SOURCES) map.addSource(id, { type: 'geojson', data: EMPTY });
  const own = ['==', ['get', 'own'], true] as maplibregl.ExpressionSpecification;
  const locked = ['==', ['get', 'own'], false] as maplibregl.ExpressionSpecification;
  map.addLayer({ id: 'grids-locked-fill', type: 'fill', source: 'grids', filter: locked, paint: { 'fill-color': '#9ca3af', 'fill-opacity': 0.28 } });
  map.addLayer({
    id: 'grids-locked-line',
    type: 'line',
    source: 'grids',
    filter: locked,
    paint: { 'line-color': '#6b7280', 'line-width': 1, 'line-dasharray': [2, 2] },
  });
  map.addLayer({
    id: 'grids-own-fill',
    type: 'fill',
    source: 'grids',
    filter: own,
    paint: { 'fill-color': ['match', ['get', 'community_index'], 0, '#bfdbfe', 1, '#bbf7d0', 2, '#fde68a', 3, '#fbcfe8', '#ddd6fe'], 'fill-opacity': 0.45 },
  });
  map.addLayer({
    id: 'grids-merge',
    type: 'fill',
    source: 'grids',
    filter: ['==', ['get', 'merge'], true],
    paint: { 'fill-color': '#f59e0b', 'fill-opacity': 0.45 },
  });
  map.addLayer({ id: 'grids-own-line', type: 'line', source: 'grids', filter: own, paint: { 'line-color': '#1e40af', 'line-width': 1.4 } });
  map.addLayer({
    id: 'grids-split-target',
    type: 'line',
    source: 'grids',
    filter: ['==', ['get', 'target'], true],
    paint: { 'line-color': '#1d4ed8', 'line-width': 3 },
  });
  map.addLayer({ id: 'history-fill', type: 'fill', source: 'history-geom', paint: { 'fill-color': '#a855f7', 'fill-opacity': 0.2 } });
  map.addLayer({ id: 'history-line', type: 'line', source: 'history-geom', paint: { 'line-color': '#7e22ce', 'line-width': 2.5, 'line-dasharray': [3, 2] } });
  map.addLayer({
    id: 'preview-fill',
    type: 'fill',
    source: 'preview',
    paint: { 'fill-color': ['match', ['get', 'role'], 'edited', '#16a34a', 'created', '#16a34a', '#f97316'], 'fill-opacity': 0.18 },
  });
  map.addLayer({
    id: 'preview-line',
    type: 'line',
    source: 'preview',
    paint: { 'line-color': ['match', ['get', 'role'], 'edited', '#15803d', 'created', '#15803d', '#ea580c'], 'line-width': 2.5, 'line-dasharray': [2, 1] },
  });
  map.addLayer({
    id: 'conflict-fill',
    type: 'fill',
    source: 'conflict',
    paint: { 'fill-color': ['match', ['get', 'side'], 'theirs', '#ef4444', '#3b82f6'], 'fill-opacity': 0.12 },
  });
  map.addLayer({
    id: 'conflict-theirs',
    type: 'line',
    source: 'conflict',
    filter: ['==', ['get', 'side'], 'theirs'],
    paint: { 'line-color': '#dc2626', 'line-width': 3, 'line-dasharray': [2, 1.5] },
  });
  map.addLayer({
    id: 'conflict-yours',
    type: 'line',
    source: 'conflict',
    filter: ['==', ['get', 'side'], 'yours'],
    paint: { 'line-color': '#2563eb', 'line-width': 2.5 },
  });
  map.addLayer({
    id: 'problems',
    type: 'circle',
    source: 'problems',
    paint: { 'circle-radius': 9, 'circle-color': '#dc2626', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2.5, 'circle-opacity': 0.9 },
  });
}

export function setData(map: MapLibreMap, id: SourceId, data: FeatureCollection): void {
  (map.getSource(id) as maplibregl.GeoJSONSource | undefined)?.setData(data);
}

/** Hides the grid being edited from our layers (terra-draw draws it) . */
export function hideGrid(map: MapLibreMap, id: number | null): void {
  const own = ['==', ['get', 'own'], true];
  const f = (id === null ? own : ['all', own, ['!=', ['get', 'id'], id]]) as maplibregl.FilterSpecification;
  map.setFilter('grids-own-fill', f);
  map.setFilter('grids-own-line', f);
}
