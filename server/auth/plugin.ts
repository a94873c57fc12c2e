/**
 * Who is asking: a session token from the `lc_session` cookie (httpOnly, SameSite=Lax) or an
 * `Authorization: Bearer` header. Reading needs no account; routes that write add
 * `preHandler: app.requireActor` (authentication runs in preHandler so the rate limiter, which
 * runs in onRequest, counts rejected attempts too). Who changed what (history, `updated_by`) is
 * for logged-in users only: history routes require a login, grid reads use `app.optionalActor`.
 */
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { actorForToken } from '../db/users.repository.js';
import type { Actor } from './permissions.js';

export const SESSION_COOKIE = 'lc_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    requireActor: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** Sets `request.actor` when the request carries a valid session, else leaves it null (no 401): for reads that show more to logged-in users. */
    optionalActor: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** The raw session token a request carries, if any. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  return request.cookies?.[SESSION_COOKIE] || undefined;
}

export default fp(async (app) => {
  await app.register(cookie);
  app.decorateRequest('actor', null);
  app.decorate('requireActor', async (request: FastifyRequest) => {
    const token = sessionToken(request);
    const actor = token ? await actorForToken(app.db.kysely, token) : undefined;
    if (!actor) {
      throw new ApiError(
        401,
        'login_required',
        token ? '登录已过期，请重新登录' : '请先登录',
        token ? 'Your session has expired; please log in again' : 'Please log in first',
      );
    }
    request.actor = actor;
  });
  app.decorate('optionalActor', async (request: FastifyRequest) => {
    const token = sessionToken(request);
    request.actor = (token && (await actorForToken(app.db.kysely, token))) || null;
  });
});
