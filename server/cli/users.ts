/**
 * Accounts from the command line (either engine; DATABASE_URL or the embedded DATA_DIR):
 *   npm run users -- list
 *   npm run users -- add <username> --role admin|planner|street_editor|viewer [--name 显示名] [--street 210291001000 ...]
 *   npm run users -- disable <username>
 * The password is read from the LIFECIRCLE_PASSWORD environment variable, or asked for on the
 * terminal (not echoed), so it never appears in the shell history.
 */
import { createInterface } from 'node:readline';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { disableUser, listUsers, upsertUser, UnknownStreet } from '../db/users.repository.js';
import { passwordProblem } from '../auth/password.js';
import type { Role } from '../db/schema.js';
import { openCliDatabase, parseCli } from './args.js';

const USAGE = `usage:
  npm run users -- list
  npm run users -- add <username> --role admin|planner|street_editor|viewer [--name 显示名] [--street CODE ...]
  npm run users -- disable <username>
  (password: LIFECIRCLE_PASSWORD or typed at the prompt)`;
const ROLES: Role[] = ['admin', 'planner', 'street_editor', 'viewer'];

const { values, positionals } = parseCli({ role: { type: 'string' }, name: { type: 'string' }, street: { type: 'string', multiple: true } }, USAGE);
const fail = (msg: string): never => {
  console.error(`${msg}\n\n${USAGE}`);
  process.exit(2);
};
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, username] = positionals;
if (!['list', 'add', 'disable'].includes(command ?? '')) fail('未知命令 / unknown command');
if (command !== 'list' && !username) fail('缺少用户名 / missing username');

async function askPassword(): Promise<string> {
  if (process.env.LIFECIRCLE_PASSWORD) return process.env.LIFECIRCLE_PASSWORD;
  if (!process.stdin.isTTY) fail('请设置 LIFECIRCLE_PASSWORD / set LIFECIRCLE_PASSWORD (no terminal to ask on)');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Mute the echo of typed characters.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  process.stdout.write('密码 / password: ');
  const pw = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return pw;
}

// An account's arguments and password are checked before the database is opened: a refusal is
// immediate, and never waits for (or takes) the data directory.
let password = '';
const role = values.role as Role;
if (command === 'add') {
  if (!ROLES.includes(role)) fail(`--role 必须是 ${ROLES.join('|')} / --role must be one of ${ROLES.join('|')}`);
  if (role === 'street_editor' && !values.street?.length) fail('街道编辑须用 --street 指定街道编码 / a street editor needs --street CODE');
  if (!/^[A-Za-z0-9_.-]{2,64}$/.test(username)) fail('用户名只能含字母、数字和 _.-（2–64 个）/ username: 2–64 letters, digits, _.-');
  password = await askPassword();
  const problem = passwordProblem(password, username);
  if (problem) fail(`${problem.zh} / ${problem.en}`);
}

const config = loadConfig();
const db = await openCliDatabase(config, 'users');
try {
  await migrate(db);
  if (command === 'list') {
    for (const u of await listUsers(db.kysely)) {
      console.log(
        `${u.username.padEnd(16)} ${u.role.padEnd(14)} ${u.disabled ? '(disabled) ' : ''}${u.display_name}${u.streets.length ? `  streets: ${u.streets.join(', ')}` : ''}`,
      );
    }
  } else if (command === 'add') {
    try {
      await upsertUser(db.kysely, { username, displayName: values.name ?? username, role, password, streetCodes: values.street });
    } catch (err) {
      if (err instanceof UnknownStreet) fail(err.message);
      throw err;
    }
    console.log(`已保存账号 / saved account ${username} (${role}${values.street?.length ? `, streets ${values.street.join(', ')}` : ''})`);
  } else {
    if (!(await disableUser(db.kysely, username))) fail(`没有账号 ${username} / no account ${username}`);
    console.log(`已停用 / disabled ${username}`);
  }
} finally {
  await db.close();
}
