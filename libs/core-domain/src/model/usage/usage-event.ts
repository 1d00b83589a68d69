import { FieldProblems, InvalidRequestError } from '../errors.js';
import { type TokenCounts } from '../money/pricing.js';
import { eventTimeOutOfRange, parseIsoInstant } from '../time/org-time.js';

export type UsageStatus = 'OK' | 'ERROR';

/** A usage event as a client reports it (already mapped from the wire's snake_case). */
export interface UsageInput {
  requestId: string;
  modelLabel: string;
  bedrockModelId: string;
  callingRegion?: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  status: UsageStatus;
  timestamp: string;
  tags?: Record<string, string>;
  /** How long the Bedrock call took, ms (Converse: `metrics.latencyMs`); feeds the in-flight estimate. */
  latencyMs?: number;
}

/** A usage event after validation: request id lower-cased, timestamp parsed. */
export interface ValidUsage extends TokenCounts {
  requestId: string;
  modelLabel: string;
  bedrockModelId: string;
  callingRegion?: string;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  status: UsageStatus;
  timestamp: Date;
  tags?: Record<string, string>;
  latencyMs?: number;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
export const TAG_KEY_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
export const MAX_TAGS = 10;
export const MAX_TAG_VALUE_LENGTH = 128;
/** Token counts per field: up to 10^9 (priced exactly, see money/pricing.ts). */
export const MAX_TOKENS = 1_000_000_000;
/** `latency_ms`: up to one hour. */
export const MAX_LATENCY_MS = 3_600_000;

const ALLOWED_FIELDS = new Set([
  'requestId',
  'modelLabel',
  'bedrockModelId',
  'callingRegion',
  'inputTokens',
  'outputTokens',
  'cacheReadInputTokens',
  'cacheWriteInputTokens',
  'status',
  'timestamp',
  'tags',
  'latencyMs',
]);

const WIRE: Record<string, string> = {
  requestId: 'request_id',
  modelLabel: 'model_label',
  bedrockModelId: 'bedrock_model_id',
  callingRegion: 'calling_region',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cacheReadInputTokens: 'cache_read_input_tokens',
  cacheWriteInputTokens: 'cache_write_input_tokens',
  status: 'status',
  timestamp: 'timestamp',
  tags: 'tags',
  latencyMs: 'latency_ms',
};

function tokens(p: FieldProblems, v: unknown, name: string, optional: boolean): number {
  if (v === undefined && optional) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TOKENS) {
    p.add(WIRE[name]!, `must be an integer from 0 to ${MAX_TOKENS}`);
    return 0;
  }
  return v;
}

/**
 * Validates a usage event: field formats, token counts, tags, and the timestamp window
 * (at most 5 minutes in the future, at most 24 hours old). Field names in problems are the wire names.
 */
export function validateUsage(input: UsageInput, now: Date): ValidUsage {
  const p = new FieldProblems();
  const raw = input as unknown as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null)
    throw new InvalidRequestError([{ field: '(body)', message: 'must be an object' }]);
  for (const k of Object.keys(raw))
    if (!ALLOWED_FIELDS.has(k)) p.add(Object.hasOwn(WIRE, k) ? WIRE[k]! : k, 'is not a known field');
  if (typeof input.requestId !== 'string' || !UUID_PATTERN.test(input.requestId))
    p.add('request_id', 'must be a UUID');
  if (typeof input.modelLabel !== 'string' || input.modelLabel.length < 1 || input.modelLabel.length > 50) {
    p.add('model_label', 'must be a string of 1 to 50 characters');
  }
  if (
    typeof input.bedrockModelId !== 'string' ||
    input.bedrockModelId.length < 1 ||
    input.bedrockModelId.length > 2048
  ) {
    p.add('bedrock_model_id', 'must be a string of 1 to 2048 characters');
  }
  if (
    input.callingRegion !== undefined &&
    (typeof input.callingRegion !== 'string' || !REGION_PATTERN.test(input.callingRegion))
  ) {
    p.add('calling_region', 'must be an AWS region such as us-east-1');
  }
  const inputTokens = tokens(p, input.inputTokens, 'inputTokens', false);
  const outputTokens = tokens(p, input.outputTokens, 'outputTokens', false);
  const cacheRead = tokens(p, input.cacheReadInputTokens, 'cacheReadInputTokens', true);
  const cacheWrite = tokens(p, input.cacheWriteInputTokens, 'cacheWriteInputTokens', true);
  if (input.status !== 'OK' && input.status !== 'ERROR') p.add('status', "must be 'OK' or 'ERROR'");
  const ts = parseIsoInstant(input.timestamp);
  if (!ts) p.add('timestamp', 'must be an ISO 8601 timestamp with a zone, e.g. 2026-01-23T15:30:45Z');
  if (input.tags !== undefined) validateTags(p, input.tags);
  const latency = input.latencyMs as unknown;
  if (
    latency !== undefined &&
    (typeof latency !== 'number' || !Number.isInteger(latency) || latency < 0 || latency > MAX_LATENCY_MS)
  ) {
    p.add('latency_ms', `must be an integer from 0 to ${MAX_LATENCY_MS}`);
  }
  const range = ts ? eventTimeOutOfRange(ts, now) : undefined;
  if (range) p.add('timestamp', 'must be at most 24 hours old and at most 5 minutes in the future');
  if (!p.empty) {
    throw new InvalidRequestError(
      p.list,
      range && p.list.length === 1 ? 'The usage timestamp is outside the accepted range' : undefined,
      range ? { acceptable_range: range } : undefined,
    );
  }
  const valid: ValidUsage = {
    requestId: input.requestId.toLowerCase(),
    modelLabel: input.modelLabel,
    bedrockModelId: input.bedrockModelId,
    inputTokens,
    outputTokens,
    cacheReadInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
    status: input.status,
    timestamp: ts!,
  };
  if (input.callingRegion !== undefined) valid.callingRegion = input.callingRegion;
  if (input.tags !== undefined) valid.tags = { ...input.tags };
  if (input.latencyMs !== undefined) valid.latencyMs = input.latencyMs;
  return valid;
}

function validateTags(p: FieldProblems, tags: unknown): void {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    p.add('tags', 'must be an object of string pairs');
    return;
  }
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) p.add('tags', `must have at most ${MAX_TAGS} entries`);
  for (const [k, v] of entries) {
    if (!TAG_KEY_PATTERN.test(k)) p.add(`tags.${k}`, `key must match ${TAG_KEY_PATTERN}`);
    if (typeof v !== 'string' || v.length > MAX_TAG_VALUE_LENGTH) {
      p.add(`tags.${k}`, `value must be a string of at most ${MAX_TAG_VALUE_LENGTH} characters`);
    }
  }
}

/**
 * The shard of a usage event: 32-bit FNV-1a over the UTF-8 bytes of the lower-cased request id
 * (offset basis 2166136261, prime 16777619), modulo the org's shard count. This is a stable,
 * documented function: every process and release must compute the same shard for the same id.
 */
const utf8 = new TextEncoder();

export function shardFor(requestId: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  const bytes = utf8.encode(requestId.toLowerCase());
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shardCount;
}
