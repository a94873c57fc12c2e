/** Readiness beside liveness (issue 14): /api/ready is 503 until the in-memory city is loaded, then 200; /api/health answers throughout. */
import { expect, it } from 'vitest';
import { useTestApp } from './helpers/db.js';

const env = useTestApp();

it('/api/ready: 503 (standard error shape, Retry-After) before the city is loaded, 200 after; /api/health is 200 all along', async () => {
  const before = await env.get('/api/ready');
  expect(before.status).toBe(503);
  expect(before.body).toMatchObject({ statusCode: 503, error: 'not_ready' });
  expect(before.body.message_en).toMatch(/not ready/);
  expect(before.headers['retry-after']).toBe('2');
  expect((await env.get('/api/health')).status).toBe(200);

  await env.app.city.snapshot();
  const after = await env.get('/api/ready');
  expect(after.status).toBe(200);
  expect(after.body).toEqual({ status: 'ready' });
});
