// The client's public option and result types, and the small helpers its parts share.
import { type BreakerOptions } from './breaker.js';
import { type Clock } from './clock.js';
import { type GuidanceRules } from './guidance.js';
import { parseRetryAfter } from './retry.js';
import type { ErrorBodyDto, ModelSelectionDto, SelectionMode, UsageDto } from './wire.js';

export interface CostKeeperClientOptions {
  /** The service, e.g. `https://cost-keeper.example.com` (no trailing slash needed). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  orgId: string;
  appId: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Where time comes from (default: the system clock); every timer goes through it. */
  clock?: Clock;
  /** Queued usage is sent at most this long after it is reported (ms, default 1,000). */
  flushMs?: number;
  /** Events per `/usage/batch` request (1..100, default 100); a full batch is sent at once. */
  batchSize?: number;
  /** Queue bound (default 10,000); events reported beyond it are dropped and counted. */
  maxQueue?: number;
  /** First retry delay (ms, default 500), doubled per failed attempt up to `retryMaxMs` (default 30,000). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Circuit breaker: failures that open it (default 5) and its cool-down (default 30,000 ms). */
  breaker?: BreakerOptions;
  /** Answered (marked stale) when the service is unreachable and no earlier answer is known. */
  defaultModel?: { label: string; bedrockModelId: string };
  /** The re-selection rules (defaults: the documented ones). */
  guidance?: GuidanceRules;
  /** Tokens are renewed this long before they expire (seconds, default 60). */
  tokenLeewaySecs?: number;
  /**
   * When a batch holds an event of the model in use, send one such event alone through `/usage`
   * first: its answer carries quota_status, which drives the TIGHT and EXCEEDED rules (default true).
   */
  usageStatusProbe?: boolean;
  /** New request ids (default: crypto.randomUUID). */
  requestId?: () => string;
  /** Errors of background work (sending usage, re-selecting), which never throw into the app. */
  onError?: (error: unknown) => void;
}

/** A model to call. `stale`: the service could not be asked; this is the last good answer or the default. */
export interface ModelChoice {
  kind: 'model';
  label: string;
  bedrockModelId: string;
  mode: SelectionMode;
  stale: boolean;
  /** Until when the answer holds. */
  expiresAt: Date;
  /** The service's last full answer (quota_status.binding, quota_status.budgets, ...). */
  selection?: ModelSelectionDto;
}

/** Every label is exhausted until `retryAfter`: do not call Bedrock for this app until then. */
export interface QuotaExhausted {
  kind: 'exhausted';
  retryAfter: Date;
  stale: false;
}

export type SelectModelResult = ModelChoice | QuotaExhausted;

export interface UsageEvent {
  /** The label called; looked up from `bedrockModelId` among the selections seen when absent. */
  modelLabel?: string;
  bedrockModelId: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  status?: 'OK' | 'ERROR';
  /** When the Bedrock call happened (default: now). */
  timestamp?: Date | number;
  /** Idempotency key (default: a new UUID). */
  requestId?: string;
  tags?: Record<string, string>;
  /** Required by the service for inference profile labels. */
  callingRegion?: string;
  /**
   * How long the Bedrock call took, ms (Converse: `metrics.latencyMs`). Send it: near a quota the
   * service counts the calls in flight from it and gives a label up before they overrun it.
   */
  latencyMs?: number;
}

export interface ClientStats {
  selections: number;
  forcedSelections: number;
  notModified: number;
  staleAnswers: number;
  /** Events the service accepted (counted), and those it had counted already (a retry). */
  accepted: number;
  duplicates: number;
  /** Events the service refused for good (a 4xx for the event itself). */
  rejected: number;
  /** Events not queued: the queue was full, or the client closed. */
  dropped: number;
  /** Events not queued because their label was unknown. */
  unattributed: number;
  /** Usage requests that failed and will be sent again. */
  retries: number;
  usageRequests: number;
}

export type SendOutcome =
  { kind: 'done'; reselect: boolean } | { kind: 'retry'; retryAfterMs?: number; serviceDown: boolean };

/** A failure worth retrying (network, 5xx, 429). */
export class Transient extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly serviceDown = true,
  ) {
    super(message);
  }
}

export const retryable = (status: number) => status >= 500 || status === 429 || status === 408;
export const TRANSIENT_ITEM_CODES = new Set(['SERVICE_UNAVAILABLE', 'INTERNAL_ERROR', 'RATE_LIMIT_EXCEEDED']);

export function exhausted(until: number): QuotaExhausted {
  return { kind: 'exhausted', retryAfter: new Date(until), stale: false };
}

export function transient(what: string, r: Response, now: number): Transient {
  void r.body?.cancel();
  return new Transient(
    `${what}: ${r.status}`,
    parseRetryAfter(r.headers.get('retry-after'), now),
    r.status !== 429,
  );
}

export async function errorBody(r: Response): Promise<ErrorBodyDto | undefined> {
  try {
    return (await r.json()) as ErrorBodyDto;
  } catch {
    return undefined;
  }
}

/** A reported event as the usage routes take it (`label` and `requestId` already resolved). */
export function usageDto(e: UsageEvent, label: string, requestId: string, timestamp: string): UsageDto {
  const latency = latencyMs(e.latencyMs);
  return {
    request_id: requestId,
    model_label: label,
    bedrock_model_id: e.bedrockModelId,
    input_tokens: e.inputTokens,
    output_tokens: e.outputTokens,
    ...(e.cacheReadInputTokens ? { cache_read_input_tokens: e.cacheReadInputTokens } : {}),
    ...(e.cacheWriteInputTokens ? { cache_write_input_tokens: e.cacheWriteInputTokens } : {}),
    status: e.status ?? 'OK',
    timestamp,
    ...(e.tags ? { tags: e.tags } : {}),
    ...(e.callingRegion ? { calling_region: e.callingRegion } : {}),
    ...(latency !== undefined ? { latency_ms: latency } : {}),
  };
}

/** `latency_ms` as the service takes it: a whole number of ms from 0 to one hour (else not sent). */
function latencyMs(v: number | undefined): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  return Math.min(3_600_000, Math.round(v));
}
