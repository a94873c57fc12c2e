/**
 * Demo accounts that come with the generated sample city so the editor can be tried at once
 * (`npm start` prints them). One shared, printed password: for trying the app only.
 *
 * Rules (no default credentials on real data):
 *  - they are created only together with the sample city (`seedSampleCity`: `npm start` on an
 *    empty database, `npm run seed`), never for imported data;
 *  - an account that already exists is never touched: `seed --reset` does not re-enable an
 *    account an operator disabled, nor put back the published password; demo street editors
 *    without streets (a reset clears every assignment) get streets of the new city;
 *  - on a database whose data is not the sample city, demo accounts still carrying the published
 *    password are disabled at start (`retireDemoAccounts`).
 */
import type { Kysely } from 'kysely';
import type { Database, Role } from './schema.js';
import { assignStreetsIfNone, createUserIfAbsent, disableUser } from './users.repository.js';
import { getMeta, setMeta } from './dataset.repository.js';
import { verifyPassword } from '../auth/password.js';

export const DEMO_PASSWORD = 'lifecircle-demo';

export interface DemoAccount {
  username: string;
  role: Role;
  streetCodes: string[];
  streetNames: string[];
}

const DISPLAY: Record<Role, string> = { admin: '管理员', planner: '规划人员', viewer: '只读用户', street_editor: '' };

/** admin, planner, viewer, and one street editor for each of the first two streets; only where the name is free. */
export async function createDemoAccounts(db: Kysely<Database>): Promise<DemoAccount[]> {
  const streets = await db.selectFrom('streets').select(['code', 'name']).orderBy('code').limit(2).execute();
  const accounts: DemoAccount[] = [
    { username: 'admin', role: 'admin', streetCodes: [], streetNames: [] },
    { username: 'planner', role: 'planner', streetCodes: [], streetNames: [] },
    { username: 'viewer', role: 'viewer', streetCodes: [], streetNames: [] },
    ...streets.map((s, i) => ({ username: `editor${i + 1}`, role: 'street_editor' as const, streetCodes: [s.code], streetNames: [s.name] })),
  ];
  for (const a of accounts) {
    const displayName = a.role === 'street_editor' ? `${a.streetNames[0]}编辑` : DISPLAY[a.role];
    const id = await createUserIfAbsent(db, { username: a.username, displayName, role: a.role, password: DEMO_PASSWORD, streetCodes: a.streetCodes });
    if (id === null && a.role === 'street_editor') {
      const u = await db.selectFrom('users').select(['id', 'role']).where('username', '=', a.username).executeTakeFirstOrThrow();
      if (u.role === 'street_editor') await assignStreetsIfNone(db, u.id, a.streetCodes);
    }
  }
  await setMeta(db, 'demo_accounts', accounts);
  return accounts;
}

/** The recorded demo accounts that can still be used with the published password (enabled, password unchanged). */
export async function demoAccounts(db: Kysely<Database>): Promise<DemoAccount[]> {
  const raw = await getMeta<DemoAccount[] | string>(db, 'demo_accounts');
  const list: DemoAccount[] = typeof raw === 'string' ? JSON.parse(raw) : (raw ?? []);
  if (!list.length) return [];
  const users = await db
    .selectFrom('users')
    .select(['username', 'password_hash', 'disabled'])
    .where(
      'username',
      'in',
      list.map((a) => a.username),
    )
    .execute();
  const open = new Set<string>();
  for (const u of users) if (!u.disabled && (await verifyPassword(DEMO_PASSWORD, u.password_hash))) open.add(u.username);
  return list.filter((a) => open.has(a.username));
}

/** Is the loaded data the generated sample city (and nothing replaced it)? */
export async function isSampleData(db: Kysely<Database>): Promise<boolean> {
  return (await getMeta<{ sample?: boolean }>(db, 'dataset'))?.sample === true;
}

/**
 * On data that is not the sample city, disables the demo accounts that still carry the published
 * password (left by an older version, which gave them to imported data too). Returns their names.
 */
export async function retireDemoAccounts(db: Kysely<Database>): Promise<string[]> {
  if (await isSampleData(db)) return [];
  const open = await demoAccounts(db);
  for (const a of open) await disableUser(db, a.username);
  return open.map((a) => a.username);
}
