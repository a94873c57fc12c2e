/**
 * Serves the built web map (dist/web, from `vite build`): the planner at `/`, the courier view at
 * `/courier`, hashed assets under `/assets/` (cached for a year, served pre-compressed .br/.gz).
 * Does nothing when the build is missing, so the API runs without it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export interface WebPluginOptions {
  /** Directory holding the build; default dist/web in the repository. */
  root?: string;
}

/** True when a web build exists (dist/web/index.html), i.e. the plugin will serve `/`. */
export const webBuilt = (root: string = DEFAULT_WEB_ROOT): boolean => existsSync(join(root, 'index.html'));

const webPlugin: FastifyPluginAsync<WebPluginOptions> = async (app, opts) => {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  if (!webBuilt(root)) {
    app.log.warn(`web map not built (${join(root, 'index.html')} missing): run \`npx vite build\``);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    // Serves index.html for `/` and `/courier/`; the API routes (/api, /docs) stay more specific.
    index: ['index.html'],
    preCompressed: true,
    // HTML must revalidate (it names the current hashed assets); the hashed assets never change.
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header('cache-control', /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      // The courier's service worker lives in /courier/ but serves the page at /courier as well.
      if (/[/\\]courier[/\\]sw\.js(\.br|\.gz)?$/.test(path)) reply.header('service-worker-allowed', '/courier');
    },
  });
  app.get('/courier', { schema: { hide: true } }, (_req, reply) => reply.sendFile('courier/index.html'));
  // The street-office grid editor (web/editor/); `/editor/` is served by the static index above.
  app.get('/editor', { schema: { hide: true } }, (_req, reply) => reply.sendFile('editor/index.html'));
  // The upload page (web/import/): files → dry run → commit.
  app.get('/import', { schema: { hide: true } }, (_req, reply) => reply.sendFile('import/index.html'));
};

export default webPlugin;
