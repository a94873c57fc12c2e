/** Login and write rate limits: counted before authentication, answered 429 in the standard error shape (zh + en). */
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
  expect(r.headers['retry-after']).toMatch(/^\d+$/);
  // The standard error shape (server/errors.ts): its own code, zh then en once, English in message_en.
  const s = Number(r.headers['retry-after']);
  expect(r.json()).toEqual({
    statusCode: 429,
    error: 'too_many_requests',
    message: `登录尝试过于频繁，请 ${s} 秒后再试 / Too many login attempts; retry in ${s} s`,
    message_zh: `登录尝试过于频繁，请 ${s} 秒后再试`,
    message_en: `Too many login attempts; retry in ${s} s`,
  });
});

it('writes are limited per session, and unauthenticated attempts count too', async () => {
  const anon = [];
  for (let i = 0; i < 3; i++)
    anon.push((await app.inject({ method: 'PATCH', url: '/api/grids/1', headers: { 'if-match': '1' }, payload: { name: 'x' } })).statusCode);
  expect(anon).toEqual([401, 401, 429]);
  const r = await app.inject({ method: 'PATCH', url: '/api/grids/1', headers: { 'if-match': '1' }, payload: { name: 'x' } });
  expect(r.statusCode).toBe(429);
  expect(r.json()).toMatchObject({
    error: 'too_many_requests',
    message_zh: expect.stringMatching(/^修改过于频繁，请 \d+ 秒后再试$/),
    message_en: expect.stringMatching(/^Too many edits; retry in \d+ s$/),
  });
});
