/**
 * Admission for heavy routes (coverage, gaps, isochrones, coverage exports), which mark
 * themselves with `config: { heavy: true }`:
 * - at most `HEAVY_QUEUE` heavy requests are admitted at once (computing or waiting for a
 *   compute thread); one more is a 503 `busy` with `Retry-After`, at once, instead of a queue
 *   that grows without bound;
 * - an anonymous client (no valid session) may have at most `HEAVY_PER_CLIENT` of them in flight;
 *   one more is a 429 with `Retry-After`, so a few clients cannot take every place.
 */
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { ApiError, busy } from '../errors.js';
import { sessionToken } from '../auth/plugin.js';
import { actorForToken } from '../db/users.repository.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route whose work runs on the compute pool (see server/compute/heavy.ts). */
    heavy?: boolean;
  }
}

export default fp(
  async (app) => {
    const limit = app.config.heavyPerClient;
    const admitted = { all: 0 };
    const inFlight = new Map<string, number>();
    const held = new Map<FastifyRequest, string | null>();
    const release = (req: FastifyRequest) => {
      if (!held.has(req)) return;
      const client = held.get(req)!;
      held.delete(req);
      admitted.all--;
      if (client === null) return;
      const n = (inFlight.get(client) ?? 1) - 1;
      if (n <= 0) inFlight.delete(client);
      else inFlight.set(client, n);
    };
    app.addHook('preHandler', async (req) => {
      if (!req.routeOptions.config.heavy) return;
      if (admitted.all >= app.config.heavyQueue) throw busy(5);
      const token = sessionToken(req);
      const anonymous = limit > 0 && !(token && (await actorForToken(app.db.kysely, token)));
      if (!anonymous) {
        admitted.all++;
        held.set(req, null);
        return;
      }
      const n = inFlight.get(req.ip) ?? 0;
      if (n >= limit) {
        throw new ApiError(
          429,
          'too_many_heavy_requests',
          `同一客户端最多同时进行 ${limit} 个计算请求，请等前面的完成后再试（登录后不受此限）`,
          `At most ${limit} computations at a time per client; retry when one has finished (logged-in users are not limited this way)`,
          { limit },
          2,
        );
      }
      inFlight.set(req.ip, n + 1);
      admitted.all++;
      held.set(req, req.ip);
    });
    app.addHook('onResponse', async (req) => release(req));
    app.addHook('onRequestAbort', async (req) => release(req));
  },
  { name: 'lifecircle-heavy-routes', dependencies: ['lifecircle-city'] },
);
