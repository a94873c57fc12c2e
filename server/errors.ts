/**
 * One error shape for every route: `{ statusCode, error, message, message_zh, message_en }`,
 * Chinese first. Thrown ApiErrors carry both languages; Fastify's own errors (validation,
 * body size, bad JSON, 404) are translated here so no caller sees an English-only message.
 */
import type { FastifyError, FastifyInstance } from 'fastify';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    readonly details?: unknown,
    /** Seconds, sent as `Retry-After` (503 busy, 429 too many). */
    readonly retryAfterS?: number,
  ) {
    super(`${zh} / ${en}`);
  }
}

/** The server is busy with heavy work: come back in `seconds`. */
export const busy = (seconds: number) =>
  new ApiError(503, 'busy', `服务器正忙于计算，请 ${seconds} 秒后重试`, `The server is busy computing; retry in ${seconds} s`, undefined, seconds);

export const badRequest = (code: string, zh: string, en: string, details?: unknown) => new ApiError(400, code, zh, en, details);
export const notFound = (zh: string, en: string) => new ApiError(404, 'not_found', zh, en);

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  message_zh: string;
  message_en: string;
  details?: unknown;
}

export function errorBody(statusCode: number, code: string, zh: string, en: string, details?: unknown): ErrorBody {
  const body: ErrorBody = { statusCode, error: code, message: `${zh} / ${en}`, message_zh: zh, message_en: en };
  if (details !== undefined) body.details = details;
  return body;
}

const LOCATION_ZH: Record<string, string> = { querystring: '查询参数', body: '请求体', params: '路径参数', headers: '请求头' };

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** Turns one Ajv issue into a short zh/en phrase naming the field. */
function describeIssue(where: string, issue: AjvIssue): { zh: string; en: string } {
  const p = issue.params ?? {};
  const field = (issue.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || (p.missingProperty as string) || (p.additionalProperty as string) || '';
  const f = field ? `“${field}”` : '';
  const fe = field ? `"${field}"` : 'value';
  switch (issue.keyword) {
    case 'required':
      return { zh: `${LOCATION_ZH[where] ?? where}缺少必填字段“${p.missingProperty}”`, en: `${where} is missing required field "${p.missingProperty}"` };
    case 'type':
      return { zh: `${LOCATION_ZH[where] ?? where}${f}类型错误，应为 ${p.type}`, en: `${where} ${fe} must be ${p.type}` };
    case 'minimum':
    case 'exclusiveMinimum':
      return { zh: `${LOCATION_ZH[where] ?? where}${f}不能小于 ${p.limit}`, en: `${where} ${fe} must be >= ${p.limit}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { zh: `${LOCATION_ZH[where] ?? where}${f}不能大于 ${p.limit}`, en: `${where} ${fe} must be <= ${p.limit}` };
    case 'enum':
    case 'anyOf':
      return {
        zh: `${LOCATION_ZH[where] ?? where}${f}取值无效${p.allowedValues ? `，可选：${(p.allowedValues as unknown[]).join(', ')}` : ''}`,
        en: `${where} ${fe} has an invalid value${p.allowedValues ? ` (allowed: ${(p.allowedValues as unknown[]).join(', ')})` : ''}`,
      };
    case 'pattern':
    case 'format':
      return { zh: `${LOCATION_ZH[where] ?? where}${f}格式错误`, en: `${where} ${fe} is malformed` };
    case 'maxLength':
    case 'maxItems':
      return { zh: `${LOCATION_ZH[where] ?? where}${f}过长（最多 ${p.limit}）`, en: `${where} ${fe} is too long (max ${p.limit})` };
    case 'minLength':
    case 'minItems':
      return { zh: `${LOCATION_ZH[where] ?? where}${f}过短（至少 ${p.limit}）`, en: `${where} ${fe} is too short (min ${p.limit})` };
    case 'additionalProperties':
      return { zh: `${LOCATION_ZH[where] ?? where}含有未知字段“${p.additionalProperty}”`, en: `${where} has unknown field "${p.additionalProperty}"` };
    default:
      return {
        zh: `${LOCATION_ZH[where] ?? where}${f}无效（${issue.message ?? issue.keyword}）`,
        en: `${where} ${fe} is invalid (${issue.message ?? issue.keyword})`,
      };
  }
}

const FASTIFY_CODES: Record<string, { status: number; code: string; zh: string; en: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', zh: '请求体过大', en: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    zh: '不支持的内容类型，请使用 application/json',
    en: 'Unsupported content type; use application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'empty_body', zh: '请求体为空，但声明为 JSON', en: 'Body is empty but declared as JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', zh: '请求体不是合法的 JSON', en: 'Body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    zh: 'Content-Length 与请求体不符',
    en: 'Content-Length does not match the body',
  },
};

// Connection-level failures (refused, reset, timed out, server shutting down or starting up).
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    e?.message ?? '',
  );
}

/**
 * The first value PostgreSQL cannot take, in a query, path or JSON body: a string holding a NUL
 * byte, or a non-finite number (JSON "1e400" parses to Infinity, which the schemas' minimum and
 * maximum let through). Returns where it is ("body.properties.name") and what; null when there is
 * none. Iterative and depth-capped, so a deeply nested body cannot exhaust the stack here.
 */
export function findUnstorable(value: unknown, root: string, maxDepth = 64): { at: string; what: 'nul' | 'non_finite' } | null {
  const stack: [unknown, string, number][] = [[value, root, 0]];
  let visited = 0;
  while (stack.length > 0 && visited++ < 200_000) {
    const [v, at, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { at, what: 'nul' };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { at, what: 'non_finite' };
    } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && depth < maxDepth) {
      if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${at}[${i}]`, depth + 1]));
      else
        for (const [k, x] of Object.entries(v)) {
          if (k.includes('\u0000')) return { at: `${at}.${k}`, what: 'nul' };
          stack.push([x, `${at}.${k}`, depth + 1]);
        }
    }
  }
  return null;
}

