/**
 * Builds the web map (web/ → dist/web) only when the build is missing or older than its sources.
 * `npx tsx web/ensure-build.ts` (for `prestart`); also used by the browser test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (m, e) => Math.max(m, e.isDirectory() ? newestMtime(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs),
    0,
  );
}

/** True when dist/web/index.html is missing or older than anything under web/ or vite.config.ts. */
export function webBuildIsStale(): boolean {
  const index = join(repo, 'dist/web/index.html');
  if (!existsSync(index)) return true;
  const sources = Math.max(newestMtime(join(repo, 'web')), statSync(join(repo, 'vite.config.ts')).mtimeMs, statSync(join(repo, 'package-lock.json')).mtimeMs);
  return statSync(index).mtimeMs < sources;
}

/** Runs `vite build` if needed; returns the build time in ms, or null when the build was fresh. */
export function ensureWebBuild(log: (m: string) => void = () => {}): number | null {
  if (!webBuildIsStale()) return null;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  const ms = Date.now() - t0;
  log(`网页地图已构建 / web map built in ${ms} ms → dist/web`);
  return ms;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ms = ensureWebBuild((m) => console.log(`[lifecircle] ${m}`));
  if (ms === null) console.log('[lifecircle] 网页地图已是最新 / web map build is up to date');
}
