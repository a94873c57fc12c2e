/**
 * What every @fastify/rate-limit registration shares: the 429 in the standard error shape
 * (server/errors.ts), with `Retry-After`. The plugin throws what `errorResponseBuilder` returns,
 * so it returns an ApiError and the one error handler writes the body.
 */
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { ApiError } from '../errors.js';

/** `what`: the kind of request counted, e.g. { zh: '请求过于频繁', en: 'Too many requests' }. */
export function tooManyResponse(what: { zh: string; en: string }): NonNullable<RateLimitPluginOptions['errorResponseBuilder']> {
  return (_req, ctx) => {
    const s = Math.max(1, Math.ceil(ctx.ttl / 1000));
    return new ApiError(429, 'too_many_requests', `${what.zh}，请 ${s} 秒后再试`, `${what.en}; retry in ${s} s`, undefined, s);
  };
}
