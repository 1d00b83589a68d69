import { type ServiceConfig } from '../../model/config/service-config.js';
import { QuotaExceededError } from '../../model/errors.js';
import { type PriceSource } from '../../model/money/pricing.js';
import { type Clock } from '../../ports/clock.port.js';
import { type SpendReader, type SpendSnapshot } from '../../ports/spend-reader.port.js';
import { type StickyStates } from '../../ports/sticky-states.port.js';
import { type PriceBook } from '../pricing/price-book.js';
import {
  clientGuidance,
  labelStatus,
  quotaPct,
  type ClientGuidance,
  type LabelStatus,
  type Mode,
} from '../../model/quota/quota-status.js';
import { type AppContext, type TenantConfigCache } from '../tenants/tenant-config.js';
import { type EffectiveConfig, type QuotaScope } from '../../model/tenants/tenant.entity.js';
import { dayKey, isoUtc, nextLocalMidnight, orgDay, orgLocalTime } from '../../model/time/org-time.js';
import { decideModel, stickyStateFor, type SelectionReason } from '../../model/selection/model-selection.js';

export interface ModelStatus {
  spendUsdMicros: number;
  quotaUsdMicros: number;
  quotaPct: number;
  status: LabelStatus;
}

export interface ModelSelection {
  orgId: string;
  appId: string;
  recommended: { label: string; bedrockModelId: string; reason: SelectionReason; description: string };
  quotaStatus: {
    scope: QuotaScope;
    mode: Mode;
    currentModel: string;
    spendUsdMicros: number;
    quotaUsdMicros: number;
    quotaPct: number;
    stickyFallbackActive: boolean;
    modelsStatus: Record<string, ModelStatus>;
  };
  pricing: {
    inputPricePerMillion: number;
    outputPricePerMillion: number;
    version: string;
    source: PriceSource;
  };
  guidance: ClientGuidance;
  checkedAt: string;
  /** YYYYMMDD */
  orgDay: string;
  orgLocalTime: string;
  /** True when live spend (shard counters) was read for at least one label. */
  usedLiveSpend: boolean;
}

/** Selection reads live spend from this many percentage points below the TIGHT threshold. */
export const LIVE_READ_MARGIN_PCT = 10;

/** The sticky state expires one hour after the next local midnight. */

/**
 * Model selection. Reads totals and the sticky state in one storage call; when the label it would
 * recommend is TIGHT it reads live spend (the shard counters) in a second call, so an exhausted label
 * is seen before the aggregator catches up. `forceCheck` reads live spend for every label at once.
 */
export class SelectModel {
  constructor(
    private readonly configs: TenantConfigCache,
    private readonly spend: SpendReader,
    private readonly sticky: StickyStates,
    private readonly prices: PriceBook,
    private readonly clock: Clock,
    private readonly config: ServiceConfig,
  ) {}

