/**
 * The planner's map once it exists, and what the planner paints on it: grids and their coverage
 * colours, community colours, gaps, outlines, stations, a station's service area, grid labels,
 * the highlighted unit. Coverage colours are feature state (see paintShares).
 */
import type { FeatureCollection, GeoJSON } from 'geojson';
import type { Bbox, GridCollection, GridShare, StationCollection } from '../api/client.js';
import { boundsOf, createMap, EMPTY, type maplibregl, type MapLibreMap } from '../map/create.js';
import { HtmlLabels } from '../map/html-labels.js';
import { addStationTypeImages } from '../map/stations.js';
import { pickGridLabels, PLANNER_LABEL_MIN_ZOOM } from './labels.js';
import { addPlannerLayers, GRID_MIN_ZOOM, highlightUnit, type LayerGroup, setGroupVisible, setStationTypeFilter } from './layers.js';
import * as store from './store.js';
import { type Boundaries, type Selection, state } from './store.js';

let map: MapLibreMap;
/** The planner's sources and layers exist (after the map's `load`). */
let layersReady = false;
let labels: HtmlLabels | undefined;

/**
 * Keeps fitted areas clear of the legend (bottom left) and the layer switcher (top right); on a
 * phone both start folded, and a 200 px margin would squeeze the city into a corner of a 390 px map.
 */
const MAP_PADDING = window.matchMedia('(max-width: 800px)').matches
  ? { top: 50, bottom: 50, left: 16, right: 16 }
  : { top: 40, bottom: 40, left: 200, right: 80 };

/** The map (created by createPlannerMap, before anything else uses it). */
export const plannerMap = (): MapLibreMap => map;
export const layersAdded = (): boolean => layersReady;

export function createPlannerMap(container: HTMLElement, bbox: Bbox | undefined): MapLibreMap {
  map = createMap(container, bbox, { fitBoundsOptions: { padding: MAP_PADDING } });
  return map;
}

/** On the map's `load`: the planner's layers, then what had arrived before them, then labels. */
export function addLayers(): void {
  addPlannerLayers(
    map,
    state.types.map((x) => x.code),
  );
  void addStationTypeImages(
    map,
    state.types.map((x) => x.code),
  );
  layersReady = true;
  filterStationTypes(); // only the chosen types' stations, from the start
  if (state.stats) paintUnits();
  if (map.getZoom() < GRID_MIN_ZOOM) showGaps(state.gaps);
  labels = new HtmlLabels(map, PLANNER_LABEL_MIN_ZOOM);
  map.on('moveend', updateLabels);
}

/** The map shows communities (zoomed out) or grids. */
export const legendLevel = (): 'community' | 'grid' => (map && map.getZoom() < GRID_MIN_ZOOM ? 'community' : 'grid');

const source = (id: string) => map?.getSource(id) as maplibregl.GeoJSONSource | undefined;

/** The grids of the view, drawn at once (grey until their covered share is known). */
export function showGrids(grids: GridCollection): void {
  store.setGrids(grids);
  if (!source('grids')) return;
  source('grids')?.setData(grids);
  updateLabels();
}

/**
 * Coverage colours as feature state: no re-tiling of the polygons, and polygons loaded later
 * (panning) are coloured as soon as they arrive, since the state is kept per id. Grids are keyed
 * by id (promoteId), communities by their numeric code (the outline feature's id).
 */
export function paintShares(shares: GridShare[]): void {
  store.addShares(shares);
  for (const s of shares) map.setFeatureState({ source: 'grids', id: s.id }, { share: gridShare(s) });
}

/** A grid's share by the chosen measure (a grid without residents: by area). */
const gridShare = (s: GridShare): number => (state.measure === 'population' ? (s.covered_share_by_population ?? s.covered_share) : s.covered_share);

/** Communities coloured by the same measure the table shows (state.measure). */
export function paintUnits(): void {
  for (const u of state.stats?.units ?? [])
    if (u.level === 'community')
      map.setFeatureState(
        { source: 'boundaries', id: Number(u.code) },
        { share: state.measure === 'area' ? u.covered_share_by_area : u.covered_share_by_population },
      );
}

/** The measure changed: colours again from what is loaded (no request). */
export function paintMeasure(): void {
  if (!layersReady) return;
  paintUnits();
  for (const s of state.shareById.values()) map.setFeatureState({ source: 'grids', id: s.id }, { share: gridShare(s) });
}

/** Grey ("computing") until a new question's answer arrives, rather than the old question's colours. */
export function clearColours(): void {
  if (!layersReady) return;
  map.removeFeatureState({ source: 'grids' });
  map.removeFeatureState({ source: 'boundaries' });
}

export function showGaps(fc: FeatureCollection | null): void {
  source('gaps')?.setData(fc ?? EMPTY);
}

/** One admin level's outlines arrived (see store.mergeBoundaries). */
export function showBoundaries(fc: Boundaries): void {
  source('boundaries')?.setData(store.mergeBoundaries(fc));
}

export function showStations(fc: StationCollection): void {
  store.setStations(fc);
  source('stations')?.setData(fc);
}

/** A station's service area (circle or isochrone), or none. */
export function showServiceArea(area: GeoJSON = EMPTY): void {
  source('service')?.setData(area);
}

export function filterStationTypes(): void {
  setStationTypeFilter(map, [...state.selectedTypes]);
}

/** Grid names at high zoom, for the grids in view only (capped; see labels.ts). */
export function updateLabels(): void {
  if (!labels) return;
  if (!state.layers.labels || !state.grids || map.getZoom() < PLANNER_LABEL_MIN_ZOOM) {
    labels.clear();
    return;
  }
  const b = map.getBounds();
  labels.update(pickGridLabels(state.grids.features, [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom()));
}

export function showLayer(group: LayerGroup, shown: boolean): void {
  store.setLayerShown(group, shown);
  setGroupVisible(map, group, shown);
  if (group === 'labels') updateLabels();
}

/** Selects a unit, highlights it and fits the map to `geo` (if given). */
export function selectAndFit(selection: Selection, geo?: GeoJSON): void {
  store.select(selection);
  highlightUnit(map, selection);
  if (geo) fit(geo);
}

export function fit(geo: GeoJSON): void {
  const b = boundsOf(geo);
  if (!b) return;
  map.fitBounds([b[0], b[1], b[2], b[3]], { padding: MAP_PADDING, maxZoom: 17, duration: 600 });
}
