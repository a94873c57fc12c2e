/**
 * Grid labels on the editor map: every loaded grid of the street, at its label point, hidden when
 * zoomed out. The markers themselves are the shared HTML labels (web/src/map/html-labels.ts).
 */
import type { Polygon } from 'geojson';
import type { MapLibreMap } from '../map/create.js';
import { HtmlLabels } from '../map/html-labels.js';
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
  private readonly labels: HtmlLabels;
  /** Label points by grid id, recomputed only when the outline changes. */
  private points = new Map<number, { key: string; at: [number, number] }>();

  constructor(map: MapLibreMap) {
    this.labels = new HtmlLabels(map, LABEL_MIN_ZOOM);
  }

  /** Shows exactly these grids' labels (`hidden`: the one being edited, drawn by terra-draw). */
  update(grids: LabelGrid[], hidden: number | null): void {
    const points = new Map<number, { key: string; at: [number, number] }>();
    const labels = grids.map((g) => {
      const ring = g.geometry.coordinates[0];
      const key = JSON.stringify([ring.length, ring[0], ring[Math.floor(ring.length / 2)]]);
      const old = this.points.get(g.id);
      const at = old && old.key === key ? old.at : (labelPoint(g.geometry) as [number, number]);
      points.set(g.id, { key, at });
      return { id: g.id, text: g.name, title: `${g.name} · ${g.code}`, lngLat: at, classes: { locked: !g.own }, hidden: g.id === hidden };
    });
    this.points = points;
    this.labels.update(labels);
  }
}
