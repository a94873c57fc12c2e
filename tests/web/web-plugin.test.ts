/** server/plugins/web.ts: serves a build when there is one, and stays out of the way otherwise. */
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webPlugin from '../../server/plugins/web.js';

let app: FastifyInstance | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = dir = undefined;
});

describe('web plugin', () => {
  it('does nothing when the build is missing: an existing `/` route keeps working', async () => {
    app = Fastify();
    app.get('/', async () => 'landing');
    await app.register(webPlugin, { root: join(tmpdir(), 'no-such-lifecircle-build') });
    expect((await app.inject({ url: '/' })).body).toBe('landing');
    expect((await app.inject({ url: '/courier' })).statusCode).toBe(404);
  });

  it('serves index.html at /, courier/index.html at /courier, assets pre-compressed and immutable', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lc-web-'));
    mkdirSync(join(dir, 'courier'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<h1>planner</h1>');
    writeFileSync(join(dir, 'courier/index.html'), '<h1>courier</h1>');
    writeFileSync(join(dir, 'assets/a-123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets/a-123.js.br'), 'BR');
    app = Fastify();
    await app.register(webPlugin, { root: dir });
    const home = await app.inject({ url: '/' });
    expect(home.body).toBe('<h1>planner</h1>');
    expect(home.headers['cache-control']).toBe('no-cache');
    expect((await app.inject({ url: '/courier' })).body).toBe('<h1>courier</h1>');
    expect((await app.inject({ url: '/courier/' })).body).toBe('<h1>courier</h1>');
    const js = await app.inject({ url: '/assets/a-123.js', headers: { 'accept-encoding': 'br' } });
    expect(js.headers['content-encoding']).toBe('br');
    expect(js.body).toBe('BR');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ url: '/assets/a-123.js' })).body).toBe('console.log(1)');
    expect((await app.inject({ url: '/nope.js' })).statusCode).toBe(404);
  });
});
