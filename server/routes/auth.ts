/** Login, logout and "who am I". Login is rate-limited per client address. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import rateLimit from '@fastify/rate-limit';
import { ApiError } from '../errors.js';
import { tooManyResponse } from '../plugins/rate-limit.js';
import { actorForToken, createSession, deleteSession, findUserForLogin, streetsOf } from '../db/users.repository.js';
import { verifyPassword } from '../auth/password.js';
import { SESSION_COOKIE, sessionToken } from '../auth/plugin.js';
import { ROLE_NAMES, type Actor } from '../auth/permissions.js';
import { ErrorSchema } from '../schemas/common.js';
import { LoggedIn, LoggedOut, LoginBody, Me } from '../schemas/auth.js';

async function me(app: Parameters<FastifyPluginAsyncTypebox>[0], a: Actor) {
  return {
    id: a.id,
    username: a.username,
    display_name: a.displayName,
    role: a.role,
    role_name_zh: ROLE_NAMES[a.role].zh,
    streets: await streetsOf(app.db.kysely, a.streetIds),
  };
}

// A fixed hash to verify against when the user does not exist, so both cases take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: tooManyResponse({ zh: '登录尝试过于频繁', en: 'Too many login attempts' }),
  });

  app.post(
    '/auth/login',
    {
      config: { rateLimit: { max: app.config.loginRatePerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: '登录（设置会话 Cookie，并返回可用作 Bearer 的令牌）/ Log in (sets the session cookie; the token also works as a Bearer token)',
        body: LoginBody,
        response: { 200: LoggedIn, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const user = await findUserForLogin(app.db.kysely, username);
      const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
      if (!user || !ok || user.disabled) {
        req.log.info({ username }, 'login failed');
        throw new ApiError(401, 'bad_credentials', '用户名或密码错误', 'Wrong username or password');
      }
      const { token, expiresAt } = await createSession(app.db.kysely, user.id, app.config.sessionTtlHours);
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: app.config.cookieSecure, path: '/', expires: expiresAt });
      const actor = (await actorForToken(app.db.kysely, token))!;
      return { user: await me(app, actor), token, expires_at: expiresAt.toISOString() };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], summary: '退出登录 / Log out', response: { 200: LoggedOut } } }, async (req, reply) => {
    const token = sessionToken(req);
    if (token) await deleteSession(app.db.kysely, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get(
    '/auth/me',
    { preHandler: app.requireActor, schema: { tags: ['auth'], summary: '当前用户 / The logged-in user', response: { 200: Me, 401: ErrorSchema } } },
    async (req) => me(app, req.actor!),
  );
};
export default routes;
