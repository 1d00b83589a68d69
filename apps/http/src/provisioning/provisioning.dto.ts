import { Omittable } from '../common/validation.pipe.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

import { BudgetDto } from '../budgets/budgets.dto.js';

const ORDERING_EXAMPLE = ['premium', 'standard', 'economy'];
const QUOTAS_EXAMPLE = { premium: 10000000, standard: 5000000, economy: 2000000 };
const quotasSchema = {
  type: 'object',
  additionalProperties: { type: 'integer', minimum: 0 },
  description: 'Daily quota per label, integer micro-USD',
  example: QUOTAS_EXAMPLE,
} as const;

export class OrgOverridesDto {
  @ApiPropertyOptional({ minimum: 50, maximum: 100, example: 95 })
  @Omittable()
  @IsInt()
  tight_mode_threshold_pct?: number;
  @ApiPropertyOptional({
    enum: [8, 16, 32, 64],
    enumName: 'ShardCount',
    example: 8,
    description: 'Immutable once the org exists',
  })
  @Omittable()
  @IsInt()
  agg_shard_count?: number;
  @ApiPropertyOptional({ example: true }) @Omittable() @IsBoolean() sticky_fallback_enabled?: boolean;
  @ApiPropertyOptional({
    minimum: 10,
    maximum: 3600,
    example: 300,
    description: 'Check interval in NORMAL mode',
  })
  @Omittable()
  @IsInt()
  refresh_interval_secs?: number;
  @ApiPropertyOptional({
    minimum: 10,
    maximum: 3600,
    example: 10,
    description: 'Check interval in TIGHT mode',
  })
  @Omittable()
  @IsInt()
  refresh_interval_tight_secs?: number;
}

export class PutOrgDto {
  @ApiProperty({ minLength: 1, maxLength: 128, example: 'Acme Corp' })
  @IsString()
  @MaxLength(128)
  org_name!: string;
  @ApiProperty({ description: 'IANA timezone of the org day', example: 'America/New_York' })
  @IsString()
  @MaxLength(64)
  timezone!: string;
  @ApiProperty({ enum: ['ORG', 'APP'], enumName: 'QuotaScope', example: 'ORG' })
  @IsIn(['ORG', 'APP'])
  quota_scope!: 'ORG' | 'APP';
  @ApiPropertyOptional({
    type: [String],
    minItems: 1,
    maxItems: 20,
    example: ORDERING_EXAMPLE,
    description: 'Defaults to the config ordering',
  })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  model_ordering?: string[];
  @ApiPropertyOptional({
    ...quotasSchema,
    description: 'One for every label of the ordering; defaults to the config quotas',
  })
  @Omittable()
  @IsObject()
  quotas?: Record<string, number>;
  @ApiPropertyOptional({
    type: [BudgetDto],
    maxItems: 10,
    description:
      "Caps on the whole org's spend per window (in APP scope, the sum of its apps); at most one per window and label",
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => BudgetDto)
  budgets?: BudgetDto[];
  @ApiPropertyOptional({
    enum: ['MONDAY', 'SUNDAY'],
    enumName: 'WeekStart',
    description: 'WEEK budgets start at local midnight of this day (default MONDAY)',
  })
  @Omittable()
  @IsIn(['MONDAY', 'SUNDAY'])
  week_starts_on?: 'MONDAY' | 'SUNDAY';
  @ApiPropertyOptional({
    type: [Number],
    minItems: 1,
    maxItems: 10,
    example: [50, 80, 100],
    description: "Alert thresholds, percent of each line's limit (1..1000; default 50, 80, 100)",
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  alert_thresholds_pct?: number[];
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 100,
    example: 3,
    description:
      "budget.spend_anomaly when the last hour's spend is this many times the average hour of the previous 7 days (0 = off; default 3)",
  })
  @Omittable()
  @IsInt()
  anomaly_factor?: number;
  @ApiPropertyOptional({
    type: [String],
    maxItems: 5,
    example: ['team', 'agent'],
    description:
      'Usage tag keys the worker keeps daily rollups by (summary group_by=tag:<key>): up to 5 distinct keys matching ^[a-z][a-z0-9_]{0,31}$ (default none)',
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(5)
  @IsString({ each: true })
  rollup_tag_keys?: string[];
  @ApiPropertyOptional({ type: OrgOverridesDto })
  @Omittable()
  @ValidateNested()
  @Type(() => OrgOverridesDto)
  overrides?: OrgOverridesDto;
}

export class AppOverridesDto {
  @ApiPropertyOptional({ minimum: 50, maximum: 100, example: 90 })
  @Omittable()
  @IsInt()
  tight_mode_threshold_pct?: number;
  @ApiPropertyOptional({ minimum: 10, maximum: 3600, example: 300 })
  @Omittable()
  @IsInt()
  refresh_interval_secs?: number;
  @ApiPropertyOptional({ minimum: 10, maximum: 3600, example: 60 })
  @Omittable()
  @IsInt()
  refresh_interval_tight_secs?: number;
}

export class PutAppDto {
  @ApiProperty({ minLength: 1, maxLength: 128, example: 'Support chatbot' })
  @IsString()
  @MaxLength(128)
  app_name!: string;
  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: 20, example: ['standard', 'economy'] })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  model_ordering?: string[];
  @ApiPropertyOptional({ ...quotasSchema, description: 'Only when the org quota scope is APP' })
  @Omittable()
  @IsObject()
  quotas?: Record<string, number>;
  @ApiPropertyOptional({
    type: [BudgetDto],
    maxItems: 10,
    description: "The app's own budgets (only when the org quota scope is APP)",
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => BudgetDto)
  budgets?: BudgetDto[];
  @ApiPropertyOptional({
    type: [Number],
    maxItems: 10,
    example: [80, 100],
    description: "The app's own alert thresholds (only when the org quota scope is APP)",
  })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  alert_thresholds_pct?: number[];
  @ApiPropertyOptional({ type: AppOverridesDto })
  @Omittable()
  @ValidateNested()
  @Type(() => AppOverridesDto)
  overrides?: AppOverridesDto;
}

export class RotateDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 168,
    default: 24,
    example: 24,
    description: 'How long the old secret keeps working',
  })
  @Omittable()
  @IsInt()
  grace_period_hours?: number;
}

