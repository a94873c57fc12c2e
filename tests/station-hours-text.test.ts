/**
 * The hours as a station list wrote them (`opening_hours_text`, migration 004) are served beside
 * the OSM `opening_hours` they were converted to (issue 13): in `/api/stations`, one station,
 * nearest, and the GeoJSON export (`openingHoursText`); null for stations whose hours were never
 * converted, and cleared when an editor changes the hours. On both engines.
 */
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/db.js';
import { bearer, login } from './helpers/editing.js';

const env = useTestApp();
const NAME = '营业时间原文测试驿站';
const HOURS_TEXT = '周一至周五 8:30-17:30';
const HOURS_OSM = 'Mo-Fr 08:30-17:30';
let spot: { lon: number; lat: number };
let code: string;
let token: string;

beforeAll(async () => {
  // A street node 300 m or more from every seeded station.
  const r = await sql<{ lon: number; lat: number }>`
    SELECT ST_X(n.geom) AS lon, ST_Y(n.geom) AS lat FROM network_nodes n
     WHERE NOT EXISTS (SELECT 1 FROM stations s WHERE ST_DWithin(s.geom::geography, n.geom::geography, 300))
     ORDER BY n.id LIMIT 1`.execute(env.db.kysely);
  spot = r.rows[0]!;
  token = await login(env.app, 'admin');
  const csv = ['名称,类型,地址,经度,纬度,营业时间,设施', `${NAME},爱心驿站,滨海路9号,${spot.lon},${spot.lat},${HOURS_TEXT},饮水`].join('\r\n');
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/imports/stations?format=csv&crs=wgs84&dry_run=false',
    payload: Buffer.from(csv),
    headers: { ...bearer(token), 'content-type': 'text/csv' },
  });
  expect(res.statusCode, res.body).toBe(200);
  code = res.json().changes[0].code;
}, 120_000);

describe('opening_hours_text in the station answers', () => {
  it('/api/stations lists the original text beside the OSM hours; stations never converted have null', async () => {
    const r = await env.get('/api/stations');
    expect(r.status).toBe(200);
    const features = r.body.features as { properties: { code: string; opening_hours: string; opening_hours_text: string | null } }[];
    const mine = features.find((f) => f.properties.code === code);
    expect(mine?.properties).toMatchObject({ opening_hours: HOURS_OSM, opening_hours_text: HOURS_TEXT });
    // Every feature carries the field (null, not missing), as the schema says.
    for (const f of features) expect(f.properties).toHaveProperty('opening_hours_text');
    const seeded = features.filter((f) => f.properties.code !== code);
    expect(seeded.length).toBeGreaterThan(10);
    expect(new Set(seeded.map((f) => f.properties.opening_hours_text))).toEqual(new Set([null]));
  });

  it('one station, nearest and the GeoJSON export carry it too', async () => {
    const one = await env.get(`/api/stations/${code}`);
    expect(one.body.properties.opening_hours_text).toBe(HOURS_TEXT);
    const near = await env.get(`/api/stations/nearest?lon=${spot.lon}&lat=${spot.lat}&limit=1&by=straight`);
    expect(near.status, near.text).toBe(200);
    expect(near.body.features[0].properties).toMatchObject({ code, opening_hours_text: HOURS_TEXT });
    const exported = await env.get('/api/export/stations?format=geojson');
    expect(exported.status).toBe(200);
    const f = JSON.parse(exported.text).features.find((x: { properties: { code: string } }) => x.properties.code === code);
    expect(f.properties).toMatchObject({ openingHours: HOURS_OSM, openingHoursText: HOURS_TEXT });
  });

  it('an editor changing the hours clears the original text', async () => {
    const before = await env.get(`/api/stations/${code}`);
    const r = await env.app.inject({
      method: 'PATCH',
      url: `/api/stations/${before.body.properties.id}`,
      headers: { ...bearer(token), 'if-match': `"${before.body.properties.version}"` },
      payload: { opening_hours: 'Mo-Sa 09:00-18:00' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const after = await env.get(`/api/stations/${code}`);
    expect(after.body.properties).toMatchObject({ opening_hours: 'Mo-Sa 09:00-18:00', opening_hours_text: null });
  });
});
