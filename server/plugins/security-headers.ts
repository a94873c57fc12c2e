/**
 * Security headers on every answer: a Content-Security-Policy the pages and MapLibre work under,
 * no framing (clickjacking), no MIME sniffing, a referrer policy, COOP/CORP, and HSTS behind TLS
 * (COOKIE_SECURE=1), by @fastify/helmet with the CSP below.
 *
 * The CSP: scripts only from this origin (the built pages have no inline script); styles from
 * this origin plus inline styles (MapLibre and Swagger UI set them); MapLibre's worker from this
 * origin or a blob: URL; images and fetches from this origin, data:/blob: images, and the
 * origins of BASEMAP_TILES when a raster basemap is configured.
 */
import helmet from '@fastify/helmet';
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

export default fp(
  async (app: FastifyInstance, opts: { config: Pick<Config, 'basemap' | 'cookieSecure'> }) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(opts.config) },
      // Not no-referrer: tile servers (OSM's policy) ask for a Referer; the origin is enough.
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      // HSTS only behind TLS.
      strictTransportSecurity: opts.config.cookieSecure ? { maxAge: 15_552_000, includeSubDomains: true } : false,
      // Basemap tiles from other origins carry no CORP header.
      crossOriginEmbedderPolicy: false,
      xFrameOptions: { action: 'deny' },
    });
  },
  { name: 'lifecircle-security-headers' },
);