export class CredentialsDto {
  @ApiProperty({ example: 'org-6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10' }) client_id!: string;
  @ApiProperty({
    description: 'Shown once: store it now',
    example: 'hY3k1u0m1s4pQ4b7nM4bXx6Hn8mB1pX3T1m2k3J4Q5w=',
  })
  client_secret!: string;
}

export class OrgConfigurationDto {
  @ApiProperty({ example: 'Acme Corp' }) org_name!: string;
  @ApiProperty({ example: 'America/New_York' }) timezone!: string;
  @ApiProperty({ enum: ['ORG', 'APP'], enumName: 'QuotaScope' }) quota_scope!: 'ORG' | 'APP';
  @ApiProperty({ type: [String], example: ORDERING_EXAMPLE }) model_ordering!: string[];
  @ApiProperty(quotasSchema) quotas!: Record<string, number>;
  @ApiProperty({ enum: [8, 16, 32, 64], enumName: 'ShardCount', example: 8 }) agg_shard_count!: number;
  @ApiProperty({ example: 95 }) tight_mode_threshold_pct!: number;
  @ApiProperty({ example: true }) sticky_fallback_enabled!: boolean;
  @ApiProperty({ example: 300 }) refresh_interval_secs!: number;
  @ApiProperty({ example: 10 }) refresh_interval_tight_secs!: number;
  @ApiProperty({ type: [BudgetDto] }) budgets!: BudgetDto[];
  @ApiProperty({ enum: ['MONDAY', 'SUNDAY'], enumName: 'WeekStart' }) week_starts_on!: string;
  @ApiProperty({ type: [Number], example: [50, 80, 100] }) alert_thresholds_pct!: number[];
  @ApiProperty({ example: 3 }) anomaly_factor!: number;
  @ApiPropertyOptional({
    type: [String],
    example: ['team'],
    description:
      "The org's rollup tag keys (always in the org's GET; not part of an app's effective configuration)",
  })
  rollup_tag_keys?: string[];
}

