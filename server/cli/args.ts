/** What the CLIs share: minimal `--name value` / `--flag` parsing (node:util parseArgs), opening the database. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';
import { openDatabase, type Db } from '../db/connect.js';
import { DataDirLocked } from '../db/lock.js';

export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string) {
  try {
    return parseArgs({ options: { ...options, help: { type: 'boolean' } }, allowPositionals: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}

/**
 * Opens the database for a command-line tool. On the embedded engine this takes the data
 * directory's lock: while the server (or another command) has it open, the tool stops at once with
 * a zh/en message and exit code 3 — before doing anything that would be lost.
 */
export async function openCliDatabase(config: Config, role: string): Promise<Db> {
  try {
    return await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, lockRole: role });
  } catch (err) {
    if (err instanceof DataDirLocked) {
      console.error(err.message);
      process.exit(3);
    }
    throw err;
  }
}
