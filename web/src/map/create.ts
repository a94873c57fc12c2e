/**
 * The MapLibre map on our own offline basemap: a plain background plus the street network from
 * /api/network. No tile server (unless BASEMAP_TILES configures one, see basemap.ts), no glyphs,
 * no sprites: labels live in HTML (popups, lists).
 */
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection, GeoJSON } from 'geojson';
import { api, type Bbox } from '../api/client.js';
import { applyMapConfig } from './basemap.js';

// Vite does not bundle MapLibre's worker by itself (docs/libraries.md, trap 7).
maplibregl.setWorkerUrl(workerUrl);
// Start fetching the worker now, while the page asks the API for the city, not when the map is made.
maplibregl.prewarm();

export { maplibregl };
export type MapLibreMap = maplibregl.Map;

declare global {
  interface Window {
    /** The live map, for browser tests and debugging. */
    __map?: maplibregl.Map;
  }
}

export const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Road width by OSM highway class (major roads wider). */
const roadWidth = (scale: number): maplibregl.ExpressionSpecification => [
  'interpolate',
  ['linear'],
  ['zoom'],
  // City zooms show the major roads only (the overview): hairlines, so the colours stay readable.
  10,
  ['*', scale, ['match', ['get', 'highway'], ['primary', 'trunk', 'motorway'], 1.2, ['secondary'], 0.8, ['tertiary'], 0.4, 0.3]],
  12,
  ['*', scale, ['match', ['get', 'highway'], ['primary', 'trunk', 'motorway'], 2, ['secondary'], 1.6, ['tertiary'], 1.2, 0.5]],
  17,
  ['*', scale, ['match', ['get', 'highway'], ['primary', 'trunk', 'motorway'], 12, ['secondary'], 9, ['tertiary'], 7, 3.5]],
];

export function createMap(
  container: HTMLElement,
  bounds: Bbox | undefined,
  options: Partial<maplibregl.MapOptions> = {},
  { controls = true } = {},
): maplibregl.Map {
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: { network: { type: 'geojson', data: EMPTY } },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#f3f1ec' } },
        {
          id: 'network-casing',
          type: 'line',
          source: 'network',
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': '#d4cfc4', 'line-width': roadWidth(1.35) },
        },
        {
          id: 'network',
          type: 'line',
          source: 'network',
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': '#ffffff', 'line-width': roadWidth(1) },
        },
      ],
    },
    bounds: bounds ? [bounds[0], bounds[1], bounds[2], bounds[3]] : undefined,
    fitBoundsOptions: { padding: 24 },
    center: bounds ? undefined : [121.6, 38.91],
    zoom: bounds ? undefined : 13,
    maxZoom: 19,
    minZoom: 8,
    // Added by applyMapConfig once /api/map/config says which data and basemap to credit.
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    ...options,
  });
  void applyMapConfig(map);
  map.touchZoomRotate.disableRotation();
  if (controls) {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  }
  window.__map = map;
  return map;
}

/** The visible bbox, padded by `pad` of its size so small pans do not refetch. */
export function viewBbox(map: maplibregl.Map, pad = 0.15): Bbox {
  const b = map.getBounds();
  const dx = (b.getEast() - b.getWest()) * pad;
  const dy = (b.getNorth() - b.getSouth()) * pad;
  return [b.getWest() - dx, b.getSouth() - dy, b.getEast() + dx, b.getNorth() + dy];
}

const contains = (outer: Bbox, inner: Bbox) => outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];

/**
 * Calls `load(bbox, zoom, signal)` for the current view on start and after each move (debounced),
 * unless the last loaded area at the same detail level still covers the view. The bbox is the
 * view padded by `pad` of its size on each side. An older request is aborted when a newer one
 * starts; `refresh()` reloads the current view (e.g. when the question changed).
 */
export function loadByViewport(
  map: maplibregl.Map,
  detailLevel: (zoom: number) => string,
  load: (bbox: Bbox, zoom: number, signal: AbortSignal) => Promise<void>,
  { debounceMs = 250, pad = 0.25 } = {},
): { refresh(): void } {
  let loaded: { bbox: Bbox; level: string } | undefined;
  let ctrl: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (force: boolean) => {
    const zoom = map.getZoom();
    const level = detailLevel(zoom);
    const visible = viewBbox(map, 0);
    if (!force && loaded && loaded.level === level && contains(loaded.bbox, visible)) return;
    const bbox = viewBbox(map, pad);
    ctrl?.abort();
    const c = (ctrl = new AbortController());
    load(bbox, zoom, c.signal)
      .then(() => {
        if (!c.signal.aborted) loaded = { bbox, level };
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') console.warn('viewport load failed', e);
      });
  };
  map.on('moveend', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(false), debounceMs);
  });
  run(true);
  return { refresh: () => run(true) };
}

/**
 * Loads the street network for the view: none below `minZoom` (the source is emptied there);
 * below `overviewBelowZoom` each major road as one merged, simplified line (the whole city is
 * ≈ 400 features); below `majorBelowZoom` the major roads' edges, simplified; then every street.
 */
export function networkLoader(map: maplibregl.Map, majorBelowZoom = 14.5, { minZoom = 0, overviewBelowZoom = 12.5 } = {}) {
  const detail = (z: number) => (z < minZoom ? 'none' : z < overviewBelowZoom ? 'overview' : z < majorBelowZoom ? 'major' : 'all');
  return loadByViewport(map, detail, async (bbox, zoom, signal) => {
    const level = detail(zoom);
    if (level === 'none') return void (map.getSource('network') as maplibregl.GeoJSONSource).setData(EMPTY);
    // /api/network refuses edges over 1 square degree and the overview over 25; farther out the
    // basemap is just background.
    if ((bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) > (level === 'overview' ? 25 : 1)) return;
    const fc = await api.network(bbox, level, signal);
    (map.getSource('network') as maplibregl.GeoJSONSource).setData(fc);
  });
}

/** A red diagonal hatch as a style image, for gap fills (no sprite file needed). */
export function addHatchImage(map: maplibregl.Map, id = 'hatch-red', color: [number, number, number] = [220, 38, 38]): void {
  const size = 12;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = (x + y) % size;
      const on = d < 2 || d > size - 2;
      const i = (y * size + x) * 4;
      data.set(on ? [...color, 235] : [...color, 40], i);
    }
  }
  if (!map.hasImage(id)) map.addImage(id, { width: size, height: size, data }, { pixelRatio: 1 });
}

export function boundsOf(geo: GeoJSON): Bbox | undefined {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  const walk = (g: GeoJSON): void => {
    if (g.type === 'FeatureCollection') g.features.forEach(walk);
    else if (g.type === 'Feature') g.geometry && walk(g.geometry);
    else if (g.type === 'GeometryCollection') g.geometries.forEach(walk);
    else visit(g.coordinates);
  };
  walk(geo);
  return Number.isFinite(b[0]) ? b : undefined;
}
