/** Users, their street assignments and login sessions. */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, Role } from './schema.js';
import type { Actor } from '../auth/permissions.js';
import { hashPassword } from '../auth/password.js';

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
  /** Street codes (12 digits) for a street editor. */
  streetCodes?: string[];
}

export class UnknownStreet extends Error {
  constructor(readonly codes: string[]) {
    super(`未知的街道编码 / unknown street code(s): ${codes.join(', ')}`);
  }
}

/** Creates or replaces (by username) a user and their street assignments. */
export async function upsertUser(db: Kysely<Database>, u: NewUser): Promise<number> {
  const hash = await hashPassword(u.password);
  const codes = u.streetCodes ?? [];
  const streets = codes.length ? await db.selectFrom('streets').select(['id', 'code']).where('code', 'in', codes).execute() : [];
  const missing = codes.filter((c) => !streets.some((s) => s.code === c));
  if (missing.length) throw new UnknownStreet(missing);
  const row = await db
    .insertInto('users')
    .values({ username: u.username, display_name: u.displayName, role: u.role, password_hash: hash })
    .onConflict((oc) => oc.column('username').doUpdateSet({ display_name: u.displayName, role: u.role, password_hash: hash, disabled: false }))
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.deleteFrom('user_streets').where('user_id', '=', row.id).execute();
  if (streets.length)
    await db
      .insertInto('user_streets')
      .values(streets.map((s) => ({ user_id: row.id, street_id: s.id })))
      .execute();
  // A changed password or role ends every open session of that user.
  await db.deleteFrom('sessions').where('user_id', '=', row.id).execute();
  return row.id;
}

/**
 * Creates a user only if no account of that name exists; an existing one is left exactly as it is
 * (password, role, disabled flag). Returns the new id, or null when the name was taken.
 */
export async function createUserIfAbsent(db: Kysely<Database>, u: NewUser): Promise<number | null> {
  const hash = await hashPassword(u.password);
  const row = await db
    .insertInto('users')
    .values({ username: u.username, display_name: u.displayName, role: u.role, password_hash: hash })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return null;
  await assignStreetsIfNone(db, row.id, u.streetCodes ?? []);
  return row.id;
}

/** Gives a user these streets if they have none (e.g. after `seed --reset` cleared every assignment). */
export async function assignStreetsIfNone(db: Kysely<Database>, userId: number, streetCodes: string[]): Promise<void> {
  if (!streetCodes.length) return;
  if (await db.selectFrom('user_streets').select('user_id').where('user_id', '=', userId).limit(1).executeTakeFirst()) return;
  const streets = await db.selectFrom('streets').select('id').where('code', 'in', streetCodes).execute();
  if (streets.length)
    await db
      .insertInto('user_streets')
      .values(streets.map((s) => ({ user_id: userId, street_id: s.id })))
      .execute();
}

/** Disables an account and ends its sessions; false when there is no such account. */
export async function disableUser(db: Kysely<Database>, username: string): Promise<boolean> {
  const r = await db.updateTable('users').set({ disabled: true }).where('username', '=', username).returning('id').executeTakeFirst();
  if (!r) return false;
  await db.deleteFrom('sessions').where('user_id', '=', r.id).execute();
  return true;
}

/** Is there an enabled administrator? */
export async function hasActiveAdmin(db: Kysely<Database>): Promise<boolean> {
  return !!(await db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', false).limit(1).executeTakeFirst());
}

export async function findUserForLogin(db: Kysely<Database>, username: string) {
  return db.selectFrom('users').select(['id', 'username', 'password_hash', 'disabled']).where('username', '=', username).executeTakeFirst();
}

async function actorOf(db: Kysely<Database>, userId: number): Promise<Actor | undefined> {
  const u = await db.selectFrom('users').select(['id', 'username', 'display_name', 'role', 'disabled']).where('id', '=', userId).executeTakeFirst();
  if (!u || u.disabled) return undefined;
  const streets = await db.selectFrom('user_streets').select('street_id').where('user_id', '=', userId).orderBy('street_id').execute();
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    streetIds: u.role === 'street_editor' ? streets.map((s) => s.street_id) : [],
  };
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function createSession(db: Kysely<Database>, userId: number, ttlHours: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db
    .insertInto('sessions')
    .values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt })
    .execute();
  // Housekeeping: drop this user's expired sessions.
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<', new Date()).execute();
  return { token, expiresAt };
}

/** The actor behind a session token, or undefined if unknown, expired or disabled. */
export async function actorForToken(db: Kysely<Database>, token: string): Promise<Actor | undefined> {
  const s = await db
    .selectFrom('sessions')
    .select(['user_id'])
    .where('token_hash', '=', tokenHash(token))
    .where(sql<boolean>`expires_at > now()`)
    .executeTakeFirst();
  return s ? actorOf(db, s.user_id) : undefined;
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
}

/** Street codes and names for the streets an actor may edit (for the editor UI). */
export async function streetsOf(db: Kysely<Database>, streetIds: number[]) {
  if (!streetIds.length) return [];
  return db.selectFrom('streets').select(['id', 'code', 'name']).where('id', 'in', streetIds).orderBy('code').execute();
}

export async function listUsers(db: Kysely<Database>) {
  const users = await db.selectFrom('users').select(['id', 'username', 'display_name', 'role', 'disabled']).orderBy('username').execute();
  const links = await db.selectFrom('user_streets as us').innerJoin('streets as s', 's.id', 'us.street_id').select(['us.user_id', 's.code']).execute();
  return users.map((u) => ({ ...u, streets: links.filter((l) => l.user_id === u.id).map((l) => l.code) }));
}
