/**
 * Hygiene (issue 14): security headers on every answer, with a CSP that lets MapLibre run its
 * worker; who changed what (history, `updated_by`) only for logged-in users.
 */
import { describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/db.js';
import { openTestApp } from './helpers/db.js';

const env = useTestApp();

async function token(username = 'viewer') {
  const r = await env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'lifecircle-demo' } });
  expect(r.statusCode).toBe(200);
  return r.json().token as string;
}

describe('security headers', () => {
  it('every answer (page, API, error) carries the CSP and the other headers', async () => {
    for (const url of ['/', '/api/health', '/api/no-such-route', '/api/grids?bbox=bad']) {
      const r = await env.get(url);
      const csp = String(r.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      // HSTS only behind TLS (COOKIE_SECURE=1).
      expect(r.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('a configured raster basemap’s origin is allowed for images and fetches, and HSTS is sent behind TLS', async () => {
    const t = await openTestApp({
      cookieSecure: true,
      basemap: { tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'], attribution: '© OpenStreetMap contributors', maxzoom: 19 },
    });
    try {
      const r = await t.app.inject({ method: 'GET', url: '/api/health' });
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("img-src 'self' data: blob: https://tile.openstreetmap.org");
      expect(csp).toContain("connect-src 'self' https://tile.openstreetmap.org");
      expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await t.close();
    }
  });
});

describe('who changed what: logged-in users only', () => {
  it('grid and station history need a login (401 in the standard shape)', async () => {
    for (const url of ['/api/grids/1/history', '/api/stations/1/history']) {
      const anon = await env.get(url);
      expect(anon.status, url).toBe(401);
      expect(anon.body.error).toBe('login_required');
      expect(anon.text).not.toMatch(/sample|admin/);
      const r = await env.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await token()}` } });
      expect(r.statusCode).toBe(200);
    }
  });

  it('after an edit, anonymous readers of the grid do not see who made it; logged-in readers do', async () => {
    const admin = await token('admin');
    const grid = (await env.get('/api/grids/2')).body;
    const edit = await env.app.inject({
      method: 'PATCH',
      url: '/api/grids/2',
      headers: { authorization: `Bearer ${admin}`, 'if-match': `"${grid.properties.version}"` },
      payload: { leader_name: '匿名测试' },
    });
    expect(edit.statusCode, edit.body).toBe(200);

    const anon = await env.get('/api/grids/2');
    expect(anon.body.properties.leader_name).toBe('匿名测试');
    expect(anon.body.properties).not.toHaveProperty('updated_by');
    expect(anon.text).not.toContain('"admin"');
    const list = await env.get(`/api/grids?street=${anon.body.properties.street_code}`);
    expect(list.body.features.length).toBeGreaterThan(1);
    for (const f of list.body.features) expect(f.properties).not.toHaveProperty('updated_by');
    // An unknown token reads as anonymous (no 401 on a public read).
    const stale = await env.app.inject({ method: 'GET', url: '/api/grids/2', headers: { authorization: 'Bearer not-a-session' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.json().properties).not.toHaveProperty('updated_by');

    const viewer = await token('viewer');
    const seen = await env.app.inject({ method: 'GET', url: '/api/grids/2', headers: { authorization: `Bearer ${viewer}` } });
    expect(seen.json().properties.updated_by).toBe('admin');
    const cookie = await env.app.inject({ method: 'GET', url: `/api/grids?street=${anon.body.properties.street_code}`, cookies: { lc_session: viewer } });
    expect(cookie.json().features.find((f: { id: number }) => f.id === 2).properties.updated_by).toBe('admin');
  });
});
