import { Omittable } from '../common/validation.pipe.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

const LABEL_STATUS = { enum: ['NORMAL', 'TIGHT', 'EXCEEDED'], enumName: 'LabelStatus' } as const;

export class UsageDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Idempotency key: a repeated id is counted once',
    example: '0b9f3e52-5a1c-4c07-8d0e-3c8f6f2f4a11',
  })
  @IsString()
  @MaxLength(64)
  request_id!: string;
  @ApiProperty({
    description: 'A label of the app ordering, or one of its inference profile labels',
    example: 'premium',
  })
  @IsString()
  @MaxLength(64)
  model_label!: string;
  @ApiProperty({ example: 'amazon.nova-pro-v1:0' }) @IsString() @MaxLength(2048) bedrock_model_id!: string;
  @ApiPropertyOptional({ description: 'Required for inference profile labels', example: 'us-east-1' })
  @Omittable()
  @IsString()
  @MaxLength(32)
  calling_region?: string;
  @ApiProperty({ minimum: 0, maximum: 1000000000, example: 1500 }) @IsInt() input_tokens!: number;
  @ApiProperty({ minimum: 0, maximum: 1000000000, example: 800 }) @IsInt() output_tokens!: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1000000000, example: 0 })
  @Omittable()
  @IsInt()
  cache_read_input_tokens?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1000000000, example: 0 })
  @Omittable()
  @IsInt()
  cache_write_input_tokens?: number;
  @ApiProperty({ enum: ['OK', 'ERROR'], enumName: 'UsageStatus', example: 'OK' })
  @IsIn(['OK', 'ERROR'])
  status!: 'OK' | 'ERROR';
  @ApiProperty({
    format: 'date-time',
    description: 'When the Bedrock call happened (at most 24 h old, 5 min ahead)',
    example: '2026-01-23T15:30:45Z',
  })
  @IsString()
  @MaxLength(40)
  timestamp!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 128 },
    maxProperties: 10,
    description: 'Up to 10 breakdown tags; keys `^[a-z][a-z0-9_]{0,31}$`',
    example: { agent: 'triage', incident: 'INC-42' },
  })
  @Omittable()
  @IsObject()
  tags?: Record<string, string>;
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 3600000,
    description:
      'How long the Bedrock call took, in ms (Converse: `metrics.latencyMs`). With it the service counts the calls still in flight near a quota and turns a label EXCEEDED when they will spend what is left (docs/performance.md)',
    example: 2350,
  })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(3600000)
  latency_ms?: number;
}

export class UsageProcessingDto {
  @ApiProperty({ example: 3 }) shard_id!: number;
  @ApiProperty({ example: 60 }) expected_aggregation_lag_secs!: number;
  @ApiProperty({ description: 'Priced by the server', example: 3760 }) cost_usd_micros!: number;
}

const WINDOW_ENUM = { enum: ['DAY', 'WEEK', 'MONTH'], enumName: 'BudgetWindow' } as const;

export class PeriodDto {
  @ApiProperty({
    example: 'M#2026-12',
    description: 'D#YYYY-MM-DD, W#YYYY-MM-DD (the local date the week starts) or M#YYYY-MM',
  })
  key!: string;
  @ApiProperty({ format: 'date-time', description: 'Local midnight of the first day, UTC' }) start!: string;
  @ApiProperty({ format: 'date-time', description: 'Local midnight after the last day (the reset), UTC' })
  end!: string;
}

/** A line: a daily quota or a budget, with its current period. */
export class BudgetLineDto {
  @ApiProperty({ enum: ['ORG', 'APP'], enumName: 'QuotaScope', description: 'Whose limit' }) scope!:
    'ORG' | 'APP';
  @ApiProperty(WINDOW_ENUM) window!: string;
  @ApiProperty({ type: String, nullable: true, example: 'premium', description: 'null: all labels' })
  label!: string | null;
  @ApiProperty({
    enum: ['QUOTA', 'BUDGET'],
    enumName: 'LineSource',
    description: 'A daily quota or a budget',
  })
  source!: 'QUOTA' | 'BUDGET';
  @ApiProperty({ example: 1203760 }) spend_usd_micros!: number;
  @ApiProperty({ example: 50000000 }) limit_usd_micros!: number;
  @ApiProperty({ example: 2.4, description: 'One decimal' }) pct!: number;
  @ApiProperty(LABEL_STATUS) status!: string;
  @ApiProperty({ type: PeriodDto }) period!: PeriodDto;
  @ApiProperty({ format: 'date-time' }) resets_at!: string;
}

