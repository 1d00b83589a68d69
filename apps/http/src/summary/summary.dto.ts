import { ApiProperty } from '@nestjs/swagger';

export class SummaryTotalsDto {
  @ApiProperty({ example: 1234567, description: 'Integer micro-USD' }) cost_usd_micros!: number;
  @ApiProperty({ example: 120000 }) input_tokens!: number;
  @ApiProperty({ example: 34000 }) output_tokens!: number;
  @ApiProperty({ example: 0 }) cache_read_input_tokens!: number;
  @ApiProperty({ example: 0 }) cache_write_input_tokens!: number;
  @ApiProperty({ example: 250 }) requests!: number;
  @ApiProperty({ example: 3, description: 'Requests reported with status ERROR' }) errors!: number;
}

export class SummaryRowDto extends SummaryTotalsDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { day: '2026-11-30', 'tag:team': 'search' },
    description:
      'The group, one field per group_by dimension as written: day (YYYY-MM-DD), week (its first day), month (YYYY-MM), app, label, model (Bedrock model id), tag:<key> (a value, __other__ past the first 100 values of a day, __none__ without the key)',
  })
  group!: Record<string, string>;
}

export class UsageSummaryDto {
  @ApiProperty({ type: [SummaryRowDto], description: 'Ordered by the group values' }) rows!: SummaryRowDto[];
  @ApiProperty({ type: SummaryTotalsDto, description: 'The sum of every row' }) totals!: SummaryTotalsDto;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Records written before this instant are in the rollups (the end of the last rollup pass)',
  })
  as_of!: string | null;
  @ApiProperty({ description: "False when the range reaches the org's today as of as_of" })
  complete!: boolean;
}
