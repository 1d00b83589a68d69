import { type ServiceConfig } from '../../model/config/service-config.js';
import {
  DomainError,
  InvalidModelLabelError,
  InvalidRequestError,
  StorageUnavailableError,
} from '../../model/errors.js';
import { costMicros, resolvePrice, type ResolvedPrice } from '../../model/money/pricing.js';
import { type Clock } from '../../ports/clock.port.js';
import { type InferenceProfileResolver } from '../../ports/inference-profile-resolver.port.js';
import { type SpendReader } from '../../ports/spend-reader.port.js';
import { type UsageCounters } from '../../ports/usage-counters.port.js';
import { NO_OBSERVER, type ServiceObserver } from '../../ports/service-observer.port.js';
import { type PriceBook } from '../pricing/price-book.js';
import { quotaPct, type LabelStatus } from '../../model/quota/quota-status.js';
import { assessLabel, lineCovers, linesFor, type LineState } from '../../model/quota/budget-lines.js';
import { lineStatesFrom, periodKeysFor } from '../shared/line-spend.js';
import { CallFlow } from '../shared/call-flow.js';
import { inFlightSpend } from '../../model/quota/quota-status.js';
import { mapLimit } from '../shared/map-limit.js';
import { type AppContext, type TenantConfigCache } from '../tenants/tenant-config.js';
import { epochSecs, isoUtc, orgDay } from '../../model/time/org-time.js';
import { shardFor, validateUsage, type UsageInput, type ValidUsage } from '../../model/usage/usage-event.js';
import { COUNTER_TTL_DAYS, type RecordOutcome, type UsageRecord } from '../../model/usage/usage.entity.js';
import { nearLimit } from '../../model/quota/live-spend.js';
import { UsageSpend } from './usage-spend.js';

export interface UsageResult {
  requestId: string;
  duplicate: boolean;
  shard: number;
  costUsdMicros: number;
  expectedAggregationLagSecs: number;
  quotaStatus: {
    modelLabel: string;
    spendUsdMicros: number;
    quotaUsdMicros: number;
    quotaPct: number;
    /** The worst status of the lines covering the label. EXCEEDED means: exhausted, re-select now. */
    mode: LabelStatus;
    /** True when the spend is live (shard counters), as it is near the quota. */
    live: boolean;
    /** The line binding the label (its daily quota or a budget), the one `mode` comes from. */
    binding: LineState | undefined;
  };
  timestamp: string;
}

export type BatchItemResult =
  | { requestId: string; status: 'accepted' | 'duplicate'; shard: number; costUsdMicros: number }
  | {
      requestId: string;
      status: 'failed';
      error: { code: string; message: string; details?: Record<string, unknown> };
    };

export interface BatchResult {
  accepted: number;
  failed: number;
  duplicates: number;
  results: BatchItemResult[];
  timestamp: string;
}

export const MAX_BATCH_ITEMS = 100;

/**
 * Usage metering: validate, price on the server, count exactly once (through UsageCounters), and
 * answer with the label's quota status. Storage calls: one write, one read.
 */
export interface RecordUsageOptions {
  configs: TenantConfigCache;
  counters: UsageCounters;
  spend: SpendReader;
  prices: PriceBook;
  /** Finds the model behind an inference profile; without it, profile labels use their fallback price. */
  resolver?: InferenceProfileResolver;
  clock: Clock;
  config: ServiceConfig;
  /** What the answer tells clients about the aggregation lag (AGGREGATION_INTERVAL_SECS). */
  aggregationIntervalSecs?: number;
  /** Told the result of every metered event (metrics). */
  observer?: ServiceObserver;
  /** Call lead times and burn rates for the in-flight estimate (shared with SelectModel). */
  flow?: CallFlow;
}

export class RecordUsage {
  private readonly configs: TenantConfigCache;
  private readonly counters: UsageCounters;
  private readonly spend: SpendReader;
  private readonly prices: PriceBook;
  private readonly resolver: InferenceProfileResolver | undefined;
  private readonly clock: Clock;
  private readonly config: ServiceConfig;
  private readonly aggregationIntervalSecs: number;
  private readonly observer: ServiceObserver;
  private readonly usageSpend: UsageSpend;
  private readonly flow: CallFlow;

  constructor(o: RecordUsageOptions) {
    this.flow = o.flow ?? new CallFlow();
    this.configs = o.configs;
    this.counters = o.counters;
    this.spend = o.spend;
    this.prices = o.prices;
    this.resolver = o.resolver;
    this.clock = o.clock;
    this.config = o.config;
    this.aggregationIntervalSecs = o.aggregationIntervalSecs ?? 60;
    this.observer = o.observer ?? NO_OBSERVER;
    this.usageSpend = new UsageSpend(o.spend, this.aggregationIntervalSecs);
  }

