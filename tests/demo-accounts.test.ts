/**
 * No default credentials on real data (issue 14): demo accounts come only with the generated
 * sample city; imported data never gets them; `seed --reset` never re-enables an account an
 * operator disabled nor puts back the published password; a database with data but no
 * administrator makes `npm start` say how to create one. Real processes on either engine.
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../server/db/demo-accounts.js';
import { setMeta } from '../server/db/dataset.repository.js';
import { disableUser } from '../server/db/users.repository.js';
import { hashPassword, verifyPassword } from '../server/auth/password.js';
import { ROOT } from './helpers/template.js';
import { killAll, postJson, processDb, runCli, startServer, type ProcessDb } from './helpers/processes.js';

const opened: ProcessDb[] = [];
async function database(seeded: boolean) {
  const p = await processDb({ seeded });
  opened.push(p);
  return p;
}
afterAll(async () => {
  killAll();
  for (const p of opened) await p.cleanup();
});

const NO_ADMIN =
  /没有可用的管理员账号[\s\S]*npm run users -- add <用户名> --role admin[\s\S]*No administrator account[\s\S]*npm run users -- add <username> --role admin/;

it('a CLI import into an empty database, then `npm start`: no demo accounts, and it says how to create an administrator', async () => {
  const pdb = await database(false);
  const imported = await runCli('import', ['geojson', path.join(ROOT, 'geodata/fixtures/districts.wgs84.geojson'), '--kind', 'districts'], pdb.env);
  expect(imported.code, imported.stdout + imported.stderr).toBe(0);

  const server = await startServer(pdb.env);
  await server.waitFor(NO_ADMIN);
  expect(server.output()).not.toMatch(/demo accounts|示例账号/);
  for (const username of ['admin', 'planner', 'viewer', 'editor1']) {
    expect((await postJson(`${server.url}api/auth/login`, { username, password: DEMO_PASSWORD })).status).toBe(401);
  }
  await server.stop();
  const db = await pdb.open();
  try {
    expect(await db.kysely.selectFrom('users').select('username').execute()).toEqual([]);
  } finally {
    await db.close();
  }
}, 180_000);

it('`seed --reset` keeps a disabled demo account disabled and a changed password changed', async () => {
  const pdb = await database(true);
  let db = await pdb.open();
  try {
    expect(await disableUser(db.kysely, 'viewer')).toBe(true);
    await db.kysely
      .updateTable('users')
      .set({ password_hash: await hashPassword('my-own-password-1') })
      .where('username', '=', 'editor1')
      .execute();
  } finally {
    await db.close();
  }
  const run = await runCli('seed', ['--reset'], pdb.env);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toMatch(/reset and loaded/);

  db = await pdb.open();
  try {
    const users = await db.kysely.selectFrom('users').select(['username', 'password_hash', 'disabled']).orderBy('username').execute();
    const by = Object.fromEntries(users.map((u) => [u.username, u]));
    expect(by.viewer.disabled).toBe(true);
    expect(await verifyPassword(DEMO_PASSWORD, by.editor1.password_hash)).toBe(false);
    expect(await verifyPassword('my-own-password-1', by.editor1.password_hash)).toBe(true);
    // Untouched demo accounts stay as they were; the demo editor got a street of the new city.
    expect(by.admin.disabled).toBe(false);
    const streets = await db.kysely
      .selectFrom('user_streets as us')
      .innerJoin('users as u', 'u.id', 'us.user_id')
      .innerJoin('streets as s', 's.id', 'us.street_id')
      .select(['u.username', 's.code'])
      .orderBy('u.username')
      .execute();
    expect(streets.map((s) => s.username)).toEqual(['editor1', 'editor2']);
  } finally {
    await db.close();
  }
}, 180_000);

it('demo accounts left on data that is not the sample city are disabled at start', async () => {
  const pdb = await database(true);
  const db = await pdb.open();
  try {
    // As if the data had been replaced by an operator's own (no sample flag); an older version
    // gave such a database the demo accounts too.
    await setMeta(db.kysely, 'dataset', { name: '某市（导入）' });
  } finally {
    await db.close();
  }
  const server = await startServer(pdb.env);
  expect(server.output()).toMatch(/disabled demo accounts still using the published password: admin, planner, viewer, editor1, editor2/);
  await server.waitFor(NO_ADMIN);
  expect(server.output()).not.toMatch(/demo accounts \(password/);
  expect((await postJson(`${server.url}api/auth/login`, { username: 'admin', password: DEMO_PASSWORD })).status).toBe(401);
  await server.stop();
}, 180_000);
