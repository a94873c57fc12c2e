/**
 * KML writing (pure): one Placemark per feature, <name> from the `name` property and every
 * property as <ExtendedData><Data>, so ../import/formats/kml.ts reads the same attributes back.
 */
import type { Feature, Geometry, Position } from 'geojson';
import { stripControlChars } from './text.js';

/** XML text: control characters (not allowed in XML 1.0, even as references) stripped, markup escaped. */
const esc = (s: string) => stripControlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const coords = (ps: Position[]) => ps.map((p) => `${p[0]},${p[1]}`).join(' ');
const polygon = (rings: Position[][]) =>
  `<Polygon>${rings.map((r, i) => `<${i === 0 ? 'outerBoundaryIs' : 'innerBoundaryIs'}><LinearRing><coordinates>${coords(r)}</coordinates></LinearRing></${i === 0 ? 'outerBoundaryIs' : 'innerBoundaryIs'}>`).join('')}</Polygon>`;

function geometryKml(g: Geometry): string {
  switch (g.type) {
    case 'Point':
      return `<Point><coordinates>${g.coordinates[0]},${g.coordinates[1]}</coordinates></Point>`;
    case 'Polygon':
      return polygon(g.coordinates);
    case 'MultiPolygon':
      return `<MultiGeometry>${g.coordinates.map(polygon).join('')}</MultiGeometry>`;
    case 'LineString':
      return `<LineString><coordinates>${coords(g.coordinates)}</coordinates></LineString>`;
    default:
      throw new Error(`KML export does not support ${g.type}`);
  }
}

export function writeKml(features: Feature[], documentName: string): string {
  const placemarks = features.map((f) => {
    const props = (f.properties ?? {}) as Record<string, unknown>;
    const data = Object.entries(props)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `<Data name="${esc(k)}"><value>${esc(Array.isArray(v) ? v.join(',') : String(v))}</value></Data>`)
      .join('');
    const name = props.name !== undefined && props.name !== null ? `<name>${esc(String(props.name))}</name>` : '';
    return `  <Placemark>${name}<ExtendedData>${data}</ExtendedData>${geometryKml(f.geometry as Geometry)}</Placemark>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>${esc(documentName)}</name>\n${placemarks.join('\n')}\n</Document></kml>\n`;
}
