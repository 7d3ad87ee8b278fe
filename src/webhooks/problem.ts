import { LedgerError, type LedgerErrorCode } from '../ledger/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';

/** A rejected webhook request with the HTTP status of its response. */
export class WebhookError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export const STATUS_BY_CODE: Record<LedgerErrorCode, number> = {
  INVALID_FIELD: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem document and the headers that go with it. */
export interface Problem {
  status: number;
  detail: string;
  extra: Record<string, unknown>;
  headers: Record<string, string>;
  /** Whether the failure is ours rather than the caller's. */
  internal: boolean;
}

/** Maps any error thrown while handling a request to the problem document of the response. */
export function toProblem(error: unknown): Problem {
  if (error instanceof WebhookError) {
    return { status: error.status, detail: error.message, extra: error.extra, headers: error.headers, internal: false };
  }
  if (error instanceof LedgerError) {
    const extra = 'field' in error ? { errors: [{ field: error.field, message: error.message }] } : {};
    return { status: STATUS_BY_CODE[error.code], detail: error.message, extra, headers: {}, internal: false };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      detail: 'The database is unavailable; nothing was recorded. Retry later.',
      extra: {},
      headers: { 'retry-after': '5' },
      internal: true,
    };
  }
  return { status: 500, detail: 'An unexpected error occurred; nothing was recorded.', extra: {}, headers: {}, internal: true };
}

/** Writes a problem as an `application/problem+json` response. */
export function problemResponse(problem: Problem, requestId?: string): Response {
  const body = {
    type: 'about:blank',
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    ...problem.extra,
    ...(requestId ? { request_id: requestId } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
  });
}
