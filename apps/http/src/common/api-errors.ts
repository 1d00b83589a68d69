import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'INVALID_REQUEST (details.fields lists each problem), INVALID_CONFIG or INVALID_MODEL_LABEL',
  401: 'UNAUTHORIZED: missing, malformed, expired, revoked or forged credentials',
  403: 'FORBIDDEN: valid token, but for another org or app',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'PAYLOAD_TOO_LARGE: body over 256 KiB',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body is not JSON',
  429: 'RATE_LIMIT_EXCEEDED (Retry-After header) or QUOTA_EXCEEDED',
  503: 'SERVICE_UNAVAILABLE: storage unreachable or throttled (Retry-After header)',
};

/** Documents the error responses of an operation, all with the shared error body. */
export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorBodyDto }),
    ),
  );
}