  async execute(orgId: string, appId: string, opts: { forceCheck?: boolean } = {}): Promise<ModelSelection> {
    const ctx = await this.configs.appContext(orgId, appId);
    const eff = ctx.effective;
    const now = this.clock.now();
    const day = orgDay(now, eff.timezone);
    const ordering = eff.modelOrdering;
    const snapshot = await this.spend.read(
      {
        scopeKey: eff.scopeKey,
        day,
        totalsFor: ordering,
        liveFor: opts.forceCheck ? ordering : [],
        shardCount: eff.aggShardCount,
        withSticky: eff.stickyFallbackEnabled,
      },
      now,
    );
    const spendOf = new Map<string, number>();
    for (const label of ordering) {
      const live = snapshot.live.get(label)?.costUsdMicros;
      const total = snapshot.totals.get(label)?.costUsdMicros ?? 0;
      spendOf.set(label, live === undefined ? total : Math.max(live, total));
    }
    let usedLive = !!opts.forceCheck;
    let decision = this.decide(eff, spendOf, snapshot.sticky);
    if (!opts.forceCheck && decision.kind === 'recommend' && this.nearQuota(eff, spendOf, decision.label)) {
      // Near the quota the aggregated total may lag: read live spend from here on and decide again.
      const liveFor = ordering.slice(decision.index);
      const live = await this.spend.read(
        {
          scopeKey: eff.scopeKey,
          day,
          totalsFor: [],
          liveFor,
          shardCount: eff.aggShardCount,
          withSticky: false,
        },
        now,
      );
      for (const label of liveFor) {
        spendOf.set(label, Math.max(spendOf.get(label) ?? 0, live.live.get(label)?.costUsdMicros ?? 0));
      }
      usedLive = true;
      decision = this.decide(eff, spendOf, snapshot.sticky);
    }
    const modelsStatus: Record<string, ModelStatus> = {};
    for (const label of ordering) {
      const s = spendOf.get(label)!;
      const q = eff.quotas[label]!;
      modelsStatus[label] = {
        spendUsdMicros: s,
        quotaUsdMicros: q,
        quotaPct: quotaPct(s, q),
        status: this.status(eff, spendOf, label),
      };
    }
    if (decision.kind === 'all-exceeded') {
      const models: Record<string, { quota_pct: number; exceeded: boolean }> = {};
      let overage = 0;
      for (const label of ordering) {
        const m = modelsStatus[label]!;
        models[label] = { quota_pct: m.quotaPct, exceeded: m.status === 'EXCEEDED' };
        overage += Math.max(0, m.spendUsdMicros - m.quotaUsdMicros);
      }
      throw new QuotaExceededError(isoUtc(nextLocalMidnight(now, eff.timezone)), {
        org_id: eff.orgId,
        app_id: eff.appId,
        date: day,
        models,
        total_overage_usd_micros: overage,
      });
    }
    if (decision.advanceStickyTo) {
      // Conditional and forward-only: losing to a further-advanced state is fine, the next check sees it.
      await this.sticky.advance(
        stickyStateFor(eff.scopeKey, day, decision.advanceStickyTo, now, eff.timezone),
        now,
      );
    }
    const label = decision.label;
    const current = modelsStatus[label]!;
    const mode: Mode = current.status === 'TIGHT' ? 'TIGHT' : 'NORMAL';
    const target = this.modelOf(ctx, label);
    const price = await this.prices.priceFor(target.bedrockModelId, this.config.region, target.fallback);
    return {
      orgId: eff.orgId,
      appId: eff.appId,
      recommended: {
        label,
        bedrockModelId: target.bedrockModelId,
        reason: decision.reason,
        description: target.description,
      },
      quotaStatus: {
        scope: eff.quotaScope,
        mode,
        currentModel: label,
        spendUsdMicros: current.spendUsdMicros,
        quotaUsdMicros: current.quotaUsdMicros,
        quotaPct: current.quotaPct,
        stickyFallbackActive: decision.stickyActive,
        modelsStatus,
      },
      pricing: {
        inputPricePerMillion: price?.price.inputPerMillion ?? 0,
        outputPricePerMillion: price?.price.outputPerMillion ?? 0,
        version: price?.version ?? 'unpriced',
        source: price?.source ?? 'CONFIG_FALLBACK',
      },
      guidance: clientGuidance(mode, eff),
      checkedAt: isoUtc(now),
      orgDay: dayKey(day),
      orgLocalTime: orgLocalTime(now, eff.timezone),
      usedLiveSpend: usedLive,
    };
  }

  /**
   * TIGHT, or within LIVE_READ_MARGIN_PCT points below the TIGHT threshold by the aggregated total:
   * the total lags by up to one aggregation interval, so live spend decides near the quota.
   */
  private nearQuota(eff: EffectiveConfig, spendOf: Map<string, number>, label: string): boolean {
    const quota = eff.quotas[label] ?? 0;
    const margin = Math.max(0, eff.tightModeThresholdPct - LIVE_READ_MARGIN_PCT);
    return BigInt(spendOf.get(label) ?? 0) * 100n >= BigInt(margin) * BigInt(quota);
  }

  private status(eff: EffectiveConfig, spendOf: Map<string, number>, label: string): LabelStatus {
    return labelStatus(spendOf.get(label) ?? 0, eff.quotas[label] ?? 0, eff.tightModeThresholdPct);
  }

  private decide(eff: EffectiveConfig, spendOf: Map<string, number>, sticky: SpendSnapshot['sticky']) {
    const statuses: Record<string, LabelStatus> = {};
    for (const label of eff.modelOrdering) statuses[label] = this.status(eff, spendOf, label);
    return decideModel({
      ordering: eff.modelOrdering,
      statuses,
      stickyEnabled: eff.stickyFallbackEnabled,
      sticky,
    });
  }

  /** What the app should call for a label: the config model, or the inference profile ARN. */
  private modelOf(ctx: AppContext, label: string) {
    const def = this.config.labels[label];
    if (def) return { bedrockModelId: def.bedrockModelId, description: def.description, fallback: def.price };
    const profile = ctx.profiles.find((p) => p.profileLabel === label);
    return {
      bedrockModelId: profile?.inferenceProfileArn ?? label,
      description: profile?.description ?? `Inference profile ${label}`,
      fallback: this.config.profileFallbackPrices[label],
    };
  }
}
