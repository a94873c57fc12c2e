/**
 * Text labels on the map as HTML markers. The offline style has no glyph server, so MapLibre
 * symbol layers cannot draw text (create.ts); a capped number of small, non-interactive elements
 * does the job instead. Shared by the planner and the grid editor.
 */
import { maplibregl, type MapLibreMap } from './create.js';
import './html-labels.css';

export interface HtmlLabel {
  id: number;
  text: string;
  /** Tooltip (full name and code). */
  title: string;
  lngLat: [number, number];
  /** Extra classes switched on or off (e.g. `locked`). */
  classes?: Record<string, boolean>;
  hidden?: boolean;
}

/**
 * Keeps one marker per label id: markers are created, moved, re-texted or removed so that exactly
 * the given labels are on the map. Below `minZoom` the map container gets `labels-off` (CSS hides
 * every label at once, even mid-animation).
 */
export class HtmlLabels {
  private markers = new Map<number, { marker: maplibregl.Marker; el: HTMLElement; key: string }>();

  constructor(
    private readonly map: MapLibreMap,
    readonly minZoom: number,
    private readonly className = 'grid-label',
  ) {
    const toggle = () => map.getContainer().classList.toggle('labels-off', map.getZoom() < minZoom);
    map.on('zoom', toggle);
    toggle();
  }

  get size(): number {
    return this.markers.size;
  }

  update(labels: HtmlLabel[]): void {
    const seen = new Set<number>();
    for (const l of labels) {
      seen.add(l.id);
      const key = JSON.stringify([l.text, l.title, l.lngLat, l.classes]);
      let m = this.markers.get(l.id);
      if (!m) {
        const el = document.createElement('div');
        el.className = this.className;
        el.dataset.grid = String(l.id);
        const marker = new maplibregl.Marker({ element: el, anchor: 'center' }).setLngLat(l.lngLat).addTo(this.map);
        m = { marker, el, key: '' };
        this.markers.set(l.id, m);
      }
      if (m.key !== key) {
        m.el.textContent = l.text;
        m.el.title = l.title;
        for (const [c, on] of Object.entries(l.classes ?? {})) m.el.classList.toggle(c, on);
        m.marker.setLngLat(l.lngLat);
        m.key = key;
      }
      m.el.hidden = !!l.hidden;
    }
    for (const [id, m] of this.markers)
      if (!seen.has(id)) {
        m.marker.remove();
        this.markers.delete(id);
      }
  }

  clear(): void {
    this.update([]);
  }
}
