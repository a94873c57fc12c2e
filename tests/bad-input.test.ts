/**
 * Bad input corpus: hundreds of malformed requests across every route. Each must get a 4xx with a
 * bilingual JSON error — never a 5xx — and the database must be unchanged afterwards.
 */
import { describe, expect, it } from 'vitest';
import { databaseChecksum } from './helpers/checksum.js';
import { useTestApp } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';
import * as rf from './helpers/real-files.js';

// Writes are rate-limited per session (120/min by default): lifted so every case reaches the check it is about, not a 429.
const env = useTestApp({ writeRatePerMinute: 100_000 });

const LONG = (n: number) => 'x'.repeat(n);
const SQLI = ["1' OR '1'='1", '1;DROP TABLE grids;--', "'); DELETE FROM stations; --"];
const ENC = ['%C3%28', '%00', '%FF%FE', '%E4%B8'];

type Kind = 'lon' | 'lat' | 'number' | 'int' | 'code' | 'list' | 'time' | 'bool' | 'enum' | 'bbox';
const BAD: Record<Kind, string[]> = {
  lon: ['NaN', 'Infinity', '-Infinity', '1e400', '181', '-180.5', 'abc', '', ...SQLI, ...ENC],
  lat: ['NaN', 'Infinity', '91', '-90.0001', '1e999', 'north', '', ...SQLI, ...ENC],
  number: ['NaN', 'Infinity', '-1', '1e400', 'ten', '', ...SQLI, ...ENC],
  int: ['0', '-5', '1.5', '1e9', 'NaN', 'many', '', ...SQLI, ...ENC],
  code: ['12', 'abc', "210291' OR 1=1 --", LONG(200), '', ...ENC],
  list: ['nope', "courier_station' OR '1'='1", 'courier_station,<script>alert(1)</script>', LONG(600), ...ENC],
  time: ['yesterday', '2026-13-40T99:99', "2026-11-23T02:00' OR 1=1", '', LONG(100), ...ENC],
  bool: ['perhaps', '2', 'null', ...ENC],
  enum: ['fly', 'RADIUS', "radius' --", '', LONG(50)],
  bbox: ['1,2,3', 'a,b,c,d', '200,0,201,1', 'NaN,NaN,NaN,NaN', '1,2,3,4,5', "1,2,3,4' OR 1=1", LONG(300), '122,38,121,39', ...ENC],
};

interface RouteSpec {
  path: string;
  valid: Record<string, string>;
  params: Record<string, Kind>;
}
const P = { lon: '121.6', lat: '38.91' };
const ROUTES: RouteSpec[] = [
  { path: '/api/grids', valid: {}, params: { bbox: 'bbox', street: 'code', community: 'code', simplify: 'number', limit: 'int' } },
  { path: '/api/stations', valid: {}, params: { types: 'list', amenities: 'list', bbox: 'bbox', open_at: 'time', open_now: 'bool' } },
  {
    path: '/api/stations/nearest',
    valid: P,
    params: { lon: 'lon', lat: 'lat', type: 'list', amenity: 'list', open_now: 'bool', open_at: 'time', limit: 'int', by: 'enum' },
  },
  { path: '/api/locate', valid: P, params: { lon: 'lon', lat: 'lat' } },
  {
    path: '/api/coverage',
    valid: { types: 'courier_station', format: 'stats' },
    params: { types: 'list', mode: 'enum', radius: 'number', open_at: 'time', format: 'enum', level: 'enum' },
  },
  { path: '/api/coverage/gaps', valid: { types: 'courier_station' }, params: { types: 'list', minutes: 'number', limit: 'int' } },
  { path: '/api/isochrone', valid: P, params: { lon: 'lon', lat: 'lat', minutes: 'number' } },
  { path: '/api/network', valid: { bbox: '121.59,38.90,121.60,38.91' }, params: { bbox: 'bbox', major: 'bool', simplify: 'number', overview: 'bool' } },
];

