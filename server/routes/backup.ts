/**
 * `POST /api/admin/backup`: a consistent copy of the embedded database taken by the process that
 * holds it (server/db/backup.ts says why). `npm run backup` calls it while the server runs, with
 * the key the server writes to `<DATA_DIR>.server.json` (mode 0600) when it listens; an admin's
 * session works too (e.g. `curl -X POST -H 'Authorization: Bearer …' … > backup.tar.gz`). The
 * PostgreSQL engine answers 409: `npm run backup` uses pg_dump there, no server needed.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { ErrorSchema } from '../schemas/common.js';
import { dumpEmbedded, removeServerAccess, writeServerAccess } from '../db/backup.js';
import { lockFileOf } from '../db/lock.js';

const KEY_HEADER = 'x-lifecircle-backup-key';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  // Only the process that holds DATA_DIR's lock tells where to reach it (tests build the app on a
  // database in memory with the default DATA_DIR in their config: nothing is written for them).
  const holdsDataDir = () => {
    try {
      return app.db.engine === 'embedded' && (JSON.parse(readFileSync(lockFileOf(app.config.dataDir), 'utf8')) as { pid?: number }).pid === process.pid;
    } catch {
      return false;
    }
  };
  const embeddedOnDisk = holdsDataDir();
  let key: Buffer | null = null;
  let running = false;

  if (embeddedOnDisk) {
    app.addHook('onListen', async () => {
      const a = app.server.address();
      if (!a || typeof a === 'string') return;
      const host = a.address === '0.0.0.0' ? '127.0.0.1' : a.address === '::' ? '::1' : a.address;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${a.port}/`;
      key = Buffer.from((await writeServerAccess(app.config.dataDir, url)).key);
    });
    app.addHook('onClose', async () => {
      await removeServerAccess(app.config.dataDir);
    });
  }

  const keyMatches = (given: string | string[] | undefined) => {
    if (!key || typeof given !== 'string') return false;
    const g = Buffer.from(given);
    return g.length === key.length && timingSafeEqual(g, key);
  };

  app.post(
    '/admin/backup',
    {
      schema: {
        tags: ['admin'],
        summary: '嵌入式数据库的一致备份（管理员或本机备份密钥）/ A consistent copy of the embedded database (admin, or the local backup key)',
        description:
          'The PGlite data directory as a gzipped tarball, copied after a CHECKPOINT while no other query runs. `npm run backup` calls this while the server holds the data directory and writes the manifest beside it. PostgreSQL engine: 409 (use `npm run backup`, which runs pg_dump).',
        response: {
          200: Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'application/gzip: the data directory (PGlite dumpDataDir)' }),
          401: ErrorSchema,
          403: ErrorSchema,
          409: ErrorSchema,
          503: ErrorSchema,
        },
      },
      preHandler: async (request, reply) => {
        if (keyMatches(request.headers[KEY_HEADER])) return;
        await app.requireActor(request, reply);
        if (request.actor?.role !== 'admin') throw new ApiError(403, 'forbidden', '只有管理员可以下载备份', 'Only an administrator may download a backup');
      },
    },
    async (_request, reply) => {
      if (app.db.engine !== 'embedded')
        throw new ApiError(
          409,
          'not_embedded',
          '服务器模式（PostgreSQL）请直接运行 npm run backup（使用 pg_dump）',
          'On the PostgreSQL engine run npm run backup (it uses pg_dump); no server is needed',
        );
      if (running) throw new ApiError(503, 'busy', '另一个备份正在进行，请稍后重试', 'Another backup is running; retry shortly', undefined, 5);
      running = true;
      try {
        const tarball = await dumpEmbedded(app.db);
        reply.header('content-disposition', `attachment; filename="lifecircle-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz"`);
        return reply.type('application/gzip').send(tarball);
      } finally {
        running = false;
      }
    },
  );
};
export default routes;
