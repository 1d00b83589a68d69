import { type RecordsQueryInput, type UsageRecord } from '#core-domain';
import { InvalidRequestError } from '#core-domain';
import { type UsageRecordDto } from './usage-records.dto.js';

/** The query parameters the records and export routes take (besides `tag.<key>`). */
const KNOWN = new Set(['from', 'to', 'app_id', 'model_label', 'status', 'limit', 'cursor', 'format']);

/** Wire query -> domain input; unknown or repeated parameters are a 400 naming them. */
export function recordsQuery(raw: Record<string, unknown>, appId: string | undefined): RecordsQueryInput {
  const problems: { field: string; message: string }[] = [];
  const tags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (Array.isArray(value)) problems.push({ field: key, message: 'must be given once' });
    else if (key.startsWith('tag.')) tags[key.slice(4)] = value;
    else if (!KNOWN.has(key)) problems.push({ field: key, message: 'is not a parameter of this route' });
  }
  if (problems.length > 0) throw new InvalidRequestError(problems);
  const input: RecordsQueryInput = {};
  if (raw.from !== undefined) input.from = raw.from;
  if (raw.to !== undefined) input.to = raw.to;
  if (appId !== undefined) input.appId = appId;
  if (raw.model_label !== undefined) input.label = raw.model_label;
  if (raw.status !== undefined) input.status = raw.status;
  if (raw.limit !== undefined) input.limit = raw.limit;
  if (raw.cursor !== undefined) input.cursor = raw.cursor;
  if (Object.keys(tags).length > 0) input.tags = tags;
  return input;
}

export function recordDto(r: UsageRecord): UsageRecordDto {
  const dto: UsageRecordDto = {
    request_id: r.requestId,
    app_id: r.appId,
    model_label: r.label,
    bedrock_model_id: r.bedrockModelId,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cache_read_input_tokens: r.cacheReadInputTokens,
    cache_write_input_tokens: r.cacheWriteInputTokens,
    cost_usd_micros: r.costUsdMicros,
    price_source: r.priceSource,
    price_version: r.priceVersion,
    status: r.status,
    timestamp: r.timestamp,
    recorded_at: r.recordedAt,
    tags: { ...(r.tags ?? {}) },
  };
  if (r.profileArn !== undefined) dto.inference_profile_arn = r.profileArn;
  if (r.callingRegion !== undefined) dto.calling_region = r.callingRegion;
  return dto;
}