/** The line that binds a label: the covering line with the highest pct (on a tie the shorter window). */
export class BindingDto {
  @ApiProperty({ enum: ['ORG', 'APP'], enumName: 'QuotaScope' }) scope!: 'ORG' | 'APP';
  @ApiProperty(WINDOW_ENUM) window!: string;
  @ApiProperty({ type: String, nullable: true, example: 'premium', description: 'null: all labels' })
  label!: string | null;
  @ApiProperty({ example: 1203760 }) spend_usd_micros!: number;
  @ApiProperty({ example: 10000000 }) limit_usd_micros!: number;
  @ApiProperty({ example: 12, description: 'One decimal' }) pct!: number;
  @ApiProperty({ format: 'date-time' }) resets_at!: string;
}

export class UsageQuotaStatusDto {
  @ApiProperty({ example: 'premium' }) model_label!: string;
  @ApiProperty({ example: 1203760 }) spend_usd_micros!: number;
  @ApiProperty({ example: 10000000 }) quota_usd_micros!: number;
  @ApiProperty({ example: 12 }) quota_pct!: number;
  @ApiProperty({
    ...LABEL_STATUS,
    description:
      'The worst status of the lines covering the label (its daily quota, budgets). EXCEEDED: exhausted, re-select now',
  })
  mode!: 'NORMAL' | 'TIGHT' | 'EXCEEDED';
  @ApiProperty({ type: BindingDto, nullable: true, description: 'The line that binds the label' })
  binding!: BindingDto | null;
}

export class UsageAcceptedDto {
  @ApiProperty({ format: 'uuid' }) request_id!: string;
  @ApiProperty({ enum: ['accepted'], enumName: 'UsageAcceptedStatus' }) status!: 'accepted';
  @ApiProperty({ description: 'True when this request_id was already counted' }) duplicate!: boolean;
  @ApiProperty({ example: 'Usage recorded' }) message!: string;
  @ApiProperty({ type: UsageProcessingDto }) processing!: UsageProcessingDto;
  @ApiProperty({ type: UsageQuotaStatusDto }) quota_status!: UsageQuotaStatusDto;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class UsageBatchDto {
  @ApiProperty({
    type: [UsageDto],
    minItems: 1,
    maxItems: 100,
    description: 'Each item is validated on its own',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  requests!: unknown[];
}

export class BatchItemErrorDto {
  @ApiProperty({ example: 'INVALID_REQUEST' }) code!: string;
  @ApiProperty({ example: 'The request is invalid' }) message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
}

export class BatchItemResultDto {
  @ApiProperty({ example: '0b9f3e52-5a1c-4c07-8d0e-3c8f6f2f4a11' }) request_id!: string;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'failed'], enumName: 'BatchItemStatus' }) status!:
    'accepted' | 'duplicate' | 'failed';
  @ApiPropertyOptional({ example: 3 }) shard_id?: number;
  @ApiPropertyOptional({ example: 3760 }) cost_usd_micros?: number;
  @ApiPropertyOptional({ type: BatchItemErrorDto }) error?: BatchItemErrorDto;
}

export class UsageBatchResultDto {
  @ApiProperty({ example: 98 }) accepted!: number;
  @ApiProperty({ example: 1 }) failed!: number;
  @ApiProperty({ example: 1 }) duplicates!: number;
  @ApiProperty({ type: [BatchItemResultDto] }) results!: BatchItemResultDto[];
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
}

export class RecommendedModelDto {
  @ApiProperty({ example: 'premium' }) label!: string;
  @ApiProperty({
    example: 'amazon.nova-pro-v1:0',
    description: 'What to call Bedrock with (model id or profile ARN)',
  })
  bedrock_model_id!: string;
  @ApiProperty({ example: 'NORMAL', description: 'NORMAL, QUOTA_EXCEEDED_<LABEL> or STICKY_FALLBACK' })
  reason!: string;
  @ApiProperty({ example: 'Amazon Nova Pro' }) description!: string;
}

export class ModelStatusDto {
  @ApiProperty({ example: 1203760 }) spend_usd_micros!: number;
  @ApiProperty({ example: 10000000 }) quota_usd_micros!: number;
  @ApiProperty({ example: 12 }) quota_pct!: number;
  @ApiProperty(LABEL_STATUS) status!: 'NORMAL' | 'TIGHT' | 'EXCEEDED';
}

export class SelectionQuotaStatusDto {
  @ApiProperty({ enum: ['ORG', 'APP'], enumName: 'QuotaScope' }) scope!: 'ORG' | 'APP';
  @ApiProperty({ enum: ['NORMAL', 'TIGHT'], enumName: 'Mode' }) mode!: 'NORMAL' | 'TIGHT';
  @ApiProperty({ example: 'premium' }) current_model!: string;
  @ApiProperty({ example: 1203760 }) spend_usd_micros!: number;
  @ApiProperty({ example: 10000000 }) quota_usd_micros!: number;
  @ApiProperty({ example: 12, description: 'One decimal' }) quota_pct!: number;
  @ApiProperty() sticky_fallback_active!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ModelStatusDto' } })
  models_status!: Record<string, ModelStatusDto>;
  @ApiProperty({ type: BindingDto, nullable: true, description: 'The line that binds the recommended label' })
  binding!: BindingDto | null;
  @ApiProperty({ type: [BudgetLineDto], description: 'Every line of the scope (daily quotas and budgets)' })
  budgets!: BudgetLineDto[];
}

