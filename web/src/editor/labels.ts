/**
 * Grid labels on the editor map as HTML markers: the offline style has no glyph server, so
 * MapLibre symbol layers cannot draw text (web/src/map/create.ts). A few dozen small, non-
 * interactive elements at each grid's label point; hidden when zoomed out.
 */
import type { Polygon } from 'geojson';
import { maplibregl, type MapLibreMap } from '../map/create.js';
import { labelPoint } from './geometry.js';

export interface LabelGrid {
  id: number;
  name: string;
  code: string;
  own: boolean;
  geometry: Polygon;
}

/** Below this zoom the labels would cover the grids: hidden. */
export const LABEL_MIN_ZOOM = 14.5;

export class GridLabels {
  private markers = new Map<number, { marker: maplibregl.Marker; el: HTMLElement; key: string }>();

  constructor(private readonly map: MapLibreMap) {
    const toggle = () => map.getContainer().classList.toggle('labels-off', map.getZoom() < LABEL_MIN_ZOOM);
    map.on('zoom', toggle);
    toggle();
  }

  /** Shows exactly these grids' labels (`hidden`: the one being edited, drawn by terra-draw). */
  update(grids: LabelGrid[], hidden: number | null): void {
    const seen = new Set<number>();
    for (const g of grids) {
      seen.add(g.id);
      const key = JSON.stringify([g.name, g.own, g.geometry.coordinates[0].length, g.geometry.coordinates[0][0]]);
      let m = this.markers.get(g.id);
      if (!m) {
        const el = document.createElement('div');
        el.className = 'grid-label';
        el.dataset.grid = String(g.id);
        const marker = new maplibregl.Marker({ element: el, anchor: 'center' }).setLngLat(labelPoint(g.geometry) as [number, number]).addTo(this.map);
        m = { marker, el, key: '' };
        this.markers.set(g.id, m);
      }
      if (m.key !== key) {
        m.el.textContent = g.name;
        m.el.title = `${g.name} · ${g.code}`;
        m.el.classList.toggle('locked', !g.own);
        m.marker.setLngLat(labelPoint(g.geometry) as [number, number]);
        m.key = key;
      }
      m.el.hidden = g.id === hidden;
    }
    for (const [id, m] of this.markers)
      if (!seen.has(id)) {
        m.marker.remove();
        this.markers.delete(id);
      }
  }
}
