/**
 * Hand-off links to phone navigation apps, with the destination converted to each app's datum:
 * Amap (Gaode) and Apple Maps in mainland China use GCJ-02, Baidu uses BD-09. Our data is WGS84.
 * Pure functions: no DOM, no network.
 */
import gcoordImport from 'gcoord';

type Gcoord = typeof gcoordImport.default;
// gcoord is CommonJS: the default import is the API object (Node ESM) or holds it under `default`.
const gcoord: Gcoord = ((gcoordImport as unknown as { default?: Gcoord }).default ?? gcoordImport) as Gcoord;

export type LonLat = [number, number];

/** WGS84 → GCJ-02. gcoord leaves points outside China unchanged (GCJ-02 only applies there). */
export const toGcj02 = (p: LonLat): LonLat => gcoord.transform([p[0], p[1]], gcoord.WGS84, gcoord.GCJ02) as LonLat;

/** WGS84 → BD-09 (Baidu's datum: GCJ-02 plus Baidu's own offset). */
export const toBd09 = (p: LonLat): LonLat => gcoord.transform([p[0], p[1]], gcoord.WGS84, gcoord.BD09) as LonLat;

const r6 = (n: number) => n.toFixed(6);
// Names go into URLs; the Amap `to` and Baidu `name:` fields are separated by `,` and `|`.
const clean = (name: string) => name.replace(/[,|]/g, ' ').trim();

export interface NavLink {
  app: 'amap' | 'baidu' | 'apple';
  /** Opens the app if installed (may equal `web`). */
  url: string;
  /** Works in any browser. */
  web: string;
}

/**
 * Amap walking directions to `dest` (WGS84), converted to GCJ-02.
 * @example amapUrl([121.6, 38.91], '泰福驿站') // https://uri.amap.com/navigation?to=121.604939,38.910769,…&mode=walk&coordinate=gaode
 */
export function amapUrl(dest: LonLat, name: string): string {
  const [lon, lat] = toGcj02(dest);
  return `https://uri.amap.com/navigation?to=${r6(lon)},${r6(lat)},${encodeURIComponent(clean(name))}&mode=walk&coordinate=gaode&callnative=1`;
}

/** Baidu walking directions to `dest` (WGS84), converted to BD-09: the app scheme and the web page. */
export function baiduUrls(dest: LonLat, name: string): { app: string; web: string } {
  const [lng, lat] = toBd09(dest);
  const destination = `latlng:${r6(lat)},${r6(lng)}|name:${encodeURIComponent(clean(name))}`;
  return {
    app: `baidumap://map/direction?destination=${destination}&coord_type=bd09ll&mode=walking&src=lifecircle`,
    web: `https://api.map.baidu.com/direction?destination=${destination}&coord_type=bd09ll&mode=walking&output=html&src=lifecircle`,
  };
}

/** Apple Maps walking directions; Apple uses GCJ-02 in mainland China and WGS84 elsewhere. */
export function appleUrl(dest: LonLat): string {
  const [lon, lat] = toGcj02(dest);
  return `https://maps.apple.com/?daddr=${r6(lat)},${r6(lon)}&dirflg=w`;
}

/** All three hand-offs for one destination. */
export function navigationLinks(dest: LonLat, name: string): NavLink[] {
  const amap = amapUrl(dest, name);
  const baidu = baiduUrls(dest, name);
  const apple = appleUrl(dest);
  return [
    { app: 'amap', url: amap, web: amap },
    { app: 'baidu', url: baidu.app, web: baidu.web },
    { app: 'apple', url: apple, web: apple },
  ];
}
