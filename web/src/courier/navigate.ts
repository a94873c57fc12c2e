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

/** Where the rider is (WGS84) and what to call it in the app; the apps start there instead of asking. */
export interface Origin {
  at: LonLat;
  name: string;
}

/**
 * Amap riding directions to `dest` (WGS84), converted to GCJ-02; from `origin` when given.
 * Amap's URI API (https://lbs.amap.com/api/uri-api/guide/travel/route, "路径规划"):
 * `navigation?from=lon,lat,name&to=lon,lat,name&mode=car|bus|walk|ride&coordinate=gaode&callnative=1`;
 * riders are on e-bikes, so `ride` (骑行), not `walk`.
 * @example amapUrl([121.6, 38.91], '泰福驿站') // https://uri.amap.com/navigation?to=121.604939,38.910769,…&mode=ride&coordinate=gaode
 */
export function amapUrl(dest: LonLat, name: string, origin?: Origin): string {
  const [lon, lat] = toGcj02(dest);
  const from = origin ? `from=${toGcj02(origin.at).map(r6).join(',')},${encodeURIComponent(clean(origin.name))}&` : '';
  return `https://uri.amap.com/navigation?${from}to=${r6(lon)},${r6(lat)},${encodeURIComponent(clean(name))}&mode=ride&coordinate=gaode&callnative=1`;
}

/**
 * Baidu riding directions to `dest` (WGS84), converted to BD-09: the app scheme and the web page.
 * Baidu's URI API (https://lbsyun.baidu.com/faq/api?title=webapi/uri/andriod, "路线规划"):
 * `baidumap://map/direction?origin=…&destination=latlng:lat,lng|name:…&coord_type=bd09ll&mode=riding`
 * (modes transit|driving|walking|riding); the web page (`api.map.baidu.com/direction`, output=html)
 * needs an origin as well, so without the rider's position it is left out of the hand-off.
 */
export function baiduUrls(dest: LonLat, name: string, origin?: Origin): { app: string; web: string | null } {
  const [lng, lat] = toBd09(dest);
  const destination = `latlng:${r6(lat)},${r6(lng)}|name:${encodeURIComponent(clean(name))}`;
  let from = '';
  if (origin) {
    const [olng, olat] = toBd09(origin.at);
    from = `origin=latlng:${r6(olat)},${r6(olng)}|name:${encodeURIComponent(clean(origin.name))}&`;
  }
  return {
    app: `baidumap://map/direction?${from}destination=${destination}&coord_type=bd09ll&mode=riding&src=lifecircle`,
    web: origin ? `https://api.map.baidu.com/direction?${from}destination=${destination}&coord_type=bd09ll&mode=riding&output=html&src=lifecircle` : null,
  };
}

/**
 * Apple Maps directions; Apple uses GCJ-02 in mainland China and WGS84 elsewhere. Its URL scheme
 * (https://developer.apple.com/library/archive/featuredarticles/iPhoneURLScheme_Reference/MapLinks/MapLinks.html)
 * has no cycling mode (dirflg d | w | r), so walking; `saddr` is the rider's position when known.
 */
export function appleUrl(dest: LonLat, origin?: Origin): string {
  const [lon, lat] = toGcj02(dest);
  const from = origin ? `saddr=${toGcj02(origin.at).reverse().map(r6).join(',')}&` : '';
  return `https://maps.apple.com/?${from}daddr=${r6(lat)},${r6(lon)}&dirflg=w`;
}

/** All three hand-offs for one destination, from the rider's position when known. */
export function navigationLinks(dest: LonLat, name: string, origin?: Origin): NavLink[] {
  const amap = amapUrl(dest, name, origin);
  const baidu = baiduUrls(dest, name, origin);
  const apple = appleUrl(dest, origin);
  return [
    { app: 'amap', url: amap, web: amap },
    { app: 'baidu', url: baidu.app, web: baidu.web ?? baidu.app },
    { app: 'apple', url: apple, web: apple },
  ];
}
