/**
 * Bad input corpus: hundreds of malformed requests across every route. Each must get a 4xx with a
 * bilingual JSON error — never a 5xx — and the database must be unchanged afterwards.
 */
import { describe, expect, it } from 'vitest';
import { databaseChecksum } from './helpers/checksum.js';
import { useTestApp } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';
import * as rf from './helpers/real-files.js';

const env = useTestApp();


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
  { path: '/api/stations/nearest', valid: P, params: { lon: 'lon', lat: 'lat', type: 'list', amenity: 'list', open_now: 'bool', open_at: 'time', limit: 'int', by: 'enum' } },
  { path: '/api/locate', valid: P, params: { lon: 'lon', lat: 'lat' } },
  { path: '/api/coverage', valid: { types: 'courier_station', format: 'stats' }, params: { types: 'list', mode: 'enum', radius: 'number', open_at: 'time', format: 'enum', level: 'enum' } },
  { path: '/api/coverage/gaps', valid: { types: 'courier_station' }, params: { types: 'list', minutes: 'number', limit: 'int' } },
  { path: '/api/isochrone', valid: P, params: { lon: 'lon', lat: 'lat', minutes: 'number' } },
  { path: '/api/network', valid: { bbox: '121.59,38.90,121.60,38.91' }, params: { bbox: 'bbox', major: 'bool', simplify: 'number', overview: 'bool' } },
];

/** Query strings built by hand so the raw (possibly invalid) percent-encodings reach the server. */
const qs = (o: Record<string, string>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${/%[0-9A-F]{2}/.test(v) ? v : encodeURIComponent(v)}`)
    .join('&');

function corpus(): { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: string; headers?: Record<string, string> }[] {
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

describe('bad input corpus', () => {
  it('every malformed request gets a 4xx with a bilingual JSON error; no 5xx; the database is unchanged', async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const before = await databaseChecksum(env.db);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const r = await env.app.inject({ method: c.method, url: c.url, payload: c.payload, headers: c.headers });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      let body: any = null;
      try {
        body = r.json();
      } catch {
        /* not JSON */
      }
      const label = `${c.method} ${c.url.slice(0, 120)} → ${r.statusCode}`;
      if (r.statusCode < 400 || r.statusCode >= 500) failures.push(`${label} ${r.body.slice(0, 200)}`);
      else if (!body || typeof body.message_zh !== 'string' || typeof body.message_en !== 'string' || !/[\u4e00-\u9fff]/.test(body.message_zh)) failures.push(`${label}: not a bilingual JSON error: ${r.body.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(await databaseChecksum(env.db)).toEqual(before);
    console.log(`[bad-input] ${cases.length} cases; statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 120_000);
});

/** Files with broken geometry, committed (dry_run=false) by an administrator: 4xx naming rows, never 500 (issue 13). */
function geometryUploads(): { url: string; type: string; payload: string }[] {
  const gj = 'application/geo+json';
  const kml = 'application/vnd.google-earth.kml+xml';
  const districts = rf.districtsGcj02();
  const one = (i: number) => JSON.stringify({ ...districts, features: [districts.features[i]] });
  const bowtie = JSON.stringify({
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { 网格编码: '210281001001009', 网格名称: '领结', 社区编码: rf.CODES.community, 网格长: '赵六', 联系电话: '13900000000', 人口: 1, 户数: 1 }, geometry: { type: 'Polygon', coordinates: [rf.ring([[0, 0], [100, 100], [100, 0], [0, 100]])] } }],
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
    { url: '/api/imports/communities?dry_run=false&repair=true', type: gj, payload: JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '210281001009', name: '碎', parentCode: rf.CODES.street }, geometry: { type: 'Polygon', coordinates: [rf.ring([[0, 0], [0, 0.1], [0.1, 0.1], [0.1, 0]])] } }] }) }, // nothing left once repaired
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
