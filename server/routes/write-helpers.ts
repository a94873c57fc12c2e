/** What every write route shares: the version it is based on, the per-user rate limit, error shapes. */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { tooManyResponse } from '../plugins/rate-limit.js';
import { ErrorSchema } from '../schemas/common.js';
import { sessionToken } from '../auth/plugin.js';
import { tokenHash } from '../db/users.repository.js';

export const writeErrors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  422: ErrorSchema,
  428: ErrorSchema,
  429: ErrorSchema,
};

/** The version a write is based on: If-Match ("3", W/"3" or 3) or the body's `version`. */
export function baseVersion(req: FastifyRequest, bodyVersion: number | undefined): number {
  const h = req.headers['if-match'];
  if (typeof h === 'string' && h.trim()) {
    const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(h.trim());
    if (!m) throw new ApiError(400, 'bad_if_match', 'If-Match 应为网格的版本号，例如 "3"', 'If-Match must be the grid version, e.g. "3"');
    return Number(m[1]);
  }
  if (bodyVersion !== undefined) return bodyVersion;
  throw new ApiError(
    428,
    'version_required',
    '请提供所编辑的版本号（If-Match 请求头或 version 字段），以免覆盖他人的修改',
    'Send the version you edited (If-Match header or `version`) so that no one else’s change is overwritten',
  );
}

/** Writes per session (≈ per user) where there is one, else per address; counted before authentication. */
export async function registerWriteRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (req) => {
      const t = sessionToken(req);
      return t ? `s:${tokenHash(t)}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: tooManyResponse({ zh: '修改过于频繁', en: 'Too many edits' }),
  });
}

/** Constraint violations that slipped past validation are still the client's problem (422), not a 500. */
export function translateDbError(err: unknown): unknown {
  const e = err as { code?: string; message?: string; constraint?: string };
  if (e?.code === '23505') return new ApiError(409, 'duplicate', `编码重复：${e.constraint ?? ''}`, `Duplicate value (${e.constraint ?? e.message})`);
  if (e?.code === '23514')
    return new ApiError(
      422,
      'constraint_violation',
      `数据不符合约束：${e.constraint ?? ''}`,
      `The change violates a rule of the data (${e.constraint ?? e.message})`,
    );
  if (e?.code === 'XX000' && /GEOS|TopologyException|IllegalArgument/i.test(e.message ?? '')) {
    return new ApiError(422, 'geometry_error', `几何运算失败，请检查图形：${e.message}`, `Geometry operation failed; check the shape: ${e.message}`);
  }
  return err;
}