export class PutOrgResponseDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10' }) org_id!: string;
  @ApiProperty({ enum: ['created', 'updated'], enumName: 'PutStatus' }) status!: 'created' | 'updated';
  @ApiPropertyOptional({ format: 'date-time', description: 'On creation' }) created_at?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'On update' }) updated_at?: string;
  @ApiPropertyOptional({ type: CredentialsDto, description: 'On creation only' })
  credentials?: CredentialsDto;
  @ApiProperty({ type: OrgConfigurationDto }) configuration!: OrgConfigurationDto;
}

export class AppSummaryDto {
  @ApiProperty({ example: 'chat' }) app_id!: string;
  @ApiProperty({ example: 'Support chatbot' }) app_name!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class OrgDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10' }) org_id!: string;
  @ApiProperty({ type: OrgConfigurationDto }) configuration!: OrgConfigurationDto;
  @ApiProperty({ type: [AppSummaryDto] }) apps!: AppSummaryDto[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class AppConfigurationDto {
  @ApiProperty({ example: 'Support chatbot' }) app_name!: string;
  @ApiProperty({ type: [String], example: ORDERING_EXAMPLE, description: 'Effective ordering' })
  model_ordering!: string[];
  @ApiProperty({ ...quotasSchema, description: 'Effective quotas' }) quotas!: Record<string, number>;
  @ApiProperty({
    type: [String],
    example: ['quota_scope', 'timezone'],
    description: 'Fields taken from the org',
  })
  inherited_fields!: string[];
}

export class PutAppResponseDto {
  @ApiProperty({ format: 'uuid' }) org_id!: string;
  @ApiProperty({ example: 'chat' }) app_id!: string;
  @ApiProperty({ enum: ['created', 'updated'], enumName: 'PutStatus' }) status!: 'created' | 'updated';
  @ApiPropertyOptional({ format: 'date-time' }) created_at?: string;
  @ApiPropertyOptional({ format: 'date-time' }) updated_at?: string;
  @ApiPropertyOptional({ type: CredentialsDto, description: 'On creation only' })
  credentials?: CredentialsDto;
  @ApiProperty({ type: AppConfigurationDto }) configuration!: AppConfigurationDto;
}

export class AppOverridesViewDto {
  @ApiPropertyOptional({ type: [String] }) model_ordering?: string[];
  @ApiPropertyOptional(quotasSchema) quotas?: Record<string, number>;
  @ApiPropertyOptional() tight_mode_threshold_pct?: number;
  @ApiPropertyOptional() refresh_interval_secs?: number;
  @ApiPropertyOptional() refresh_interval_tight_secs?: number;
  @ApiPropertyOptional({ type: [BudgetDto] }) budgets?: BudgetDto[];
  @ApiPropertyOptional({ type: [Number] }) alert_thresholds_pct?: number[];
}

export class EffectiveConfigDto extends OrgConfigurationDto {
  @ApiProperty({
    type: [BudgetDto],
    description: "The app's own budgets (APP scope); `budgets` are the org's",
  })
  app_budgets!: BudgetDto[];
  @ApiProperty({ type: [String] }) inherited_fields!: string[];
}

export class AppDto {
  @ApiProperty({ format: 'uuid' }) org_id!: string;
  @ApiProperty({ example: 'chat' }) app_id!: string;
  @ApiProperty({ example: 'Support chatbot' }) app_name!: string;
  @ApiProperty({ type: AppOverridesViewDto, description: 'What the app sets itself' })
  overrides!: AppOverridesViewDto;
  @ApiProperty({
    type: EffectiveConfigDto,
    description: 'The org configuration with the app overrides laid on top',
  })
  effective_configuration!: EffectiveConfigDto;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class RotationResponseDto {
  @ApiProperty({ example: 'org-6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10' }) client_id!: string;
  @ApiProperty({ description: 'The new secret, shown once' }) client_secret!: string;
  @ApiProperty({ format: 'date-time' }) rotated_at!: string;
  @ApiProperty({ format: 'date-time' }) old_secret_expires_at!: string;
  @ApiProperty({ example: 24 }) grace_period_hours!: number;
}
