/**
 * Hand-made files as people have them (tests/import-geometry.test.ts, tests/bad-input.test.ts): a
 * small district → street → community → grid tree away from the sample city, drawn in metres
 * around an origin and written with clockwise rings (as ArcGIS and many KML tools write them),
 * Chinese attribute names, GCJ-02 where Amap data would be; and the geometry faults real files
 * have: a district whose two parts overlap (443 m², as in the DataV outline that once gave a 500),
 * a sliver part, a self-intersecting corner, a spike, repeated points.
 */
import type { Position } from 'geojson';
import { convertPosition, type Crs } from '../../server/import/crs.js';

export const ORIGIN: [number, number] = [122.3, 39.5];
const M_LAT = 111_034; // metres per degree of latitude near 39.5° N (a test drawing scale, not a measurement)
const M_LON = M_LAT * Math.cos((ORIGIN[1] * Math.PI) / 180);

/** Metres east/north of the origin → WGS84 lon/lat. */
export const at = (x: number, y: number): [number, number] => [ORIGIN[0] + x / M_LON, ORIGIN[1] + y / M_LAT];

/** A closed ring through these metre points, clockwise as given (callers list them clockwise). */
export const ring = (pts: [number, number][], crs: Crs = 'wgs84'): Position[] => {
  const r = pts.map(([x, y]) => convertPosition(at(x, y), 'wgs84', crs));
  return [...r, r[0]];
};

/** A clockwise rectangle [x0, x1] × [y0, y1] in metres. */
export const rectCw = (x0: number, y0: number, x1: number, y1: number): [number, number][] => [
  [x0, y0],
  [x0, y1],
  [x1, y1],
  [x1, y0],
];

export const CODES = {
  district: '210281000000',
  overlapDistrict: '210282000000',
  sliverDistrict: '210283000000',
  street: '210281001000',
  community: '210281001001',
  grids: ['210281001001001', '210281001001002', '210281001001003', '210281001001004'],
};

/** Districts in GCJ-02 (as DataV / Amap outlines are): 1 good, 2 two parts overlapping by 10 m × 44.3 m = 443 m², 3 with a 0.2 m wide sliver part. */
export function districtsGcj02() {
  const feature = (code: string, name: string, coordinates: unknown, type = 'MultiPolygon') => ({
    type: 'Feature',
    properties: { 编码: code, 名称: name },
    geometry: { type, coordinates },
  });
  return {
    type: 'FeatureCollection',
    features: [
      feature(CODES.district, '测试一区', [ring(rectCw(0, 0, 1000, 1000), 'gcj02')], 'Polygon'),
      feature(CODES.overlapDistrict, '测试二区', [[ring(rectCw(1200, 0, 1800, 400), 'gcj02')], [ring(rectCw(1790, -300, 2200, 44.3), 'gcj02')]]),
      feature(CODES.sliverDistrict, '测试三区', [[ring(rectCw(2400, 0, 3000, 600), 'gcj02')], [ring(rectCw(3005, 100, 3105, 100.2), 'gcj02')]]),
    ],
  };
}

/** The WGS84 truth of district 2's parts and district 3's main part (for PostGIS to measure). */
export const overlapParts = () => [ring(rectCw(1200, 0, 1800, 400)), ring(rectCw(1790, -300, 2200, 44.3))];
export const sliverDistrictMain = () => ring(rectCw(2400, 0, 3000, 600));

export const streetsWgs84 = () => ({
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { 编码: CODES.street, 名称: '测试街道', 上级编码: CODES.district },
      geometry: { type: 'Polygon', coordinates: [ring(rectCw(0, 0, 800, 800))] },
    },
  ],
});

export const communitiesWgs84 = () => ({
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { 编码: CODES.community, 名称: '测试社区', 上级编码: CODES.street },
      geometry: { type: 'Polygon', coordinates: [ring(rectCw(0, 0, 400, 400))] },
    },
  ],
});

/** The four grids' rings (WGS84 metres, clockwise): 1 clean, 2 a twisted corner (self-intersection at (200,200), 0.5 m² loop), 3 a spike, 4 repeated points. */
export const gridRings = (): [number, number][][] => [
  rectCw(0, 0, 200, 200),
  // The corner at (200,200) twisted: up the west side to (200,201), back to (199,200), then east
  // along y = 200 — crossing the west side at (200,200) and leaving a 0.5 m² loop.
  [
    [200, 0],
    [200, 201],
    [199, 200],
    [400, 200],
    [400, 0],
  ],
  // (0,200) … with a 60 m spike out of the top edge at x = 100 (out and straight back).
  [
    [0, 200],
    [0, 400],
    [100, 400],
    [100, 460],
    [100, 400],
    [200, 400],
    [200, 200],
  ],
  // Repeated points.
  [
    [200, 200],
    [200, 400],
    [200, 400],
    [400, 400],
    [400, 200],
    [400, 200],
  ],
];

/** The clean shapes the repairs should give (metre rectangles), for PostGIS to measure. */
export const gridTruth = () => [rectCw(0, 0, 200, 200), rectCw(200, 0, 400, 200), rectCw(0, 200, 200, 400), rectCw(200, 200, 400, 400)].map((r) => ring(r));

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The grids as a KML with Chinese ExtendedData names (奥维 / Google Earth style). `only` picks placemarks (1-based). */
export function gridsKml(only?: number[]): string {
  const rings = gridRings();
  const marks = rings
    .map((r, i) => ({ r, i }))
    .filter(({ i }) => !only || only.includes(i + 1))
    .map(({ r, i }) => {
      const coords = ring(r)
        .map((p) => `${p[0]},${p[1]},0`)
        .join(' ');
      const data: [string, string | number][] = [
        ['网格编码', CODES.grids[i]],
        ['网格名称', `测试网格${i + 1}`],
        ['社区编码', CODES.community],
        ['网格长', '王五'],
        ['联系电话', '13800000000'],
        ['人口', 100 * (i + 1)],
        ['户数', 40 * (i + 1)],
      ];
      return `<Placemark><name>${xml(`测试网格${i + 1}`)}</name><ExtendedData>${data.map(([k, v]) => `<Data name="${k}"><value>${xml(String(v))}</value></Data>`).join('')}</ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>${coords}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`;
    });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>网格</name>\n${marks.join('\n')}\n</Document></kml>\n`;
}
