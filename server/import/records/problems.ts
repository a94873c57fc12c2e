/** Helpers for the import validators' messages: one Problem per finding, values shown short. */
import type { Problem } from '../../validation/problem.js';
import type { ReasonCode } from './types.js';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const fmtNum = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? String(Math.round(n * 1e6) / 1e6) : JSON.stringify(n));
export const fmtPos = (p: readonly unknown[]) => `${fmtNum(p[0])} ${fmtNum(p[1])}`;
/** Punctuation queued while showing a value. */
class Punct {
  constructor(readonly text: string) {}
}

/**
 * JSON of a value, at most ~60 characters. Iterative and reading only the first items of arrays and
 * objects, so a deeply nested value (5,000 levels) is shown as "[[[[…" instead of exhausting the stack.
 * @example show({ a: [1, 2] }) // '{"a":[1,2]}'
 */
export const show = (v: unknown): string => {
  const LIMIT = 60;
  const ITEMS = 20;
  let out = '';
  const todo: unknown[] = [v];
  while (todo.length > 0 && out.length <= LIMIT) {
    const x = todo.pop();
    if (x instanceof Punct) out += x.text;
    else if (Array.isArray(x)) {
      out += '[';
      todo.push(new Punct(x.length > ITEMS ? ',…]' : ']'));
      for (let i = Math.min(x.length, ITEMS) - 1; i >= 0; i--) todo.push(x[i], ...(i > 0 ? [new Punct(',')] : []));
    } else if (x !== null && typeof x === 'object' && !(x instanceof Date)) {
      out += '{';
      const entries = Object.entries(x as Record<string, unknown>).slice(0, ITEMS);
      todo.push(new Punct('}'));
      for (let i = entries.length - 1; i >= 0; i--)
        todo.push(entries[i][1], new Punct(`${JSON.stringify(entries[i][0])}:`), ...(i > 0 ? [new Punct(',')] : []));
    } else out += JSON.stringify(x) ?? String(x);
  }
  return out.length > LIMIT || todo.length > 0 ? `${out.slice(0, LIMIT - 3)}…` : out;
};

/** A problem of an imported feature; its code is the report's reason. */
export type RecordProblem = Problem<ReasonCode>;
export const P = (zh: string, en: string, reason: ReasonCode = 'invalid_value'): RecordProblem => ({ code: reason, zh, en });
