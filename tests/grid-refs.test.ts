/**
 * Every grid route takes the grid code wherever GET /api/grids/:id does (issue 13 item 5):
 * PATCH, DELETE (and its `into`), split, restore and history, answering for the same grid as
 * the id would. `PATCH /api/grids/<15-digit code>` used to be a 500 ("out of range for type
 * integer"). On both engines.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/db.js';
import { bearer, liveGrids, login, sharedEdge } from './helpers/editing.js';

const env = useTestApp();

describe('grid routes by code', () => {
  it('PATCH, history, restore, split and DELETE … into accept 15-digit codes and act on the grid GET names', async () => {
    const admin = await login(env.app, 'admin');
    const grids = await liveGrids(env.db);
    const { grid, neighbour } = sharedEdge(grids)!;
    expect(grid.code).toMatch(/^\d{15}$/);
    const viaGet = (await env.app.inject({ url: `/api/grids/${grid.code}` })).json();
    expect(viaGet.properties?.id ?? viaGet.id).toBe(grid.id);

    const patched = await env.app.inject({
      method: 'PATCH',
      url: `/api/grids/${grid.code}`,
      headers: { ...bearer(admin), 'if-match': String(grid.version) },
      payload: { name: '按编码改名的网格' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const row = (await sql<{ name: string; version: number }>`SELECT name, version FROM grids WHERE id = ${grid.id}`.execute(env.db.kysely)).rows[0];
    expect(row).toEqual({ name: '按编码改名的网格', version: grid.version + 1 });

    const history = await env.app.inject({ url: `/api/grids/${grid.code}/history`, headers: bearer(admin) }); // history needs a login
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json().grid_id).toBe(grid.id);
    expect(history.json().entries.length).toBeGreaterThanOrEqual(2);

    const restored = await env.app.inject({
      method: 'POST',
      url: `/api/grids/${grid.code}/restore?dry_run=true`,
      headers: bearer(admin),
      payload: { version: grid.version + 1, to_version: grid.version },
    });
    expect(restored.statusCode, restored.body).toBe(200);

    const b = await sql<{ x: number; y: number; w: number }>`
      SELECT ST_X(ST_PointOnSurface(boundary)) x, ST_Y(ST_PointOnSurface(boundary)) y, ST_XMax(boundary) - ST_XMin(boundary) w FROM grids WHERE id = ${grid.id}`.execute(
      env.db.kysely,
    );
    const { x, y, w } = b.rows[0];
    const split = await env.app.inject({
      method: 'POST',
      url: `/api/grids/${grid.code}/split?dry_run=true`,
      headers: bearer(admin),
      payload: {
        version: grid.version + 1,
        line: {
          type: 'LineString',
          coordinates: [
            [x - w, y + 1e-6],
            [x + w, y - 1e-6],
          ],
        },
      },
    });
    expect(split.statusCode, split.body).toBe(200);

    const del = await env.app.inject({
      method: 'DELETE',
      url: `/api/grids/${grid.code}?dry_run=true&into=${neighbour.code}&version=${grid.version + 1}`,
      headers: bearer(admin),
    });
    expect(del.statusCode, del.body).toBe(200);
    expect(
      del
        .json()
        .changes.map((c: { grid_id: number }) => c.grid_id)
        .sort(),
    ).toEqual([grid.id, neighbour.id].sort());
  });

  it('an unknown code is a 404 naming it; ids stay ids', async () => {
    const admin = await login(env.app, 'admin');
    const r = await env.app.inject({
      method: 'PATCH',
      url: '/api/grids/999999999999999',
      headers: { ...bearer(admin), 'if-match': '1' },
      payload: { name: 'x' },
    });
    expect(r.statusCode).toBe(404);
    expect(r.json().message_zh).toContain('999999999999999');
    const h = await env.app.inject({ url: '/api/grids/1/history', headers: bearer(admin) });
    expect(h.statusCode).toBe(200);
    expect(h.json().grid_id).toBe(1);
  });
});
