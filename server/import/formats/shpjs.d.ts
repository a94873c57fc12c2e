// shpjs 6 ships no type declarations; only the functions used by ./shapefile.ts.
declare module 'shpjs' {
  import type { Geometry } from 'geojson';
  /** Geometries of a .shp; with a .prj string they are reprojected to WGS84 lon/lat by proj4 (raw values kept when proj4 cannot read it). */
  export function parseShp(shp: DataView | ArrayBuffer | Uint8Array, prj?: string | false): (Geometry | null)[];
  /** Records of a .dbf decoded with the given encoding label (TextDecoder). */
  export function parseDbf(dbf: DataView | ArrayBuffer | Uint8Array, encoding?: string): Record<string, unknown>[];
}
