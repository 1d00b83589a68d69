import { Omittable } from '../common/validation.pipe.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { AggregatesDto, BudgetLineDto, PeriodDto } from '../runtime/runtime.dto.js';

export { BudgetLineDto, PeriodDto };

const WINDOW_ENUM = { enum: ['DAY', 'WEEK', 'MONTH'], enumName: 'BudgetWindow' } as const;

/** A budget as PUT org / PUT app take it and GET org / GET app show it. */
export class BudgetDto {
  @ApiProperty({ ...WINDOW_ENUM, example: 'MONTH', description: 'Calendar window in the org timezone' })
  @IsIn(['DAY', 'WEEK', 'MONTH'])
  window!: 'DAY' | 'WEEK' | 'MONTH';
  @ApiProperty({ minimum: 0, maximum: 1e15, example: 50000000, description: 'Integer micro-USD per period' })
  @IsInt()
  @Min(0)
  @Max(1e15)
  limit_usd_micros!: number;
  @ApiPropertyOptional({ example: 'premium', description: 'One label; without it, all labels together' })
  @Omittable()
  @IsString()
  @MaxLength(64)
  label?: string;
}

export class ProjectedEndDto {
  @ApiProperty({ example: 30000000 }) low!: number;
  @ApiProperty({ example: 36000000 }) mid!: number;
  @ApiProperty({ example: 42000000 }) high!: number;
}

export class ForecastDto {
  @ApiProperty({
    enum: ['insufficient_data', 'on_track', 'at_risk', 'exhausted'],
    enumName: 'ForecastStatus',
  })
  status!: string;
  @ApiProperty({
    enum: ['period_to_date_and_trailing_7_days', 'since_midnight_and_last_hour'],
    enumName: 'ForecastMethod',
  })
  method!: string;
  @ApiProperty({ type: ProjectedEndDto, nullable: true }) projected_end_usd_micros!: ProjectedEndDto | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) projected_exhaustion_at!: string | null;
}

export class BudgetLineViewDto extends BudgetLineDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the spend was aggregated',
  })
  as_of!: string | null;
  @ApiProperty({ type: ForecastDto, nullable: true, description: 'null for a closed period' })
  forecast!: ForecastDto | null;
}

export class BudgetsDto {
  @ApiProperty({ format: 'uuid' }) org_id!: string;
  @ApiPropertyOptional({ example: 'chat', description: 'App view only' }) app_id?: string;
  @ApiProperty({ example: 'America/New_York' }) timezone!: string;
  @ApiProperty({ enum: ['MONDAY', 'SUNDAY'], enumName: 'WeekStart' }) week_starts_on!: string;
  @ApiProperty({ type: [BudgetLineViewDto] }) lines!: BudgetLineViewDto[];
}

export class PeriodAggregatesDto extends AggregatesDto {
  @ApiProperty({ type: PeriodDto }) period!: PeriodDto;
}
