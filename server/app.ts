/**
 * build(): plugins → decorators → hooks → routes. No listen here (server/server.ts does that),
 * so tests build the app on a real database and call it with inject().
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import { errorBody, registerErrorHandling } from './errors.js';
import { ErrorSchema } from './schemas/common.js';
import healthRoutes from './routes/health.js';
import adminRoutes from './routes/admin.js';
import gridRoutes from './routes/grids.js';
import stationRoutes from './routes/stations.js';
import homeRoutes from './routes/home.js';
import webPlugin, { webBuilt } from './plugins/web.js';
import securityHeaders from './plugins/security-headers.js';
import compress from '@fastify/compress';
import coverageRoutes from './routes/coverage.js';
import networkRoutes from './routes/network.js';
import cityPlugin from './city/plugin.js';
import heavyRoutes from './compute/heavy.js';
import authPlugin from './auth/plugin.js';
import authRoutes from './routes/auth.js';
import gridEditRoutes from './routes/grid-edits.js';
import stationEditRoutes from './routes/station-edits.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
  }
}

export interface BuildOptions {
  config: Config;
  db: Db;
  /** Fastify logger option; tests pass false. */
  logger?: boolean | object;
}

export async function build({ config, db, logger = false }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    // TRUST_PROXY: request.ip (and so every per-address limit) is the client behind the trusted proxies.
    // A hop count as a function: Fastify's own number form is not in its types.
    trustProxy: typeof config.trustProxy === 'number' ? (_addr: string, hop: number) => hop < (config.trustProxy as number) : config.trustProxy,
    // Query values like ?types=a,b stay strings; numbers are coerced by the schemas.
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
    // Errors raised before routing (an undecodable URL) bypass the error handler: same shape here.
    frameworkErrors: (err, _request, reply) => {
      (reply as FastifyReply).status(400).send(errorBody(400, 'bad_url', '网址含有无效的编码', `The URL contains an invalid encoding (${err.message})`));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First, so every answer carries them (errors and 404s too).
  await app.register(securityHeaders, { config });
  await app.register(cors);
  // GeoJSON compresses 5–10×; the static web build ships pre-compressed files of its own.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Lifecircle 生活圈 API',
        description:
          '网格、社区、街道与服务站点的地理服务。Geospatial API for community grids and service stations. Coordinates are WGS84 lon/lat (EPSG:4326); distances and areas are geodesic metres.',
        version: '0.1.0',
      },
      tags: [
        { name: 'meta', description: '运行状态 Health' },
        { name: 'admin', description: '行政区划与定位 Admin units and location' },
        { name: 'auth', description: '登录 Accounts and sessions' },
        { name: 'grids', description: '网格 Grids' },
        { name: 'stations', description: '服务站点 Stations' },
        { name: 'coverage', description: '覆盖与缺口 Coverage and gaps' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.decorate('db', db);
  app.decorate('config', config);
  await app.register(cityPlugin);
  app.addSchema(ErrorSchema);
  registerErrorHandling(app);

  await app.register(healthRoutes, { prefix: '/api' });
  await app.register(adminRoutes, { prefix: '/api' });
  await app.register(authPlugin);
  await app.register(heavyRoutes);
  await app.register(authRoutes, { prefix: '/api' });
  await app.register(gridRoutes, { prefix: '/api/grids' });
  await app.register(gridEditRoutes, { prefix: '/api' });
  await app.register(stationRoutes, { prefix: '/api' });
  await app.register(stationEditRoutes, { prefix: '/api' });
  await app.register(coverageRoutes, { prefix: '/api' });
  await app.register(networkRoutes, { prefix: '/api' });
  await app.register(import('./routes/lifecircle.js'), { prefix: '/api' });
  await app.register(import('./routes/map-config.js'), { prefix: '/api' });
  await app.register(import('./routes/exports.js'), { prefix: '/api' });
  await app.register(import('./routes/imports.js'), { prefix: '/api' });
  await app.register(import('./routes/backup.js'), { prefix: '/api' });
  await app.register(webPlugin);
  // The plain landing page only when the map has not been built (e.g. `npm test` before a build).
  if (!webBuilt()) await app.register(homeRoutes);
  return app;
}
