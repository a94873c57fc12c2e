/** Login and write rate limits: counted before authentication, answered 429 with a Chinese message. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openTestApp } from './helpers/db.js';

let app: FastifyInstance;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await openTestApp({ loginRatePerMinute: 3, writeRatePerMinute: 2 }));
}, 120_000);
afterAll(async () => close?.());

it('the fourth login attempt within a minute is 429, even with the right password', async () => {
  const codes = [];
  for (const password of ['x', 'y', 'z', 'lifecircle-demo']) {
    codes.push((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'editor1', password } })).statusCode);
  }
  expect(codes).toEqual([401, 401, 401, 429]);
  const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'editor1', password: 'lifecircle-demo' } });
  expect(r.statusCode).toBe(429);
  expect(r.json().message_zh).toMatch(/请求过于频繁/);
  expect(r.headers['retry-after']).toBeDefined();
});

it('writes are limited per session, and unauthenticated attempts count too', async () => {
  const anon = [];
  for (let i = 0; i < 3; i++) anon.push((await app.inject({ method: 'PATCH', url: '/api/grids/1', headers: { 'if-match': '1' }, payload: { name: 'x' } })).statusCode);
  expect(anon).toEqual([401, 401, 429]);
});