export class PricingDto {
  @ApiProperty({ example: 800000 }) input_price_usd_micros_per_1m!: number;
  @ApiProperty({ example: 3200000 }) output_price_usd_micros_per_1m!: number;
  @ApiProperty({ example: 'config' }) version!: string;
  @ApiProperty({ enum: ['PRICING_API', 'CACHED', 'CONFIG_FALLBACK'], enumName: 'PriceSource' })
  source!: string;
}

export class ClientGuidanceDto {
  @ApiProperty({ example: 'PERIODIC_300S' }) check_frequency!: string;
  @ApiProperty({ example: 300 }) cache_duration_secs!: number;
  @ApiProperty() explanation!: string;
}

export class ModelSelectionDto {
  @ApiProperty({ format: 'uuid' }) org_id!: string;
  @ApiProperty({ example: 'chat' }) app_id!: string;
  @ApiProperty({ type: RecommendedModelDto }) recommended_model!: RecommendedModelDto;
  @ApiProperty({ type: SelectionQuotaStatusDto }) quota_status!: SelectionQuotaStatusDto;
  @ApiProperty({ type: PricingDto }) pricing!: PricingDto;
  @ApiProperty({ type: ClientGuidanceDto }) client_guidance!: ClientGuidanceDto;
  @ApiProperty({ format: 'date-time' }) checked_at!: string;
  @ApiProperty({ example: '20260123' }) org_day!: string;
  @ApiProperty({ example: '2026-01-23T10:30:45-05:00' }) org_local_time!: string;
}

export class LabelAggregateDto {
  @ApiProperty({ example: 'premium' }) label!: string;
  @ApiProperty({ example: 'amazon.nova-pro-v1:0' }) bedrock_model_id!: string;
  @ApiProperty({ example: 3760 }) cost_usd_micros!: number;
  @ApiProperty({ example: 10000000 }) quota_usd_micros!: number;
  @ApiProperty({ example: 0 }) quota_pct!: number;
  @ApiProperty(LABEL_STATUS) quota_status!: string;
  @ApiProperty({ example: 1500 }) input_tokens!: number;
  @ApiProperty({ example: 800 }) output_tokens!: number;
  @ApiProperty({ example: 0 }) cache_read_input_tokens!: number;
  @ApiProperty({ example: 0 }) cache_write_input_tokens!: number;
  @ApiProperty({ example: 1 }) requests!: number;
  @ApiProperty({ example: 3760 }) average_cost_per_request!: number;
}

export class AppCostDto {
  @ApiProperty({ example: 3760 }) cost_usd_micros!: number;
  @ApiProperty({ example: 1 }) requests!: number;
}

export class AggregatesDto {
  @ApiProperty({ format: 'uuid' }) org_id!: string;
  @ApiPropertyOptional({ example: 'chat', description: 'App views only' }) app_id?: string;
  @ApiPropertyOptional({ example: 'Support chatbot', description: 'App views only' }) app_name?: string;
  @ApiProperty({ example: '2026-01-23' }) date!: string;
  @ApiProperty({ example: 'America/New_York' }) timezone!: string;
  @ApiProperty({ enum: ['ORG', 'APP'], enumName: 'QuotaScope' }) quota_scope!: 'ORG' | 'APP';
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/LabelAggregateDto' } })
  models!: Record<string, LabelAggregateDto>;
  @ApiProperty({ example: 3760 }) total_cost_usd_micros!: number;
  @ApiProperty({ example: 17000000 }) total_quota_usd_micros!: number;
  @ApiProperty({ example: 0 }) total_quota_pct!: number;
  @ApiProperty() sticky_fallback_active!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'premium' }) current_active_model!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updated_at!: string | null;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/AppCostDto' },
    description: 'Org view of an APP-scoped org: cost and requests per app',
  })
  apps?: Record<string, AppCostDto>;
}

export class RegisterProfileDto {
  @ApiProperty({ minLength: 1, maxLength: 50, example: 'claude-prod' })
  @IsString()
  @MaxLength(64)
  profile_label!: string;
  @ApiProperty({
    example: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6',
  })
  @IsString()
  @MaxLength(512)
  inference_profile_arn!: string;
  @ApiPropertyOptional({ maxLength: 500, example: 'Production traffic' })
  @Omittable()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class ProfileDto {
  @ApiProperty({ example: 'claude-prod' }) profile_label!: string;
  @ApiProperty({
    example: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6',
  })
  inference_profile_arn!: string;
  @ApiProperty({ enum: ['registered'], enumName: 'ProfileStatus' }) status!: 'registered';
  @ApiPropertyOptional({ example: 'Production traffic' }) description?: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ProfileListDto {
  @ApiProperty({ type: [ProfileDto] }) profiles!: ProfileDto[];
}
