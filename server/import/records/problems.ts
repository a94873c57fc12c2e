/** Helpers for the import validators' messages: one Problem per finding, values shown short. */
import type { Problem } from '../../validation/problem.js';
import type { ReasonCode } from './types.js';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const fmtNum = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? String(Math.round(n * 1e6) / 1e6) : JSON.stringify(n));
export const fmtPos = (p: readonly unknown[]) => `${fmtNum(p[0])} ${fmtNum(p[1])}`;
export const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/** A problem of an imported feature; its code is the report's reason. */
export type RecordProblem = Problem<ReasonCode>;
export const P = (zh: string, en: string, reason: ReasonCode = 'invalid_value'): RecordProblem => ({ code: reason, zh, en });
