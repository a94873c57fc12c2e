/**
 * KML and KMZ (Google Earth, 奥维互动地图 Ovital) → GeoJSON FeatureCollection for ../records/parse.ts. Pure.
 *
 * Placemark attributes come from <ExtendedData> (<Data name> and <SimpleData name>) and <name>;
 * a <MultiGeometry> of polygons becomes a MultiPolygon (one polygon: a Polygon), of points a
 * MultiPoint. Placemarks are numbered 1, 2, … in document order (folders flattened): that number is
 * the "row" in import reports.
 */
import { kml as kmlToGeoJson } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { FileFormatError } from './errors.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './limits.js';
import { unzipWithin } from './zip.js';

/** togeojson's styling properties, not data. */
const STYLE_KEYS = new Set([
  'styleUrl',
  'styleHash',
  'styleMapHash',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'fill',
  'fill-opacity',
  'icon',
  'icon-opacity',
  'icon-scale',
  'icon-color',
  'label-scale',
  'label-color',
  'visibility',
  'icon-offset',
  'icon-offset-units',
  'icon-heading',
]);

function normalizeGeometry(g: Geometry | null): Geometry | null {
  if (g?.type !== 'GeometryCollection') return g;
  const parts = g.geometries.map(normalizeGeometry).filter((x): x is Geometry => x !== null);
  if (parts.length > 0 && parts.every((p) => p.type === 'Polygon' || p.type === 'MultiPolygon')) {
    const polys = parts.flatMap((p) => (p.type === 'Polygon' ? [p.coordinates] : p.type === 'MultiPolygon' ? p.coordinates : []));
    return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys };
  }
  if (parts.length > 0 && parts.every((p) => p.type === 'Point')) {
    const pts = parts.map((p) => (p as { coordinates: number[] }).coordinates);
    return pts.length === 1 ? { type: 'Point', coordinates: pts[0] } : { type: 'MultiPoint', coordinates: pts };
  }
  return { ...g, geometries: parts };
}

export function readKml(text: string): FeatureCollection {
  const errors: string[] = [];
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the assignment in the try block
  let doc;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') errors.push(msg);
      },
    }).parseFromString(text.replace(/^\uFEFF/, ''), 'text/xml');
  } catch (err) {
    errors.push((err as Error).message);
  }
  if (!doc || errors.length > 0) {
    throw new FileFormatError(`KML 不是有效的 XML：${(errors[0] ?? '').slice(0, 200)}`, `the KML is not valid XML: ${(errors[0] ?? '').slice(0, 200)}`);
  }
  if (doc.getElementsByTagName('kml').length === 0 && doc.getElementsByTagName('Placemark').length === 0) {
    throw new FileFormatError('文件不是 KML（没有 <kml> 根元素）', 'not a KML file (no <kml> root element)');
  }
  const fc = kmlToGeoJson(doc as unknown as Parameters<typeof kmlToGeoJson>[0]);
  const features: Feature[] = fc.features.map((f) => ({
    type: 'Feature',
    geometry: normalizeGeometry(f.geometry) as Geometry,
    properties: Object.fromEntries(Object.entries(f.properties ?? {}).filter(([k]) => !STYLE_KEYS.has(k))),
  }));
  if (features.length === 0) throw new FileFormatError('KML 中没有地标（Placemark）', 'the KML contains no Placemark');
  return { type: 'FeatureCollection', features };
}

/** A KMZ is a zip holding doc.kml (or another .kml at the top level), opened within the upload limits (./zip.ts). */
export async function readKmz(bytes: Uint8Array, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<FeatureCollection> {
  const files = unzipWithin(bytes, { zh: 'KMZ', en: 'KMZ' }, limits, (n) => n.toLowerCase().endsWith('.kml'));
  const names = [...files.keys()];
  const name = names.find((n) => n.toLowerCase() === 'doc.kml') ?? names.sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (!name) throw new FileFormatError('KMZ 中没有 .kml 文件', 'the KMZ holds no .kml file');
  return readKml(new TextDecoder().decode(files.get(name)));
}
