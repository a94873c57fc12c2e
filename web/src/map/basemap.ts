/**
 * The optional raster basemap (server's BASEMAP_TILES) and the attribution line. Both come from
 * /api/map/config after the map is created, so the first paint never waits for them; with no
 * basemap configured nothing external is ever requested.
 */
import * as maplibregl from 'maplibre-gl';
import type { Static } from 'typebox';
import type { MapConfig as MapConfigSchema } from '../../../server/schemas/map-config.js';

export type MapConfig = Static<typeof MapConfigSchema>;

let config: Promise<MapConfig | null> | undefined;

/** The configuration, fetched once per page. */
export function mapConfig(): Promise<MapConfig | null> {
  config ??= fetch('/api/map/config')
    .then((r) => (r.ok ? (r.json() as Promise<MapConfig>) : null))
    .catch(() => null);
  return config;
}

/**
 * Adds the attribution control (ours, the data's — e.g. © OpenStreetMap contributors for an OSM
 * street network — and the basemap's, which MapLibre takes from its source) and, when configured,
 * the raster basemap under every other layer except the background.
 */
export async function applyMapConfig(map: maplibregl.Map, { compact = true } = {}): Promise<void> {
  // Listen for 'load' now (createMap calls this right after constructing the map, before 'load'
  // can fire). isStyleLoaded() is no substitute: it is false again whenever a source is updating,
  // and 'load' never fires a second time.
  const styleLoaded = new Promise<void>((resolve) => map.once('load', () => resolve()));
  const cfg = await mapConfig();
  map.addControl(new maplibregl.AttributionControl({ compact, customAttribution: ['生活圈 Lifecircle', ...(cfg?.attributions ?? [])] }), 'bottom-right');
  if (!cfg?.basemap) return;
  await styleLoaded;
  const { tiles, tileSize, maxzoom, attribution } = cfg.basemap;
  map.addSource('basemap', { type: 'raster', tiles, tileSize, maxzoom, attribution });
  // Just above the background: our own streets and data draw over the tiles.
  const firstAbove = map.getStyle().layers.find((l) => l.type !== 'background')?.id;
  map.addLayer({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.85 } }, firstAbove);
}
