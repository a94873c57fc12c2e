/**
 * `npm start`: prepare the database (embedded: lock the data directory), listen, print the URL,
 * close cleanly on SIGTERM/SIGINT (exit 0). Any failure to start exits non-zero, and so does an
 * out-of-memory in this thread (V8 aborts the process), so a supervisor restarts it (docs/deploy.md).
 */
import { loadConfig } from './config.js';
import { isEmpty, prepareDatabase } from './db/bootstrap.js';
import { build } from './app.js';
import { warmUp } from './city/plugin.js';
import { DEMO_PASSWORD, demoAccounts } from './db/demo-accounts.js';
import { DataDirLocked } from './db/lock.js';
import { hasActiveAdmin } from './db/users.repository.js';

const config = loadConfig();
const log = (m: string) => console.log(`[lifecircle] ${m}`);
const db = await prepareDatabase(config, log).catch((err) => {
  if (!(err instanceof DataDirLocked)) throw err;
  console.error(`[lifecircle] ${err.message}`);
  process.exit(3);
});
const app = await build({ config, db, logger: { level: config.logLevel } });

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log(`${signal}: 正在关闭 / shutting down`);
  await app.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

await app.listen({ port: config.port, host: config.host });
const { port } = app.server.address() as { port: number };
const shown = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host;
log(`已启动 / listening: http://${shown}:${port}/  (API docs: http://${shown}:${port}/docs)`);
void warmUp(app, log);
const demo = await demoAccounts(db.kysely);
if (demo.length) {
  log(`示例账号（密码均为 ${DEMO_PASSWORD}，仅供试用）/ demo accounts (password "${DEMO_PASSWORD}", for trying only):`);
  for (const a of demo) log(`  ${a.username.padEnd(8)} ${a.role}${a.streetNames.length ? ` — ${a.streetNames.join('、')} (${a.streetCodes.join(', ')})` : ''}`);
  log(`编辑网格 / edit grids: http://${shown}:${port}/editor/`);
}
if (!(await hasActiveAdmin(db.kysely)) && !(await isEmpty(db))) {
  const stop = db.engine === 'embedded' ? '先停止服务器，' : '';
  const stopEn = db.engine === 'embedded' ? 'stop the server, then ' : '';
  log(
    `没有可用的管理员账号。创建一个：${stop}运行 LIFECIRCLE_PASSWORD=… npm run users -- add <用户名> --role admin（密码至少 10 个字符），然后再启动。` +
      `\n[lifecircle] No administrator account. To create one: ${stopEn}run  LIFECIRCLE_PASSWORD=… npm run users -- add <username> --role admin  (password: 10+ characters)${db.engine === 'embedded' ? ', and start again' : ''}.`,
  );
}