  async execute(orgId: string, appId: string, input: UsageInput): Promise<UsageResult> {
    const ctx = await this.configs.appContext(orgId, appId);
    const { record, outcome, latencyMs } = await this.meter(ctx, input);
    const eff = ctx.effective;
    const cost = outcome.duplicate ? outcome.costUsdMicros : record.costUsdMicros;
    const label = outcome.duplicate ? outcome.label : record.label;
    const day = outcome.duplicate ? outcome.day : record.day;
    const now = this.clock.now();
    if (!outcome.duplicate && latencyMs !== undefined) {
      const call = { costUsdMicros: cost, latencyMs, timestamp: new Date(record.timestamp) };
      this.flow.observeCall(eff.scopeKey, label, call, now);
    }
    // The lines covering the label: its daily quota and every budget that covers it.
    const defs = linesFor(eff).filter((d) => lineCovers(d, label));
    // Live shard sums only near a limit (live-spend.ts): far from it the day total is enough.
    const snap = await this.usageSpend.read({
      query: {
        scopeKey: eff.scopeKey,
        day,
        shardCount: eff.aggShardCount,
        withSticky: false,
        periods: periodKeysFor(defs, eff, now),
      },
      label,
      addedUsdMicros: outcome.duplicate ? 0 : cost,
      now,
      near: (daySpend, dayDelta, periods) =>
        nearLimit(
          assessLabel(
            label,
            lineStatesFrom({
              eff,
              defs,
              now,
              daySpend: new Map([[label, daySpend]]),
              dayDelta: new Map([[label, dayDelta]]),
              periods,
            }),
          ).binding,
          eff.tightModeThresholdPct,
        ),
    });
    const quota = eff.quotas[label] ?? 0;
    const total = snap.totals.get(label)?.costUsdMicros ?? 0;
    const aggregated = total + (outcome.duplicate ? 0 : cost);
    const live = snap.live.get(label)?.costUsdMicros ?? aggregated;
    const withLive = new Map([[label, Math.max(aggregated, live)]]);
    // The calls in flight count near a limit (where live spend is read): see quota-status.ts.
    const dayTotal = snap.totals.get(label);
    const inFlight = snap.live.has(label)
      ? this.flow.inFlight(
          eff.scopeKey,
          label,
          dayTotal && { costUsdMicros: total, at: new Date(dayTotal.updatedAt) },
          withLive.get(label)!,
          now,
        )
      : undefined;
    // Far from every limit no live spend was read: the live lines would be the aggregated ones.
    const liveLines = snap.live.has(label)
      ? lineStatesFrom({
          eff,
          defs,
          now,
          daySpend: withLive,
          dayDelta: new Map([[label, withLive.get(label)! - total]]),
          periods: snap.periods,
          inFlight: new Map([[label, inFlightSpend(inFlight)]]),
        })
      : undefined;
    // Near a limit the aggregated totals lag behind: report live spend then.
    const useLive = liveLines !== undefined && assessLabel(label, liveLines).status !== 'NORMAL';
    const spend = useLive ? withLive.get(label)! : aggregated;
    const lines = useLive
      ? liveLines
      : lineStatesFrom({
          eff,
          defs,
          now,
          daySpend: new Map([[label, aggregated]]),
          dayDelta: new Map([[label, aggregated - total]]),
          periods: snap.periods,
        });
    const assessed = assessLabel(label, lines);
    return {
      requestId: record.requestId,
      duplicate: outcome.duplicate,
      shard: outcome.duplicate ? outcome.shard : record.shard,
      costUsdMicros: cost,
      expectedAggregationLagSecs: this.aggregationIntervalSecs,
      quotaStatus: {
        modelLabel: label,
        spendUsdMicros: spend,
        quotaUsdMicros: quota,
        quotaPct: quotaPct(spend, quota),
        mode: assessed.status,
        live: useLive,
        binding: assessed.binding,
      },
      timestamp: isoUtc(now),
    };
  }

