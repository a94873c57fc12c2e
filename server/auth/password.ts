/**
 * Password hashing with scrypt (memory-hard; Node's own crypto, no native addon).
 * Stored as `scrypt$N$r$p$salt$hash` (base64) so the cost can be raised later without
 * invalidating existing hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { COMMON_PASSWORDS } from './common-passwords.js';

/** Shortest password accepted for an account. */
export const MIN_LENGTH = 10;

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

// N = 2^15, r = 8 → 32 MiB and ~60–100 ms per hash on these machines: slow for an attacker with a
// stolen table, tolerable for a login.
const DEFAULT = { N: 32768, r: 8, p: 1 };
const KEY_LEN = 32;

export async function hashPassword(password: string, cost = DEFAULT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFKC'), salt, KEY_LEN, { ...cost, maxmem: 128 * cost.N * cost.r + 1024 * 1024 });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  const key = await scrypt(password.normalize('NFKC'), salt, expected.length, { N, r, p, maxmem: 128 * N * r + 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/**
 * Rules for a new password (every place that sets one: `npm run users -- add`): at least 10
 * characters, not the username, not a well-known password (common-passwords.ts, compared without
 * case), not one character repeated. Null when acceptable.
 * @example passwordProblem('12345678', 'wang') // → too short
 */
export function passwordProblem(password: string, username = ''): { zh: string; en: string } | null {
  const p = password.normalize('NFKC');
  if ([...p].length < MIN_LENGTH) return { zh: `密码至少 ${MIN_LENGTH} 个字符`, en: `Password must have at least ${MIN_LENGTH} characters` };
  if (p.length > 200) return { zh: '密码最多 200 个字符', en: 'Password must have at most 200 characters' };
  const lower = p.toLowerCase();
  const user = username.normalize('NFKC').toLowerCase();
  if (user && (lower === user || (user.length >= 4 && lower.includes(user)))) return { zh: '密码不能包含用户名', en: 'Password must not contain the username' };
  if (new Set(lower).size === 1) return { zh: '密码不能是同一个字符的重复', en: 'Password must not be one character repeated' };
  if (COMMON_PASSWORDS.has(lower)) return { zh: '这是常见密码，很容易被猜到，请换一个', en: 'This is a common password that is easy to guess; choose another' };
  return null;
}
