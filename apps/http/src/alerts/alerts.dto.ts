import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const EVENT_TYPES = [
  'budget.threshold_crossed',
  'budget.exhausted',
  'budget.forecast_at_risk',
  'budget.spend_anomaly',
  'model.fallback_activated',
  'quota.all_exhausted',
  'webhook.test',
  'webhook.disabled',
];
const EVENT_TYPE = { enum: EVENT_TYPES, enumName: 'AlertEventType' } as const;

/** POST webhooks / PATCH: checked by the domain (URL rules, types), so every field is described here only. */
export class WebhookInputDto {
  @ApiPropertyOptional({ enum: ['webhook', 'sns'], enumName: 'ChannelType', description: 'Default webhook' })
  type?: string;
  @ApiPropertyOptional({ example: 'https://hooks.example.com/cost-keeper', maxLength: 2048 }) url?: string;
  @ApiPropertyOptional({ example: 'arn:aws:sns:us-east-1:123456789012:cost-alerts' }) topic_arn?: string;
  @ApiPropertyOptional({ maxLength: 256, example: 'Finance channel' }) description?: string;
  @ApiPropertyOptional({ type: [String], ...EVENT_TYPE, nullable: true, description: 'Default: all' })
  event_types?: string[] | null;
  @ApiPropertyOptional({ enum: ['standard', 'slack'], enumName: 'WebhookFormat' }) format?: string;
  @ApiPropertyOptional() enabled?: boolean;
}

export class WebhookDto {
  @ApiProperty({ example: 'wh_6f1c2a4e1b7d4c1e9a550c2f3b8e9d10' }) webhook_id!: string;
  @ApiProperty({ enum: ['webhook', 'sns'], enumName: 'ChannelType' }) type!: string;
  @ApiPropertyOptional() url?: string;
  @ApiPropertyOptional() topic_arn?: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ type: [String], ...EVENT_TYPE, nullable: true }) event_types!: string[] | null;
  @ApiProperty({ enum: ['standard', 'slack'], enumName: 'WebhookFormat' }) format!: string;
  @ApiProperty() enabled!: boolean;
  @ApiPropertyOptional({ description: 'Why the service disabled it' }) disabled_reason?: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    description: 'Shown once: whsec_ + base64 of 32 random bytes',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret!: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) webhooks!: WebhookDto[];
}

export class RotatedSecretDto {
  @ApiProperty() secret!: string;
  @ApiProperty({ format: 'date-time', description: 'The old secret signs beside the new one until then' })
  previous_secret_expires_at!: string;
}

export class DeliveryAttemptDto {
  @ApiProperty() attempt!: number;
  @ApiProperty({ format: 'date-time' }) attempted_at!: string;
  @ApiProperty({ type: Number, nullable: true }) status_code!: number | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ enum: ['succeeded', 'failed'], enumName: 'AttemptOutcome' }) outcome!: string;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({ description: 'At most 1 KiB' }) response_body?: string;
}

export class DeliveryDto {
  @ApiProperty() delivery_id!: string;
  @ApiProperty() event_id!: string;
  @ApiProperty() webhook_id!: string;
  @ApiProperty({ description: 'Attempts made so far' }) attempt!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) attempted_at!: string | null;
  @ApiProperty({ type: Number, nullable: true }) status_code!: number | null;
  @ApiProperty({ type: Number, nullable: true }) duration_ms!: number | null;
  @ApiProperty({ enum: ['succeeded', 'failed', 'pending'], enumName: 'DeliveryOutcome' }) outcome!: string;
  @ApiPropertyOptional() error?: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) next_attempt_at!: string | null;
  @ApiProperty({ type: [DeliveryAttemptDto] }) attempts!: DeliveryAttemptDto[];
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto] }) deliveries!: DeliveryDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class AlertEventDto {
  @ApiProperty({ example: 'evt_3f7c0e2a9b1d4c5e8f6a7b8c9d0e1f2a' }) id!: string;
  @ApiProperty(EVENT_TYPE) type!: string;
  @ApiProperty({ example: '2026-12-01' }) api_version!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'uuid' }) org_id!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
}

export class AlertEventListDto {
  @ApiProperty({ type: [AlertEventDto] }) events!: AlertEventDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class RedeliveryDto {
  @ApiProperty({ type: [DeliveryDto] }) deliveries!: DeliveryDto[];
}
