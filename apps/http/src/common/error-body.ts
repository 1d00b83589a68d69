import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, QuotaExceededError, type ErrorCode } from '#core-domain';

export type WireErrorCode =
  ErrorCode | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'RATE_LIMIT_EXCEEDED' | 'INTERNAL_ERROR';

export const ERROR_CODES: WireErrorCode[] = [
  'INVALID_REQUEST',
  'INVALID_CONFIG',
  'INVALID_MODEL_LABEL',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'QUOTA_EXCEEDED',
  'RATE_LIMIT_EXCEEDED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
];

export interface ErrorBody {
  error: WireErrorCode;
  message: string;
  details?: Record<string, unknown>;
  /** QUOTA_EXCEEDED: next local midnight (UTC ISO); RATE_LIMIT_EXCEEDED: seconds. */
  retry_after?: string | number;
  timestamp: string;
  request_id: string;
}

const STATUS_OF: Record<WireErrorCode, number> = {
  INVALID_REQUEST: 400,
  INVALID_CONFIG: 400,
  INVALID_MODEL_LABEL: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUOTA_EXCEEDED: 429,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** Thrown by the HTTP layer itself for errors that carry a wire code (rate limits, bad bodies). */
export class ApiError extends Error {
  constructor(
    readonly code: WireErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly retryAfter?: string | number,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface MappedError {
  status: number;
  body: Omit<ErrorBody, 'timestamp' | 'request_id'>;
  headers: Record<string, string>;
  /** True for errors that are our bug (logged with the stack). */
  unexpected: boolean;
}

const GENERIC_BY_STATUS: Record<number, [WireErrorCode, string]> = {
  400: ['INVALID_REQUEST', 'The request is invalid'],
  401: ['UNAUTHORIZED', 'Invalid or missing credentials'],
  403: ['FORBIDDEN', 'This credential may not act on this resource'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['NOT_FOUND', 'Not found'],
  409: ['ALREADY_EXISTS', 'Already exists'],
  413: ['PAYLOAD_TOO_LARGE', 'The request body is larger than 256 KiB'],
  414: ['INVALID_REQUEST', 'A path parameter is too long'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON'],
  429: ['RATE_LIMIT_EXCEEDED', 'Too many requests'],
  503: ['SERVICE_UNAVAILABLE', 'The service is unavailable, try again shortly'],
};

/** Maps anything thrown to the wire error. Never leaks stack traces or library text for 5xx. */
export function mapError(err: unknown): MappedError {
  if (err instanceof ApiError) {
    const body: MappedError['body'] = { error: err.code, message: err.message };
    if (err.details) body.details = err.details;
    if (err.retryAfter !== undefined) body.retry_after = err.retryAfter;
    return { status: STATUS_OF[err.code], body, headers: err.headers, unexpected: false };
  }
  if (err instanceof DomainError) {
    const body: MappedError['body'] = { error: err.code, message: err.message };
    if (err.details) body.details = err.details;
    const headers: Record<string, string> = {};
    if (err instanceof QuotaExceededError) body.retry_after = err.retryAfter;
    if (err.code === 'SERVICE_UNAVAILABLE') {
      headers['Retry-After'] = '5';
      body.message = 'Storage is unavailable, try again shortly';
    }
    return { status: STATUS_OF[err.code], body, headers, unexpected: false };
  }
  const status =
    err instanceof HttpException
      ? err.getStatus()
      : typeof (err as { statusCode?: unknown })?.statusCode === 'number'
        ? (err as { statusCode: number }).statusCode
        : 500;
  const generic = GENERIC_BY_STATUS[status];
  if (generic && status < 500) {
    // Framework 4xx (unknown route, body parser): keep our own wording, never the library's.
    const message =
      status === 400 && isJsonSyntaxError(err) ? 'The request body is not valid JSON' : generic[1];
    return {
      status: STATUS_OF[generic[0]],
      body: { error: generic[0], message },
      headers: {},
      unexpected: false,
    };
  }
  if (status === HttpStatus.SERVICE_UNAVAILABLE) {
    return {
      status,
      body: { error: 'SERVICE_UNAVAILABLE', message: GENERIC_BY_STATUS[503]![1] },
      headers: { 'Retry-After': '5' },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: {
      error: 'INTERNAL_ERROR',
      message: 'An internal error occurred; it was logged with the request id',
    },
    headers: {},
    unexpected: true,
  };
}

function isJsonSyntaxError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    err instanceof SyntaxError
  );
}
