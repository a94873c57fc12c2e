/**
 * The planner's map layers: communities (below GRID_MIN_ZOOM) or grids (from it) coloured by
 * covered share, admin outlines, gaps (red hatch), stations, service area.
 */
import type { ExpressionSpecification, Map as MapLibreMap } from 'maplibre-gl';
import { addHatchImage, EMPTY } from '../map/create.js';
import { typeColorExpression } from '../map/stations.js';

/**
 * Covered-share classes (lower bounds) and colours; -1 = not computed yet. The share is a feature
 * state (`share`, keyed by grid id), so colouring 10,000 grids never re-tiles the grids source.
 */
export const SHARE_CLASSES: Array<{ min: number; color: string; label: string }> = [
  { min: 0, color: '#f97316', label: '< 50%' },
  { min: 0.5, color: '#fbbf24', label: '50–80%' },
  { min: 0.8, color: '#d9f99d', label: '80–95%' },
  { min: 0.95, color: '#86efac', label: '95–99%' },
  { min: 0.995, color: '#22c55e', label: '100%' },
];
export const NO_DATA_COLOR = '#e5e7eb';

/**
 * From this zoom on the map shows grids (loaded for the view only); below it, communities coloured
 * by their rolled-up share. At Dalian scale (~10,000 grids) the whole city fits at zoom ≈ 11.6 on a
 * 1280×800 screen; at 13.5 a view holds ~1,000–2,000 grids (~20 px each), communities ~60 px.
 */
export const GRID_MIN_ZOOM = 13.5;
/**
 * Basemap streets from this zoom on: below NETWORK_OVERVIEW_BELOW_ZOOM only the major roads, each
 * merged into one thin line (every edge at city zoom would hide the colours); major edges until 14.5.
 */
export const NETWORK_MIN_ZOOM = 10;
export const NETWORK_OVERVIEW_BELOW_ZOOM = 13;
/** Station type symbols from this zoom (dots only below). */
export const STATION_ICON_MIN_ZOOM = 14;

export const shareColor: ExpressionSpecification = [
  'step',
  ['coalesce', ['feature-state', 'share'], -1],
  NO_DATA_COLOR,
  ...SHARE_CLASSES.flatMap((c) => [c.min, c.color]),
] as unknown as ExpressionSpecification;

/** Layer ids per switchable group (layer switcher). */
export const LAYER_GROUPS = {
  coverage: ['communities-fill', 'grids-fill'],
  gridLines: ['grids-line'],
  /** HTML markers, not a style layer (main.ts updates them). */
  labels: [],
  boundaries: ['boundary-community', 'boundary-street', 'boundary-district', 'unit-selected'],
  gaps: ['gaps-fill', 'gaps-line'],
  stations: ['stations', 'stations-icons'],
  network: ['network', 'network-casing'],
  service: ['service-fill', 'service-line'],
} as const;
export type LayerGroup = keyof typeof LAYER_GROUPS;

