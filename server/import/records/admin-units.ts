/** Districts, streets and communities: 12-digit codes, a name, the parent's code (required below districts). */
import { P } from './problems.js';
import type { PropReader } from './properties.js';

export function readAdmin(r: PropReader, kind: 'districts' | 'streets' | 'communities') {
  const code = r.code('code', 12, true) as string | undefined;
  const name = r.string('name', true);
  const parentCode = r.code('parentCode', 12, kind !== 'districts');
  if (code && parentCode && code === parentCode) r.problem(P('上级编码不能与自身编码相同', 'parentCode must differ from code'));
  return { code, name, parentCode };
}
