/**
 * Admission for heavy routes (coverage, gaps, isochrones, coverage exports), which mark
 * themselves with `config: { heavy: true }`:
 * - at most `HEAVY_QUEUE` heavy requests are admitted at once (computing, waiting for a compute
 *   thread, or waiting for their client's turn); one more is a 503 `busy` with `Retry-After`, at
 *   once, instead of a queue that grows without bound;
 * - an anonymous client (no valid session) runs at most `HEAVY_PER_CLIENT` of them at a time;
 *   up to `HEAVY_WAITING_PER_CLIENT` more wait for their turn (a map page asks for a few views at
 *   once), and one more is a 429 with `Retry-After`, so a few clients cannot take every place.
 *   Logged-in users are bounded by the queue alone.
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
  interface FastifyInstance {
    /** Heavy requests admitted (in all), and per anonymous client running and waiting (monitoring, tests). */
    heavyLoad: () => { admitted: number; clients: Record<string, { running: number; waiting: number }> };
  }
}

/** Waiting requests per anonymous client, as a multiple of the running limit. */
const WAITING_PER_RUNNING = 4;

interface Client {
  running: number;
  waiting: { req: FastifyRequest; go: () => void; fail: (e: Error) => void }[];
}

export default fp(
  async (app) => {
    const limit = app.config.heavyPerClient;
    let admitted = 0;
    const clients = new Map<string, Client>();
    /** Admitted requests and the client they run for (null: not limited per client). */
    const held = new Map<FastifyRequest, string | null>();

    const release = (req: FastifyRequest) => {
      if (!held.has(req)) return;
      const key = held.get(req)!;
      held.delete(req);
      admitted--;
      if (key === null) return;
      const c = clients.get(key)!;
      const waiter = c.waiting.find((w) => w.req === req);
      if (waiter) {
        // Gave up while waiting for its turn.
        c.waiting.splice(c.waiting.indexOf(waiter), 1);
        waiter.fail(new Error('aborted'));
      } else {
        const next = c.waiting.shift();
        if (next)
          next.go(); // the place passes to the client's next request
        else c.running--;
      }
      if (c.running === 0 && c.waiting.length === 0) clients.delete(key);
    };

    app.decorate('heavyLoad', () => ({
      admitted,
      clients: Object.fromEntries([...clients].map(([k, c]) => [k, { running: c.running, waiting: c.waiting.length }])),
    }));

    app.addHook('preHandler', async (req) => {
      if (!req.routeOptions.config.heavy) return;
      if (admitted >= app.config.heavyQueue) throw busy(5);
      const token = sessionToken(req);
      const anonymous = limit > 0 && !(token && (await actorForToken(app.db.kysely, token)));
      if (admitted >= app.config.heavyQueue) throw busy(5); // filled while the session was read
      if (!anonymous) {
        admitted++;
        held.set(req, null);
        return;
      }
      let c = clients.get(req.ip);
      if (!c) clients.set(req.ip, (c = { running: 0, waiting: [] }));
      if (c.running < limit) {
        c.running++;
        admitted++;
        held.set(req, req.ip);
        return;
      }
      if (c.waiting.length >= limit * WAITING_PER_RUNNING) {
        throw new ApiError(
          429,
          'too_many_heavy_requests',
          `同一客户端最多同时进行 ${limit} 个计算请求、另有 ${limit * WAITING_PER_RUNNING} 个排队，请等前面的完成后再试（登录后不受此限）`,
          `At most ${limit} computations at a time per client and ${limit * WAITING_PER_RUNNING} waiting; retry when one has finished (logged-in users are not limited this way)`,
          { limit, waiting: limit * WAITING_PER_RUNNING },
          2,
        );
      }
      admitted++;
      held.set(req, req.ip);
      await new Promise<void>((go, fail) => c.waiting.push({ req, go, fail }));
    });
    app.addHook('onResponse', async (req) => release(req));
    app.addHook('onRequestAbort', async (req) => release(req));
  },
  { name: 'lifecircle-heavy-routes', dependencies: ['lifecircle-city'] },
);
