import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, type WireErrorCode } from './error-body.js';

export class FieldProblemDto {
  @ApiProperty({ example: 'timezone' }) field!: string;
  @ApiProperty({ example: 'must be an IANA timezone such as Europe/Paris' }) message!: string;
}

/** The one error body of every error response (ErrorBodyDto in openapi/openapi.json). */
export class ErrorBodyDto {
  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode', example: 'INVALID_REQUEST' })
  error!: WireErrorCode;
  @ApiProperty({ example: 'The request is invalid' }) message!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Code-specific details: `fields` (INVALID_REQUEST), `configured_labels` (INVALID_MODEL_LABEL), `acceptable_range`, `models`...',
    example: { fields: [{ field: 'timezone', message: 'must be an IANA timezone such as Europe/Paris' }] },
  })
  details?: Record<string, unknown>;
  @ApiPropertyOptional({
    oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }],
    description: 'QUOTA_EXCEEDED: the next local midnight (UTC); RATE_LIMIT_EXCEEDED: seconds to wait',
    example: 60,
  })
  retry_after?: string | number;
  @ApiProperty({ format: 'date-time', example: '2026-01-23T15:30:45Z' }) timestamp!: string;
  @ApiProperty({ example: 'c0a8012e-7f2b-4d7a-9a47-1d7c7c2b9a10' }) request_id!: string;
}
