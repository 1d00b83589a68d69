import { type PriceSource } from '../money/pricing.js';
import { type UsageStatus } from './usage-event.js';

/** What one (scope, label, day) counter or total adds up. */
export interface UsageTotals {
  costUsdMicros: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  requests: number;
}

export const ZERO_TOTALS: UsageTotals = Object.freeze({
  costUsdMicros: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadInputTokens: 0,
  cacheWriteInputTokens: 0,
  requests: 0,
});

export function addTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    costUsdMicros: a.costUsdMicros + b.costUsdMicros,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
    requests: a.requests + b.requests,
  };
}

/** Adds `t` into `into` in place (for running sums that never leave their owner uncopied). */
export function addTotalsInto(into: UsageTotals, t: UsageTotals): void {
  into.costUsdMicros += t.costUsdMicros;
  into.inputTokens += t.inputTokens;
  into.outputTokens += t.outputTokens;
  into.cacheReadInputTokens += t.cacheReadInputTokens;
  into.cacheWriteInputTokens += t.cacheWriteInputTokens;
  into.requests += t.requests;
}

/**
 * A usage event as kept: the exactly-once marker (keyed by scope and request id) and the record read by
 * GET .../usage/records and .../usage/export and rolled up by the worker.
 */
export interface UsageRecord extends UsageTotals {
  scopeKey: string;
  requestId: string;
  orgId: string;
  appId: string;
  label: string;
  bedrockModelId: string;
  callingRegion?: string;
  /** The inference profile that priced the event (profile labels). */
  profileArn?: string;
  /** Where the price came from and its version. */
  priceSource: PriceSource;
  priceVersion: string;
  day: string; // YYYY-MM-DD org day
  shard: number;
  status: UsageStatus;
  timestamp: string;
  recordedAt: string;
  tags?: Record<string, string>;
  /** Epoch seconds: readable until then (usage_record_retention_days after recording). */
  retainUntil: number;
  /** Epoch seconds: the record's TTL (the longer of request_ttl_days and the retention). */
  expiresAt: number;
  /** Epoch seconds: the TTL of the shard counter it increments (400 days). */
  counterExpiresAt: number;
}

export type RecordOutcome =
  | { duplicate: false }
  | { duplicate: true; costUsdMicros: number; shard: number; label: string; day: string };

/** One (scope, label, org day): the unit the aggregator sums and totals are kept for. */
export interface CounterGroup {
  scopeKey: string;
  label: string;
  day: string; // YYYY-MM-DD
}

/** The aggregated total of one (scope, label, day). */
export interface DailyTotal extends UsageTotals, CounterGroup {
  updatedAt: string;
  /** Epoch seconds (400 days). */
  expiresAt: number;
}

export const COUNTER_TTL_DAYS = 400;
