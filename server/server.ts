/** `npm start`: prepare the database, listen, print the URL, close cleanly on signals. */
import { loadConfig } from './config.js';
import { prepareDatabase } from './db/bootstrap.js';
import { build } from './app.js';
import { warmUp } from './city/plugin.js';
import { DEMO_PASSWORD, demoAccounts } from './db/demo-accounts.js';

const config = loadConfig();
const log = (m: string) => console.log(`[lifecircle] ${m}`);
const db = await prepareDatabase(config, log);
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
