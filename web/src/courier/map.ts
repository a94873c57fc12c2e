/** The courier map: position marker, numbered station pins, the selected station's walking route. */
import type * as GeoJSON from 'geojson';
import type { Bbox, StationFeature } from '../api/client.js';
import { boundsOf, createMap, EMPTY, maplibregl, networkLoader } from '../map/create.js';
import { t } from '../i18n/index.js';
import { h } from '../ui/dom.js';

export interface CourierMap {
  showResults(pos: { lon: number; lat: number }, results: StationFeature[], selectedId: number | null): void;
  showRoute(f: StationFeature): void;
  /** Back to the whole city (after a position outside it). */
  fitCity(): void;
}

export async function courierMap(container: HTMLElement, bounds: Bbox | undefined, onTap: (lon: number, lat: number) => void): Promise<CourierMap> {
  // Phones pinch to zoom: no zoom buttons or scale bar over the pins.
  const map = createMap(container, bounds, {}, { controls: false });
  await new Promise<void>((resolve) => map.once('load', () => resolve()));
  map.addSource('route', { type: 'geojson', data: EMPTY });
  map.addLayer({
    id: 'route-casing',
    type: 'line',
    source: 'route',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#ffffff', 'line-width': 9 },
  });
  map.addLayer({
    id: 'route',
    type: 'line',
    source: 'route',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#2563eb', 'line-width': 5 },
  });
  // Streets in detail from zoom 14: a courier needs the small ones.
  networkLoader(map, 14);
  map.on('click', (e) => onTap(e.lngLat.lng, e.lngLat.lat));

  const me = new maplibregl.Marker({ element: h('div', { class: 'me-marker', role: 'img', 'aria-label': t('courier.here') }) });
  let pins: maplibregl.Marker[] = [];
  let current: StationFeature[] = [];
  let pos: { lon: number; lat: number } | null = null;

  /** Fits the view to the position plus `features`. */
  const fitTo = (features: GeoJSON.Feature[]) => {
    const b = boundsOf({ type: 'FeatureCollection', features });
    if (!b || !pos) return;
    const all: Bbox = [Math.min(b[0], pos.lon), Math.min(b[1], pos.lat), Math.max(b[2], pos.lon), Math.max(b[3], pos.lat)];
    map.fitBounds([all[0], all[1], all[2], all[3]], { padding: { top: 36, left: 36, right: 36, bottom: 52 }, maxZoom: 16.5, duration: 500 });
  };

  /** Draws the walking route to `f`; `fit` zooms to it (a tap on 看路线), else the view stays. */
  const drawRoute = (f: StationFeature, fit: boolean) => {
    const route = f.properties.route;
    const line: GeoJSON.Feature | null = route ? { type: 'Feature', geometry: route, properties: {} } : null;
    (map.getSource('route') as maplibregl.GeoJSONSource).setData(line ?? EMPTY);
    pins.forEach((m, i) => m.getElement().classList.toggle('selected', current[i]?.properties.id === f.properties.id));
    if (fit) fitTo(line ? [f, line] : [f]);
  };

  return {
    showResults(p, results, selectedId) {
      pos = p;
      current = results;
      me.setLngLat([p.lon, p.lat]).addTo(map);
      pins.forEach((m) => m.remove());
      pins = results.map((f, i) =>
        new maplibregl.Marker({ element: h('div', { class: 'pin', 'data-id': f.properties.id }, String(i + 1)), anchor: 'center' })
          .setLngLat(f.geometry.coordinates as [number, number])
          .addTo(map),
      );
      const sel = results.find((f) => f.properties.id === selectedId);
      if (sel) drawRoute(sel, false);
      else (map.getSource('route') as maplibregl.GeoJSONSource).setData(EMPTY);
      // First the whole answer: you and every listed station.
      if (results.length) fitTo(results);
      else map.easeTo({ center: [p.lon, p.lat], zoom: Math.max(map.getZoom(), 15) });
    },
    showRoute: (f) => drawRoute(f, true),
    fitCity: () => {
      if (bounds) map.fitBounds([bounds[0], bounds[1], bounds[2], bounds[3]], { padding: 20, duration: 500 });
    },
  };
}
