/** The password policy where accounts are made (`npm run users -- add`): a weak password is refused and nothing is written. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killAll, processDb, runCli, type ProcessDb } from './helpers/processes.js';

let pdb: ProcessDb;
beforeAll(async () => {
  pdb = await processDb({ seeded: true });
});
afterAll(async () => {
  killAll();
  await pdb?.cleanup();
});

it('`users add` refuses 12345678, a common password and the username; accepts a good one', async () => {
  for (const [password, why] of [
    ['12345678', /密码至少 10 个字符 \/ Password must have at least 10 characters/],
    ['1234567890', /common password/],
    ['boss-in-charge', /must not contain the username/],
  ] as const) {
    const run = await runCli('users', ['add', password === 'boss-in-charge' ? 'boss-in-charge' : 'boss', '--role', 'admin'], {
      ...pdb.env,
      LIFECIRCLE_PASSWORD: password,
    });
    expect(run.code, password).toBe(2);
    expect(run.stderr).toMatch(why);
  }
  const ok = await runCli('users', ['add', 'boss', '--role', 'admin'], { ...pdb.env, LIFECIRCLE_PASSWORD: 'river-lantern-42-orchard' });
  expect(ok.code, ok.stderr).toBe(0);
  const db = await pdb.open();
  try {
    const users = await db.kysely.selectFrom('users').select('username').where('username', 'like', 'boss%').execute();
    expect(users).toEqual([{ username: 'boss' }]);
  } finally {
    await db.close();
  }
}, 240_000);
