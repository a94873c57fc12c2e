/**
 * The rule packs shipped in ./packs, read and checked once (an invalid pack in the repository is a
 * programming error: it throws with every problem, and tests/lifecircle tests load them all).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATION_TYPE_CODES } from '../domain/stations.js';
import { validatePack, type RulePack } from './pack.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'packs');

let packs: ReadonlyMap<string, RulePack> | null = null;

/** Every pack by id, in file-name order. */
export function rulePacks(): ReadonlyMap<string, RulePack> {
  if (packs) return packs;
  const out = new Map<string, RulePack>();
  for (const f of readdirSync(DIR)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const r = validatePack(JSON.parse(readFileSync(path.join(DIR, f), 'utf8')), STATION_TYPE_CODES);
    if (!r.ok) throw new Error(`rule pack ${f}: ${r.problems.map((p) => `${p.path} ${p.en}`).join('; ')}`);
    if (out.has(r.pack.id)) throw new Error(`rule pack ${f}: id ${r.pack.id} is used twice`);
    out.set(r.pack.id, r.pack);
  }
  packs = out;
  return out;
}

/** The pack a request names when it names none. */
export const DEFAULT_PACK = 'gb50180-2018';
