/**
 * Security headers on every answer: a Content-Security-Policy the pages and MapLibre work under,
 * no framing (clickjacking), no MIME sniffing, a referrer policy, COOP/CORP, and HSTS behind TLS
 * (COOKIE_SECURE=1). The set follows @fastify/helmet's defaults; `CSP_DIRECTIVES` is in helmet's
 * format, so switching to `app.register(helmet, { contentSecurityPolicy: { directives } })` when
 * the package is installed changes nothing else.
 *
 * The CSP: scripts only from this origin (the built pages have no inline script); styles from
 * this origin plus inline styles (MapLibre and Swagger UI set them); MapLibre's worker from this
 * origin or a blob: URL; images and fetches from this origin, data:/blob: images, and the
 * origins of BASEMAP_TILES when a raster basemap is configured.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/** The CSP for a configuration (helmet's `directives` format: camelCase names, lists of sources). */
export function cspDirectives(config: Pick<Config, 'basemap'>): Record<string, string[]> {
  const tiles = [...new Set((config.basemap?.tiles ?? []).map((t) => new URL(t.replace(/\{[a-z]\}/g, '0')).origin))];
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:', ...tiles],
    connectSrc: ["'self'", ...tiles],
    workerSrc: ["'self'", 'blob:'],
    childSrc: ["'self'", 'blob:'],
    fontSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    scriptSrcAttr: ["'none'"],
  };
}

export function cspHeader(directives: Record<string, string[]>): string {
  return Object.entries(directives)
    .map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v.join(' ')}`)
    .join('; ');
}

export default fp(
  async (app: FastifyInstance, opts: { config: Pick<Config, 'basemap' | 'cookieSecure'> }) => {
    const headers: Record<string, string> = {
      'content-security-policy': cspHeader(cspDirectives(opts.config)),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      // Not no-referrer: tile servers (OSM's policy) ask for a Referer; the origin is enough.
      'referrer-policy': 'strict-origin-when-cross-origin',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'x-dns-prefetch-control': 'off',
      'x-permitted-cross-domain-policies': 'none',
      'x-download-options': 'noopen',
      'x-xss-protection': '0',
      ...(opts.config.cookieSecure ? { 'strict-transport-security': 'max-age=15552000; includeSubDomains' } : {}),
    };
    app.addHook('onRequest', async (_req, reply) => {
      reply.headers(headers);
    });
  },
  { name: 'lifecircle-security-headers' },
);
