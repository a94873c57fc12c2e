import type { FastifyInstance } from 'fastify';
import { build } from '../../server/app.js';
import { openTestDb, testConfig } from '../helpers/db.js';
import { migrate } from '../../server/db/migrate.js';

/** The app on a private seeded database, listening on a free loopback port. */
export async function listeningApp(overrides = {}) {
  const t = await openTestDb();
  await migrate(t.db);
  const app: FastifyInstance = await build({ config: testConfig(overrides), db: t.db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    app,
    db: t.db,
    base,
    async close() {
      await app.close();
      await t.close();
    },
  };
}