const OVERFLOWING_NUMBER = /^\s*[+-]?(infinity|(\d+\.?\d*|\.\d+)e[+-]?\d+)\s*$/i;

export function registerErrorHandling(app: FastifyInstance): void {
  // Ajv coerces "Infinity" and "1e400" to ±Infinity and then lets them through minimum/maximum:
  // reject non-finite numbers in the query before validation.
  app.addHook('preValidation', async (request) => {
    // PostgreSQL text cannot hold a NUL byte, nor a number column Infinity: refuse both in any part of the request.
    for (const [part, value, zh] of [
      ['querystring', request.query, '查询参数'],
      ['params', request.params, '路径参数'],
      ['body', request.body, '请求体'],
    ] as const) {
      const bad = findUnstorable(value, part);
      if (bad?.what === 'nul')
        throw new ApiError(400, 'invalid_request', `${zh}含有 NUL 字符（\\u0000）：${bad.at}`, `${part} contains a NUL byte (\\u0000): ${bad.at}`);
      if (bad) throw new ApiError(400, 'invalid_request', `${zh}中的数字必须是有限的：${bad.at}`, `${part}: numbers must be finite: ${bad.at}`);
    }
    // Path values like "Infinity" or "1e400" that the schemas would coerce to ±Infinity.
    for (const [k, v] of Object.entries((request.params as Record<string, unknown> | undefined) ?? {})) {
      if (typeof v === 'string' && OVERFLOWING_NUMBER.test(v) && !Number.isFinite(Number(v))) {
        throw new ApiError(400, 'invalid_request', `路径参数“${k}”必须是有限的数字或编码`, `path parameter "${k}" must be a finite number or a code`);
      }
    }
    const q = request.query as Record<string, unknown> | undefined;
    if (!q || typeof q !== 'object') return;
    for (const [k, v] of Object.entries(q)) {
      if (typeof v === 'string' && OVERFLOWING_NUMBER.test(v) && !Number.isFinite(Number(v))) {
        throw new ApiError(400, 'invalid_request', `查询参数“${k}”必须是有限的数字`, `querystring "${k}" must be a finite number`);
      }
    }
  });

  app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
    if (err instanceof ApiError) {
      if (err.retryAfterS !== undefined) reply.header('retry-after', String(err.retryAfterS));
      return reply.status(err.statusCode).send(errorBody(err.statusCode, err.code, err.zh, err.en, err.details));
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      const phrases = err.validation.slice(0, 5).map((i) => describeIssue(where, i as AjvIssue));
      return reply.status(400).send(errorBody(400, 'invalid_request', phrases.map((p) => p.zh).join('；'), phrases.map((p) => p.en).join('; ')));
    }
    const known = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (known) return reply.status(known.status).send(errorBody(known.status, known.code, known.zh, known.en));
    if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
      return reply.status(400).send(errorBody(400, 'invalid_json', '请求体不是合法的 JSON', `Body is not valid JSON: ${err.message}`));
    }
    if (isDatabaseUnavailable(err)) {
      // Fail fast and say when to come back, rather than hang while the database restarts.
      request.log.warn({ err: err.message }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send(errorBody(503, 'database_unavailable', '数据库暂时不可用，请稍后重试', 'The database is temporarily unavailable; please retry shortly'));
    }
    if (err.statusCode === 429) {
      return reply.status(429).send(errorBody(429, 'too_many_requests', '请求过于频繁，请稍后再试', 'Too many requests; retry later'));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(500).send(errorBody(500, 'internal_error', '服务器内部错误，请稍后重试', 'Internal server error; please retry later'));
    }
    return reply.status(status).send(errorBody(status, err.code?.toLowerCase() ?? 'bad_request', `请求无效：${err.message}`, err.message));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody(404, 'not_found', `没有这个地址：${request.method} ${request.url}`, `No such route: ${request.method} ${request.url}`));
  });
}
