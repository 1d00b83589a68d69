import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_ACTIONS } from '#core-domain';

export class AuditActorDto {
  @ApiProperty({ enum: ['admin', 'client'], enumName: 'AuditActorKind' }) kind!: string;
  @ApiProperty({
    description: 'Admin: the first 12 hex digits of the SHA-256 of the admin key. Client: its client_id.',
    example: '3f7c0e2a9b1d',
  })
  id!: string;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) source_ip!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'curl/8.5.0' }) user_agent!: string | null;
}

export class AuditTargetDto {
  @ApiProperty({ example: 'org', description: 'org, app, client, token, profile or webhook' }) type!: string;
  @ApiProperty({ example: '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10' }) id!: string;
}

export class AuditChangeDto {
  @ApiProperty({ description: 'The value before (null: absent)', nullable: true }) before!: unknown;
  @ApiProperty({ description: 'The value after (null: absent)', nullable: true }) after!: unknown;
}

export class AuditItemDto {
  @ApiProperty({ example: 'aud_3f7c0e2a9b1d4c5e8f6a7b8c9d0e1f2a' }) event_id!: string;
  @ApiProperty({ format: 'date-time' }) occurred_at!: string;
  @ApiProperty({ format: 'uuid' }) org_id!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ enum: [...AUDIT_ACTIONS], enumName: 'AuditAction' }) action!: string;
  @ApiProperty({ type: AuditTargetDto }) target!: AuditTargetDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/AuditChangeDto' },
    description:
      'Changed fields (wire names) -> { before, after }. Never a secret, a hash or a token; keys only as fingerprints.',
    example: { quotas: { before: { premium: 1000000 }, after: { premium: 2000000 } } },
  })
  changes!: Record<string, AuditChangeDto>;
  @ApiProperty({ type: String, nullable: true, description: 'The X-Request-Id of the change' })
  request_id!: string | null;
  @ApiProperty({ enum: ['success'], enumName: 'AuditOutcome' }) outcome!: string;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditItemDto] }) items!: AuditItemDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Sealed: only good for the same org and filters',
  })
  next_cursor!: string | null;
}

export class AuditFailureDto {
  @ApiProperty({ enum: ['admin_key', 'token'], enumName: 'AuditFailureAttempt' }) attempt!: string;
  @ApiProperty({
    example: '2026-12-02T01:15',
    description: 'The UTC minute (one item per source and minute)',
  })
  minute!: string;
  @ApiProperty({ format: 'date-time', description: 'The first failed attempt of that minute' })
  occurred_at!: string;
  @ApiProperty({ example: '198.51.100.9' }) source_ip!: string;
  @ApiProperty({ type: String, nullable: true }) user_agent!: string | null;
  @ApiPropertyOptional({ description: 'Token attempts: the client_id tried, when it has our form' })
  client_id?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The org of that client_id' }) org_id?: string;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({ enum: ['failure'], enumName: 'AuditFailureOutcome' }) outcome!: string;
}

export class AuditFailureListDto {
  @ApiProperty({ type: [AuditFailureDto] }) items!: AuditFailureDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}