  /** 1..100 events; one bad item never fails the others. Storage outages fail the whole batch (resend it). */
  async executeBatch(orgId: string, appId: string, inputs: UsageInput[]): Promise<BatchResult> {
    if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > MAX_BATCH_ITEMS) {
      throw new InvalidRequestError([
        { field: 'requests', message: `must hold 1 to ${MAX_BATCH_ITEMS} usage events` },
      ]);
    }
    const ctx = await this.configs.appContext(orgId, appId);
    const results = await mapLimit(inputs, 10, async (input): Promise<BatchItemResult> => {
      const requestId = typeof input?.requestId === 'string' ? input.requestId.toLowerCase() : '';
      try {
        const { record, outcome } = await this.meter(ctx, input);
        return outcome.duplicate
          ? {
              requestId: record.requestId,
              status: 'duplicate',
              shard: outcome.shard,
              costUsdMicros: outcome.costUsdMicros,
            }
          : {
              requestId: record.requestId,
              status: 'accepted',
              shard: record.shard,
              costUsdMicros: record.costUsdMicros,
            };
      } catch (e) {
        if (e instanceof StorageUnavailableError || !(e instanceof DomainError)) throw e;
        const error: { code: string; message: string; details?: Record<string, unknown> } = {
          code: e.code,
          message: e.message,
        };
        if (e.details) error.details = e.details;
        return { requestId, status: 'failed', error };
      }
    });
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      failed: results.filter((r) => r.status === 'failed').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      results,
      timestamp: isoUtc(this.clock.now()),
    };
  }

  /** Meters one event; the observer is told how it ended (accepted, duplicate, rejected, failed). */
  private async meter(ctx: AppContext, input: UsageInput) {
    const now = this.clock.now();
    const eff = ctx.effective;
    let v: ValidUsage;
    let price: ResolvedPrice;
    let profileArn: string | undefined;
    try {
      v = validateUsage(input, now);
      ({ price, profileArn } = await this.priceOf(ctx, v));
    } catch (e) {
      this.observeFailure(e);
      throw e;
    }
    const day = orgDay(v.timestamp, eff.timezone);
    const cost = costMicros(v, price.price);
    const record: UsageRecord = {
      scopeKey: eff.scopeKey,
      requestId: v.requestId,
      orgId: eff.orgId,
      appId: eff.appId,
      label: v.modelLabel,
      bedrockModelId: v.bedrockModelId,
      day,
      shard: shardFor(v.requestId, eff.aggShardCount),
      status: v.status,
      timestamp: v.timestamp.toISOString(),
      recordedAt: now.toISOString(),
      costUsdMicros: cost,
      inputTokens: v.inputTokens,
      outputTokens: v.outputTokens,
      cacheReadInputTokens: v.cacheReadInputTokens,
      cacheWriteInputTokens: v.cacheWriteInputTokens,
      requests: 1,
      priceSource: price.source,
      priceVersion: price.version,
      retainUntil: epochSecs(now) + this.config.usageRecordRetentionDays * 86400,
      expiresAt:
        epochSecs(now) + Math.max(this.config.requestTtlDays, this.config.usageRecordRetentionDays) * 86400,
      counterExpiresAt: epochSecs(now) + COUNTER_TTL_DAYS * 86400,
    };
    if (v.callingRegion !== undefined) record.callingRegion = v.callingRegion;
    if (profileArn !== undefined) record.profileArn = profileArn;
    if (v.tags !== undefined) record.tags = v.tags;
    let outcome: RecordOutcome;
    try {
      outcome = await this.counters.recordOnce(record);
    } catch (e) {
      this.observeFailure(e);
      throw e;
    }
    this.observer.usageEvents(outcome.duplicate ? 'duplicate' : 'accepted', 1);
    return { record, outcome, latencyMs: v.latencyMs };
  }

  /** An invalid event is `rejected`; one that storage did not take (or a bug) `failed`. */
  private observeFailure(e: unknown): void {
    const invalid = e instanceof DomainError && !(e instanceof StorageUnavailableError);
    this.observer.usageEvents(invalid ? 'rejected' : 'failed', 1);
  }

  /** Server-side price of the event's label (the client never sends a cost). */
  private async priceOf(
    ctx: AppContext,
    v: ValidUsage,
  ): Promise<{ price: ResolvedPrice; profileArn?: string }> {
    const eff = ctx.effective;
    const def = Object.hasOwn(this.config.labels, v.modelLabel)
      ? this.config.labels[v.modelLabel]
      : undefined;
    if (def && eff.modelOrdering.includes(v.modelLabel)) {
      const price = await this.prices.priceFor(
        def.bedrockModelId,
        v.callingRegion ?? this.config.region,
        def.price,
      );
      return { price: price! };
    }
    const profile = ctx.profiles.find((p) => p.profileLabel === v.modelLabel);
    if (!profile) {
      const configured = [
        ...eff.modelOrdering,
        ...ctx.profiles.map((p) => p.profileLabel).filter((l) => !eff.modelOrdering.includes(l)),
      ];
      throw new InvalidModelLabelError(v.modelLabel, configured);
    }
    if (v.callingRegion === undefined) {
      throw new InvalidRequestError([
        { field: 'calling_region', message: 'is required for an inference profile label' },
      ]);
    }
    const fallback = this.config.profileFallbackPrices[v.modelLabel];
    let modelId: string | undefined;
    try {
      modelId = await this.resolver?.modelFor(profile.inferenceProfileArn, v.callingRegion);
    } catch {
      modelId = undefined; // lookup failed: fall back to the label's config price below
    }
    const price = modelId
      ? await this.prices.priceFor(
          modelId,
          v.callingRegion,
          this.prices.configPriceForModel(modelId) ?? fallback,
        )
      : resolvePrice(undefined, undefined, fallback);
    if (!price) {
      throw new InvalidRequestError(
        [
          {
            field: 'model_label',
            message: `cannot price inference profile '${v.modelLabel}' in ${v.callingRegion}`,
          },
        ],
        'The model behind this inference profile could not be priced and no fallback price is configured',
      );
    }
    return { price, profileArn: profile.inferenceProfileArn };
  }
}
