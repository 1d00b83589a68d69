import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One usage record as GET .../usage/records and the JSONL export show it. */
export class UsageRecordDto {
  @ApiProperty({ example: '0b9e6f5c-6a9e-4e57-9d7e-3d0f5b1c2a10' }) request_id!: string;
  @ApiProperty({ example: 'chat' }) app_id!: string;
  @ApiProperty({ example: 'premium' }) model_label!: string;
  @ApiProperty({ example: 'amazon.nova-pro-v1:0' }) bedrock_model_id!: string;
  @ApiPropertyOptional({ description: 'The inference profile that priced the event (profile labels)' })
  inference_profile_arn?: string;
  @ApiPropertyOptional({ example: 'us-east-1' }) calling_region?: string;
  @ApiProperty({ example: 1500 }) input_tokens!: number;
  @ApiProperty({ example: 800 }) output_tokens!: number;
  @ApiProperty({ example: 0 }) cache_read_input_tokens!: number;
  @ApiProperty({ example: 0 }) cache_write_input_tokens!: number;
  @ApiProperty({ example: 3760, description: 'Integer micro-USD, priced by the service' })
  cost_usd_micros!: number;
  @ApiProperty({ enum: ['PRICING_API', 'CACHED', 'CONFIG_FALLBACK'], enumName: 'PriceSource' })
  price_source!: string;
  @ApiProperty({ example: '2026-03-10', description: 'The version of the price used' })
  price_version!: string;
  @ApiProperty({ enum: ['OK', 'ERROR'], enumName: 'UsageStatus' }) status!: string;
  @ApiProperty({ example: '2026-03-10T12:00:00.000Z', description: "The event's timestamp" })
  timestamp!: string;
  @ApiProperty({ example: '2026-03-10T12:00:01.234Z', description: 'When the service accepted it' })
  recorded_at!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'search' } })
  tags!: Record<string, string>;
}

export class UsageRecordsPageDto {
  @ApiProperty({ type: [UsageRecordDto] }) records!: UsageRecordDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` with the same filters for the next page; null on the last page',
  })
  next_cursor!: string | null;
}
