/**
 * Demo accounts that come with the sample city so the editor can be tried at once
 * (`npm start` prints them). One shared, printed password: for trying the app only — create real
 * accounts with `npm run users` and delete these before real use.
 */
import type { Kysely } from 'kysely';
import type { Database, Role } from './schema.js';
import { upsertUser } from './users.repository.js';

export const DEMO_PASSWORD = 'lifecircle-demo';

export interface DemoAccount {
  username: string;
  role: Role;
  streetCodes: string[];
  streetNames: string[];
}

/** admin, planner, viewer, and one street editor for each of the first two streets. */
export async function createDemoAccounts(db: Kysely<Database>): Promise<DemoAccount[]> {
  const streets = await db.selectFrom('streets').select(['code', 'name']).orderBy('code').limit(2).execute();
  const accounts: DemoAccount[] = [
    { username: 'admin', role: 'admin', streetCodes: [], streetNames: [] },
    { username: 'planner', role: 'planner', streetCodes: [], streetNames: [] },
    { username: 'viewer', role: 'viewer', streetCodes: [], streetNames: [] },
    ...streets.map((s, i) => ({ username: `editor${i + 1}`, role: 'street_editor' as const, streetCodes: [s.code], streetNames: [s.name] })),
  ];
  for (const a of accounts) {
    const displayName = a.role === 'street_editor' ? `${a.streetNames[0]}编辑` : { admin: '管理员', planner: '规划人员', viewer: '只读用户', street_editor: '' }[a.role];
    await upsertUser(db, { username: a.username, displayName, role: a.role, password: DEMO_PASSWORD, streetCodes: a.streetCodes });
  }
  await db
    .insertInto('dataset_meta')
    .values({ key: 'demo_accounts', value: JSON.stringify(accounts) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(accounts) }))
    .execute();
  return accounts;
}

/** The demo accounts recorded at seeding time, if any still exist. */
export async function demoAccounts(db: Kysely<Database>): Promise<DemoAccount[]> {
  const row = await db.selectFrom('dataset_meta').select('value').where('key', '=', 'demo_accounts').executeTakeFirst();
  if (!row) return [];
  const list = (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as DemoAccount[];
  const existing = new Set((await db.selectFrom('users').select('username').execute()).map((u) => u.username));
  return list.filter((a) => existing.has(a.username));
}