export function addPlannerLayers(map: MapLibreMap, typeCodes: string[]): void {
  addHatchImage(map);
  map.addSource('grids', { type: 'geojson', data: EMPTY, promoteId: 'id' });
  // District, street and community outlines; each feature's id is its (numeric) code, so a
  // community's rolled-up share is a feature state like a grid's (main.ts).
  map.addSource('boundaries', { type: 'geojson', data: EMPTY });
  map.addSource('gaps', { type: 'geojson', data: EMPTY });
  map.addSource('stations', { type: 'geojson', data: EMPTY, promoteId: 'id' });
  map.addSource('service', { type: 'geojson', data: EMPTY });

  // Coverage fill under the streets, so the streets stay readable through it: communities when
  // zoomed out, grids from GRID_MIN_ZOOM on.
  map.addLayer(
    {
      id: 'communities-fill',
      type: 'fill',
      source: 'boundaries',
      maxzoom: GRID_MIN_ZOOM,
      filter: ['==', ['get', 'level'], 'community'],
      paint: { 'fill-color': shareColor, 'fill-opacity': 0.7 },
    },
    'network-casing',
  );
  map.addLayer(
    { id: 'grids-fill', type: 'fill', source: 'grids', minzoom: GRID_MIN_ZOOM, paint: { 'fill-color': shareColor, 'fill-opacity': 0.62 } },
    'network-casing',
  );
  map.addLayer({ id: 'service-fill', type: 'fill', source: 'service', paint: { 'fill-color': '#2563eb', 'fill-opacity': 0.12 } });
  map.addLayer({ id: 'service-line', type: 'line', source: 'service', paint: { 'line-color': '#2563eb', 'line-width': 2, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'gaps-fill', type: 'fill', source: 'gaps', paint: { 'fill-pattern': 'hatch-red', 'fill-opacity': 0.9 } });
  map.addLayer({
    id: 'gaps-line',
    type: 'line',
    source: 'gaps',
    paint: { 'line-color': '#dc2626', 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1, 16, 2.5] },
  });
  map.addLayer({
    id: 'grids-line',
    type: 'line',
    source: 'grids',
    minzoom: GRID_MIN_ZOOM,
    paint: {
      'line-color': '#475569',
      'line-opacity': ['interpolate', ['linear'], ['zoom'], 12, 0.25, 16, 0.7],
      'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.4, 17, 1.5],
    },
  });
  // Admin outlines above the grids: community thin, street dashed, district thick.
  map.addLayer({
    id: 'boundary-community',
    type: 'line',
    source: 'boundaries',
    filter: ['==', ['get', 'level'], 'community'],
    paint: {
      'line-color': '#334155',
      'line-opacity': ['interpolate', ['linear'], ['zoom'], 10, 0.35, 13, 1],
      'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.4, 12, 0.8, 16, 1.8],
    },
  });
  map.addLayer({
    id: 'boundary-street',
    type: 'line',
    source: 'boundaries',
    filter: ['==', ['get', 'level'], 'street'],
    paint: { 'line-color': '#1e293b', 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1.6, 16, 3], 'line-dasharray': [3, 1.5] },
  });
  map.addLayer({
    id: 'boundary-district',
    type: 'line',
    source: 'boundaries',
    filter: ['==', ['get', 'level'], 'district'],
    paint: { 'line-color': '#0f172a', 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 2.5, 16, 4.5] },
  });
  map.addLayer({
    id: 'grids-selected',
    type: 'line',
    source: 'grids',
    minzoom: GRID_MIN_ZOOM,
    filter: ['==', ['get', 'id'], -1],
    paint: { 'line-color': '#1e3a8a', 'line-width': 3 },
  });
  // The selected street or community's outline, at every zoom.
  map.addLayer({
    id: 'unit-selected',
    type: 'line',
    source: 'boundaries',
    filter: ['==', ['get', 'code'], ''],
    paint: { 'line-color': '#1e3a8a', 'line-width': 3.5 },
  });
  map.addLayer({
    id: 'stations',
    type: 'circle',
    source: 'stations',
    paint: {
      'circle-color': typeColorExpression(typeCodes),
      // Small at city zoom, where ~1,000 stations would otherwise hide the community colours.
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2.5, 12, 4, 16, 8, 18, 11],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 10, 0.8, 12, 2],
      'circle-opacity': ['case', ['==', ['get', 'status'], 'open'], 1, 0.45],
    },
  });
  // From street zoom each station also shows its type's symbol (addStationTypeImages) over the
  // dot, which stays the click and query target.
  map.addLayer({
    id: 'stations-icons',
    type: 'symbol',
    source: 'stations',
    minzoom: STATION_ICON_MIN_ZOOM,
    layout: {
      'icon-image': ['concat', 'station-', ['get', 'type']],
      'icon-size': ['interpolate', ['linear'], ['zoom'], STATION_ICON_MIN_ZOOM, 0.8, 17, 1],
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
    },
    paint: { 'icon-opacity': ['case', ['==', ['get', 'status'], 'open'], 1, 0.5] },
  });
}

/** Highlights the grids of a unit (street / community code) or one grid. */
export function highlightUnit(map: MapLibreMap, unit: { level: 'street' | 'community' | 'grid'; code: string } | null): void {
  const filter: ExpressionSpecification = unit
    ? (['==', ['get', unit.level === 'grid' ? 'code' : `${unit.level}_code`], unit.code] as ExpressionSpecification)
    : (['==', ['get', 'id'], -1] as ExpressionSpecification);
  map.setFilter('grids-selected', filter);
  map.setFilter('unit-selected', ['==', ['get', 'code'], unit && unit.level !== 'grid' ? unit.code : '']);
}

export function setStationTypeFilter(map: MapLibreMap, types: string[]): void {
  for (const id of LAYER_GROUPS.stations) map.setFilter(id, ['in', ['get', 'type'], ['literal', types]]);
}

export function setGroupVisible(map: MapLibreMap, group: LayerGroup, visible: boolean): void {
  for (const id of LAYER_GROUPS[group]) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
}