/** Query strings built by hand so the raw (possibly invalid) percent-encodings reach the server. */
const qs = (o: Record<string, string>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${/%[0-9A-F]{2}/.test(v) ? v : encodeURIComponent(v)}`)
    .join('&');

function corpus(): { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: string; headers?: Record<string, string> }[] {
  const cases: ReturnType<typeof corpus> = [];
  for (const r of ROUTES) {
    for (const [name, kind] of Object.entries(r.params)) {
      for (const bad of BAD[kind]) cases.push({ method: 'GET', url: `${r.path}?${qs({ ...r.valid, [name]: bad })}` });
      // The same parameter twice (arrives as an array).
      cases.push({ method: 'GET', url: `${r.path}?${qs(r.valid)}&${name}=1&${name}=2` });
    }
    cases.push({ method: 'GET', url: `${r.path}?${qs({ ...r.valid, evil: '1' })}` }); // unknown parameter
    // Writes to read-only resources, with malformed, deeply nested and oversized bodies.
    for (const payload of ['{"type":', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'null', '\u0000\u0001', JSON.stringify({ x: LONG(6 * 1024 * 1024) })]) {
      cases.push({ method: 'POST', url: r.path, payload, headers: { 'content-type': 'application/json' } });
    }
  }
  for (const id of ["1' OR '1'='1", '..%2F..%2Fetc%2Fpasswd', LONG(100), '%C3%28', '999999999', '-1', 'NaN']) {
    cases.push({ method: 'GET', url: `/api/grids/${id}` });
    cases.push({ method: 'GET', url: `/api/stations/${id}` });
    cases.push({ method: 'DELETE', url: `/api/grids/${id}` });
  }
  cases.push({ method: 'PUT', url: '/api/stations/1', payload: '{"name": 1}', headers: { 'content-type': 'text/plain' } });
  return cases;
}

type Case = ReturnType<typeof corpus>[number];

/** Sends every case; returns the failures (not a 4xx, or not the bilingual error shape) and the status counts. */
async function send(cases: Case[], headers: Record<string, string> = {}) {
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  for (const c of cases) {
    const r = await env.app.inject({ method: c.method, url: c.url, payload: c.payload, headers: { ...headers, ...c.headers } });
    statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    let body: any = null;
    try {
      body = r.json();
    } catch {
      /* not JSON */
    }
    const label = `${c.method} ${c.url.slice(0, 120)} → ${r.statusCode}`;
    if (r.statusCode < 400 || r.statusCode >= 500) failures.push(`${label} ${r.body.slice(0, 200)}`);
    else if (!body || typeof body.message_zh !== 'string' || typeof body.message_en !== 'string' || !/[\u4e00-\u9fff]/.test(body.message_zh))
      failures.push(`${label}: not a bilingual JSON error: ${r.body.slice(0, 200)}`);
  }
  return { failures, statuses: Object.fromEntries(statuses) };
}

const DEEP = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const json = { 'content-type': 'application/json' };

/**
 * Issue 13 item 5, sent with an administrator's token so that permissions are not what refuses
 * them: ids that are not ids (Infinity, 1e400, 15-digit numbers that are no grid's code), NUL bytes
 * in queries, paths and bodies, deeply nested GeoJSON, and station lists whose rows cannot be
 * stored (a NUL or control character in a name, hours nobody can read).
 */
function writeCorpus(): Case[] {
  const cases: Case[] = [];
  const line = JSON.stringify({
    version: 1,
    line: {
      type: 'LineString',
      coordinates: [
        [121.6, 38.9],
        [121.61, 38.91],
      ],
    },
  });
  for (const id of ['Infinity', '-Infinity', '1e400', '123456789012345', '9999999999', '1.5', 'NaN', '0', '%00', 'a%00b', '2147483648']) {
    cases.push({ method: 'PATCH', url: `/api/grids/${id}`, payload: '{"name":"x"}', headers: { ...json, 'if-match': '1' } });
    cases.push({ method: 'DELETE', url: `/api/grids/${id}?version=1&into=2` });
    cases.push({ method: 'POST', url: `/api/grids/${id}/split`, payload: line, headers: json });
    cases.push({ method: 'POST', url: `/api/grids/${id}/restore`, payload: '{"version":1,"to_version":1}', headers: json });
    cases.push({ method: 'GET', url: `/api/grids/${id}/history` });
    cases.push({ method: 'PATCH', url: `/api/stations/${id}`, payload: '{"name":"x","version":1}', headers: json });
    cases.push({ method: 'DELETE', url: `/api/stations/${id}?version=1` });
    cases.push({ method: 'GET', url: `/api/stations/${id}/history` });
    cases.push({ method: 'DELETE', url: `/api/grids/1?version=1&into=${id}` });
  }
  for (const n of ['123456789012345', '1e400', '2147483648']) {
    cases.push({ method: 'POST', url: '/api/grids/merge', payload: `{"grids":[{"id":${n},"version":1},{"id":2,"version":1}]}`, headers: json });
    cases.push({ method: 'POST', url: '/api/grids/1/restore', payload: `{"version":1,"to_version":${n}}`, headers: json });
    cases.push({ method: 'PATCH', url: '/api/grids/1', payload: `{"name":"x","version":${n}}`, headers: json });
  }
  // NUL bytes: in queries, paths and JSON bodies.
  for (const q of ['q=a%00b', 'q=%00', 'street=210291%0000', 'bbox=1,2,3,4%00']) cases.push({ method: 'GET', url: `/api/grids?${q}` });
  cases.push({ method: 'GET', url: '/api/stations/nearest?lon=121.6&lat=38.91&type=courier_station%00' });
  cases.push({ method: 'GET', url: '/api/coverage?types=courier_station&format=stats&open_at=2026-11-23T02:00%00' });
  cases.push({ method: 'PATCH', url: '/api/grids/1?dry_run=true', payload: '{"name":"a\\u0000b","version":1}', headers: json });
  cases.push({ method: 'PATCH', url: '/api/stations/1', payload: '{"name":"a\\u0000b","version":1}', headers: json });
  cases.push({ method: 'POST', url: '/api/stations', payload: '{"type":"courier_station","name":"\\u0000","lon":121.6,"lat":38.91}', headers: json });
  cases.push({ method: 'POST', url: '/api/grids/merge', payload: '{"grids":[{"id":1,"version":1},{"id":2,"version":1}],"name":"\\u0000"}', headers: json });
  // Deeply nested GeoJSON where geometry is expected.
  for (const depth of [64, 5000]) {
    cases.push({
      method: 'PATCH',
      url: '/api/grids/1?dry_run=true',
      payload: `{"version":1,"geometry":{"type":"Polygon","coordinates":${DEEP(depth)}}}`,
      headers: json,
    });
    cases.push({
      method: 'POST',
      url: '/api/grids?dry_run=true',
      payload: `{"community_code":"210291001001","name":"x","geometry":{"type":"Polygon","coordinates":${DEEP(depth)}}}`,
      headers: json,
    });
    cases.push({
      method: 'POST',
      url: '/api/grids/1/split?dry_run=true',
      payload: `{"version":1,"line":{"type":"LineString","coordinates":${DEEP(depth)}}}`,
      headers: json,
    });
    const fc = (g: string) => `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"X1","name":"x"},"geometry":${g}}]}`;
    for (const kind of ['grids', 'stations', 'communities']) {
      cases.push({
        method: 'POST',
        url: `/api/imports/${kind}?format=geojson&dry_run=false`,
        payload: fc(`{"type":"Polygon","coordinates":${DEEP(depth)}}`),
        headers: { 'content-type': 'application/geo+json' },
      });
    }
    cases.push({
      method: 'POST',
      url: '/api/imports/grids?format=geojson&dry_run=false',
      payload: `{"type":"FeatureCollection","features":${DEEP(depth)}}`,
      headers: { 'content-type': 'application/geo+json' },
    });
  }
  // Station lists whose rows cannot be stored: committing them is a 422 naming the row, nothing written.
  const head = '名称,类型,地址,经度,纬度,营业时间,设施\r\n';
  for (const row of [
    '站\u0000点,爱心驿站,地址,121.6,38.91,24小时,饮水',
    '站\u0001点,爱心驿站,地址,121.6,38.91,24小时,饮水',
    '站点,爱心驿站,地址,121.6,38.91,看心情,饮水',
    '站点,爱心驿站,地址,121.6,38.91,周一至周五 25:00-26:00,饮水',
    '站点,爱心驿站,地址,Infinity,1e400,24小时,饮水',
  ]) {
    cases.push({
      method: 'POST',
      url: '/api/imports/stations?format=csv&dry_run=false',
      payload: `${head}${row}\r\n`,
      headers: { 'content-type': 'text/csv' },
    });
  }
  return cases;
}

describe('bad input corpus', () => {
  it('every malformed request gets a 4xx with a bilingual JSON error; no 5xx; the database is unchanged', async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const before = await databaseChecksum(env.db);
    const { failures, statuses } = await send(cases);
    expect(failures).toEqual([]);
    expect(await databaseChecksum(env.db)).toEqual(before);
    console.log(`[bad-input] ${cases.length} cases; statuses: ${JSON.stringify(statuses)}`);
  }, 120_000);

  it('as an administrator: ids that are not ids, NUL bytes, deep GeoJSON and unstorable station rows are 4xx, never 5xx; nothing is written', async () => {
    const token = await login(env.app, 'admin'); // before the checksum: the session row is not what is compared
    const cases = writeCorpus();
    expect(cases.length).toBeGreaterThanOrEqual(130);
    const before = await databaseChecksum(env.db);
    const { failures, statuses } = await send(cases, bearer(token));
    expect(failures).toEqual([]);
    expect(statuses[429]).toBeUndefined(); // refused for what they are, not for how many
    expect(await databaseChecksum(env.db)).toEqual(before);
    console.log(`[bad-input] ${cases.length} write cases; statuses: ${JSON.stringify(statuses)}`);
  }, 180_000);
});

/** Files with broken geometry, committed (dry_run=false) by an administrator: 4xx naming rows, never 500 (issue 13). */
function geometryUploads(): { url: string; type: string; payload: string }[] {
  const gj = 'application/geo+json';
  const kml = 'application/vnd.google-earth.kml+xml';
  const districts = rf.districtsGcj02();
  const one = (i: number) => JSON.stringify({ ...districts, features: [districts.features[i]] });
  const bowtie = JSON.stringify({
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: { 网格编码: '210281001001009', 网格名称: '领结', 社区编码: rf.CODES.community, 网格长: '赵六', 联系电话: '13900000000', 人口: 1, 户数: 1 },
        geometry: {
          type: 'Polygon',
          coordinates: [
            rf.ring([
              [0, 0],
              [100, 100],
              [100, 0],
              [0, 100],
            ]),
          ],
        },
      },
    ],
  });
  return [
    { url: '/api/imports/districts?crs=gcj02&dry_run=false', type: gj, payload: one(1) }, // two parts overlapping by 443 m² (was a 500)
    { url: '/api/imports/districts?crs=gcj02&dry_run=false', type: gj, payload: one(2) }, // a sliver part
    { url: '/api/imports/districts?crs=gcj02&dry_run=false', type: gj, payload: JSON.stringify(districts) },
    { url: '/api/imports/grids?dry_run=false', type: kml, payload: rf.gridsKml([2]) }, // self-intersecting corner
    { url: '/api/imports/grids?dry_run=false', type: kml, payload: rf.gridsKml([3]) }, // spike
    { url: '/api/imports/grids?dry_run=false', type: kml, payload: rf.gridsKml([4]) }, // repeated points
    { url: '/api/imports/grids?dry_run=false&repair=true', type: gj, payload: bowtie }, // cannot be repaired into one polygon
    { url: '/api/imports/grids?dry_run=false', type: gj, payload: bowtie },
    {
      url: '/api/imports/communities?dry_run=false&repair=true',
      type: gj,
      payload: JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { code: '210281001009', name: '碎', parentCode: rf.CODES.street },
            geometry: {
              type: 'Polygon',
              coordinates: [
                rf.ring([
                  [0, 0],
                  [0, 0.1],
                  [0.1, 0.1],
                  [0.1, 0],
                ]),
              ],
            },
          },
        ],
      }),
    }, // nothing left once repaired
  ];
}

describe('bad geometry in uploaded files', () => {
  it('is a 4xx with a bilingual JSON error naming rows (never a 5xx), and nothing is written', async () => {
    const auth = bearer(await login(env.app, 'admin'));
    const before = await databaseChecksum(env.db, { except: ['sessions'] });
    const failures: string[] = [];
    for (const c of geometryUploads()) {
      const r = await env.app.inject({ method: 'POST', url: c.url, headers: { ...auth, 'content-type': c.type }, payload: c.payload });
      const body = r.json();
      const label = `${c.url} → ${r.statusCode}`;
      if (r.statusCode < 400 || r.statusCode >= 500) failures.push(`${label} ${r.body.slice(0, 200)}`);
      else if (!/[\u4e00-\u9fff]/.test(body.message_zh) || typeof body.message_en !== 'string') failures.push(`${label}: not bilingual`);
      else if (!(body.details?.rejected ?? []).some((x: any) => x.row !== null)) failures.push(`${label}: no row named: ${r.body.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(await databaseChecksum(env.db, { except: ['sessions'] })).toEqual(before);
  }, 120_000);
});
