/** GeoJSON files → the parsed object (a FeatureCollection, checked by ../records/parse.ts). A UTF-8 BOM is allowed. */
import type { FeatureCollection } from 'geojson';
import { FileFormatError } from './errors.js';

export function readGeoJson(bytes: Uint8Array): FeatureCollection {
  let input: unknown;
  try {
    input = JSON.parse(new TextDecoder().decode(bytes).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new FileFormatError(`不是有效的 JSON：${(err as Error).message}`, `not valid JSON: ${(err as Error).message}`);
  }
  return input as FeatureCollection;
}
