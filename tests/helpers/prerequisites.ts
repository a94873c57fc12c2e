/**
 * What some tests need from the machine: Chromium, the shared OSM extracts beside the repository,
 * pgRouting on the server engine. On a developer's machine a missing one skips its tests with a
 * message; in CI (CI set, as .ci/run runs) it fails them: a green CI must have run everything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/** true when `ok`; else warns and returns false (skip), or throws in CI. */
export function prerequisite(ok: boolean, what: string, hint: string): boolean {
  if (ok) return true;
  if (IN_CI) throw new Error(`[CI] ${what} cannot run: ${hint}. CI must run every test: install it (.ci/run) instead of skipping.`);
  console.warn(`[skip] ${what}: ${hint}`);
  return false;
}

/** ../shared/geodata/osm beside the repository (not in it). */
export const SHARED_OSM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/geodata/osm');

/** The path of a shared OSM extract, and whether the test may run (see `prerequisite`). */
export function sharedOsmExtract(name: string, what: string): { file: string; present: boolean } {
  const file = path.join(SHARED_OSM, `${name}.osm.pbf`);
  return { file, present: prerequisite(existsSync(file), what, `${file} not found (the shared OSM extracts live beside the repository)`) };
}

/** Whether `osmium` (Debian osmium-tool) runs here; skips with a message, or fails in CI (see `prerequisite`). */
export function osmiumAvailable(what: string): boolean {
  const r = spawnSync('osmium', ['--version'], { encoding: 'utf8' });
  return prerequisite(r.status === 0, what, 'no `osmium` on PATH (apt-get install osmium-tool)');
}
