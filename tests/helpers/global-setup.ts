/** Vitest global setup: make the seeded template database once for the whole run. */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../server/db/connect.js';
import { migrate } from '../../server/db/migrate.js';
import { seedSampleCity } from '../../server/db/bootstrap.js';
import { ensureEmbeddedSnapshot } from './build-template.js';
import { databaseName, TEST_SAMPLE, withDatabase } from './template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: 'embedded' | 'server';
    /** embedded: path of the snapshot tarball; server: name of the template database. */
    template: string;
  }
}

type Template = { engine: 'embedded' | 'server'; template: string; drop?: () => Promise<void> };

/**
 * The db and browser projects both list this setup; Vitest runs it once per project, in one
 * process. The template is made once (the first call) and dropped after the last teardown.
 */
const shared = globalThis as typeof globalThis & { __lifecircleTemplate?: Promise<Template>; __lifecircleTemplateUsers?: number };

export default async function setup(project: TestProject) {
  shared.__lifecircleTemplate ??= makeTemplate();
  shared.__lifecircleTemplateUsers = (shared.__lifecircleTemplateUsers ?? 0) + 1;
  const t = await shared.__lifecircleTemplate;
  project.provide('engine', t.engine);
  project.provide('template', t.template);
  return async () => {
    shared.__lifecircleTemplateUsers = (shared.__lifecircleTemplateUsers ?? 1) - 1;
    if (shared.__lifecircleTemplateUsers > 0) return;
    shared.__lifecircleTemplate = undefined;
    await t.drop?.();
  };
}

async function makeTemplate(): Promise<Template> {
  const url = process.env.DATABASE_URL;
  if (!url) return { engine: 'embedded', template: await ensureEmbeddedSnapshot() };
  const tpl = `${databaseName(url)}_tpl`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${tpl}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${tpl}"`);
  await admin.end();
  const t0 = Date.now();
  const db = await openDatabase({ databaseUrl: withDatabase(url, tpl), poolSize: 2 });
  await migrate(db);
  await seedSampleCity(db, TEST_SAMPLE.size, TEST_SAMPLE.seed);
  await db.close();
  console.log(`[tests] server template ${tpl} built in ${Date.now() - t0} ms`);
  return {
    engine: 'server',
    template: tpl,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${tpl}" WITH (FORCE)`);
      await c.end();
    },
  };
}
