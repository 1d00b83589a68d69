import { type ServiceConfig } from '../../model/config/service-config.js';
import { QuotaExceededError } from '../../model/errors.js';
import { type PriceSource } from '../../model/money/pricing.js';
import { type Clock } from '../../ports/clock.port.js';
import { type SpendReader, type SpendSnapshot } from '../../ports/spend-reader.port.js';
import { type StickyStates } from '../../ports/sticky-states.port.js';
import { type PriceBook } from '../pricing/price-book.js';
import {
  clientGuidance,
  inFlightSpend,
  quotaPct,
  secsToCutover,
  secsToTight,
  type InFlight,
  type ClientGuidance,
  type LabelStatus,
  type Mode,
} from '../../model/quota/quota-status.js';
import { type AppContext, type TenantConfigCache } from '../tenants/tenant-config.js';
import { type EffectiveConfig, type QuotaScope } from '../../model/tenants/tenant.entity.js';
import { dayKey, isoUtc, nextLocalMidnight, orgDay, orgLocalTime } from '../../model/time/org-time.js';
import {
  assessSelection,
  stickyStateFor,
  type SelectionAssessment,
  type SelectionReason,
} from '../../model/selection/model-selection.js';
import { linesFor, type LineDef, type LineState } from '../../model/quota/budget-lines.js';
import { lineStatesFrom, periodKeysFor } from '../shared/line-spend.js';
import { nearLimit } from '../../model/quota/live-spend.js';
import { CallFlow } from '../shared/call-flow.js';

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
    /** The line that binds the recommended label (highest pct of its covering lines). */
    binding: LineState | undefined;
    /** Every line of the scope (daily quotas and budgets) with its current period and status. */
    lines: LineState[];
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

export interface SelectModelOptions {
  configs: TenantConfigCache;
  spend: SpendReader;
  sticky: StickyStates;
  prices: PriceBook;
  clock: Clock;
  config: ServiceConfig;
  /** Call lead times and burn rates for the in-flight estimate (shared with RecordUsage). */
  flow?: CallFlow;
}

/**
 * Model selection. Reads day totals, period totals (budgets) and the sticky state in one storage
 * call; when the line binding the label it would recommend is near its limit it reads live spend
 * (the shard counters) in a second call, so an exhausted label is seen before the aggregator catches
 * up. `forceCheck` reads live spend for every label at once.
 */
export class SelectModel {
  private readonly flow: CallFlow;

  constructor(private readonly o: SelectModelOptions) {
    this.flow = o.flow ?? new CallFlow();
  }

  async execute(orgId: string, appId: string, opts: { forceCheck?: boolean } = {}): Promise<ModelSelection> {
    const ctx = await this.o.configs.appContext(orgId, appId);
    const eff = ctx.effective;
    const now = this.o.clock.now();
    const day = orgDay(now, eff.timezone);
    const ordering = eff.modelOrdering;
    const defs = linesFor(eff);
    const snapshot = await this.o.spend.read(
      {
        scopeKey: eff.scopeKey,
        day,
        totalsFor: ordering,
        liveFor: opts.forceCheck ? ordering : [],
        shardCount: eff.aggShardCount,
        withSticky: eff.stickyFallbackEnabled,
        periods: periodKeysFor(defs, eff, now),
      },
      now,
    );
    const aggregated = new Map<string, number>();
    const daySpend = new Map<string, number>();
    for (const label of ordering) {
      const total = snapshot.totals.get(label)?.costUsdMicros ?? 0;
      const live = snapshot.live.get(label)?.costUsdMicros;
      aggregated.set(label, total);
      daySpend.set(label, live === undefined ? total : Math.max(live, total));
    }
    // The calls in flight on the labels whose live spend is read (quota-status.ts, InFlight).
    const inFlight = new Map<string, InFlight>();
    const estimate = (labels: readonly string[]) => {
      for (const label of labels) {
        const t = snapshot.totals.get(label);
        const at = t && { costUsdMicros: t.costUsdMicros, at: new Date(t.updatedAt) };
        const f = this.flow.inFlight(eff.scopeKey, label, at, daySpend.get(label)!, now);
        if (f) inFlight.set(label, f);
      }
    };
    if (opts.forceCheck) estimate(ordering);
    let usedLive = !!opts.forceCheck;
    let view = this.assess(eff, defs, now, aggregated, daySpend, snapshot, inFlight);
    const first = view.assessment.decision;
    if (!opts.forceCheck && first.kind === 'recommend' && this.nearLimit(eff, view.assessment, first.label)) {
      // Near a limit the aggregated totals may lag: read live spend from here on and decide again.
      const liveFor = ordering.slice(first.index);
      const live = await this.o.spend.read(
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
        daySpend.set(label, Math.max(daySpend.get(label) ?? 0, live.live.get(label)?.costUsdMicros ?? 0));
      }
      estimate(liveFor);
      usedLive = true;
      view = this.assess(eff, defs, now, aggregated, daySpend, snapshot, inFlight);
    }
    const { assessment, lines } = view;
    const modelsStatus: Record<string, ModelStatus> = {};
    for (const label of ordering) {
      const s = daySpend.get(label)!;
      const q = eff.quotas[label]!;
      modelsStatus[label] = {
        spendUsdMicros: s,
        quotaUsdMicros: q,
        quotaPct: quotaPct(s, q),
        status: assessment.labels[label]!.status,
      };
    }
    const decision = assessment.decision;
    if (decision.kind === 'all-exceeded') {
      const models: Record<string, { quota_pct: number; exceeded: boolean }> = {};
      let overage = 0;
      for (const label of ordering) {
        const m = modelsStatus[label]!;
        models[label] = { quota_pct: m.quotaPct, exceeded: m.status === 'EXCEEDED' };
        overage += Math.max(0, m.spendUsdMicros - m.quotaUsdMicros);
      }
      throw new QuotaExceededError(isoUtc(assessment.retryAfter!), {
        org_id: eff.orgId,
        app_id: eff.appId,
        date: day,
        models,
        total_overage_usd_micros: overage,
      });
    }
    if (decision.advanceStickyTo) {
      // Conditional and forward-only: losing to a further-advanced state is fine, the next check sees it.
      await this.o.sticky.advance(
        stickyStateFor(eff.scopeKey, day, decision.advanceStickyTo, now, eff.timezone),
        now,
      );
    }
    const label = decision.label;
    const current = modelsStatus[label]!;
    const mode: Mode = current.status === 'TIGHT' ? 'TIGHT' : 'NORMAL';
    const target = this.modelOf(ctx, label);
    const price = await this.o.prices.priceFor(target.bedrockModelId, this.o.config.region, target.fallback);
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
        binding: assessment.labels[label]!.binding,
        lines,
      },
      pricing: {
        inputPricePerMillion: price?.price.inputPerMillion ?? 0,
        outputPricePerMillion: price?.price.outputPerMillion ?? 0,
        version: price?.version ?? 'unpriced',
        source: price?.source ?? 'CONFIG_FALLBACK',
      },
      guidance: clientGuidance(
        mode,
        eff,
        this.cutoverIn(assessment, label, inFlight.get(label)),
        this.tightIn(eff, assessment, label, inFlight.get(label)),
      ),
      checkedAt: isoUtc(now),
      orgDay: dayKey(day),
      orgLocalTime: orgLocalTime(now, eff.timezone),
      usedLiveSpend: usedLive,
    };
  }

  /** Lines and the decision from the spend known so far (the one rule of model-selection.ts). */
  private assess(
    eff: EffectiveConfig,
    defs: LineDef[],
    now: Date,
    aggregated: Map<string, number>,
    daySpend: Map<string, number>,
    snapshot: SpendSnapshot,
    inFlight: ReadonlyMap<string, InFlight>,
  ): { lines: LineState[]; assessment: SelectionAssessment } {
    const dayDelta = new Map<string, number>();
    for (const [label, s] of daySpend) dayDelta.set(label, Math.max(0, s - (aggregated.get(label) ?? 0)));
    const inFlightSpends = new Map([...inFlight].map(([label, f]) => [label, inFlightSpend(f)]));
    const lines = lineStatesFrom({
      eff,
      defs,
      now,
      daySpend,
      dayDelta,
      periods: snapshot.periods,
      inFlight: inFlightSpends,
    });
    const assessment = assessSelection({
      ordering: eff.modelOrdering,
      lines,
      stickyEnabled: eff.stickyFallbackEnabled,
      sticky: snapshot.sticky,
      dayEnd: nextLocalMidnight(now, eff.timezone),
    });
    return { lines, assessment };
  }

  /** Seconds until the recommended label's binding line is predicted to turn EXCEEDED (calls in flight included). */
  private cutoverIn(assessment: SelectionAssessment, label: string, f: InFlight | undefined) {
    const line = assessment.labels[label]?.binding;
    return line ? secsToCutover(line.spendUsdMicros, line.limitUsdMicros, f) : undefined;
  }

  /** Seconds until the recommended label's binding line is predicted to turn TIGHT (at the live burn rate). */
  private tightIn(
    eff: EffectiveConfig,
    assessment: SelectionAssessment,
    label: string,
    f: InFlight | undefined,
  ) {
    const line = assessment.labels[label]?.binding;
    return line
      ? secsToTight(line.spendUsdMicros, line.limitUsdMicros, eff.tightModeThresholdPct, f)
      : undefined;
  }

  /**
   * The line binding the label is TIGHT, or within LIVE_READ_MARGIN_PCT points below the TIGHT
   * threshold: the aggregated totals lag by up to one aggregation interval, so live spend decides
   * near a limit.
   */
  private nearLimit(eff: EffectiveConfig, assessment: SelectionAssessment, label: string): boolean {
    return nearLimit(assessment.labels[label]?.binding, eff.tightModeThresholdPct);
  }

  /** What the app should call for a label: the config model, or the inference profile ARN. */
  private modelOf(ctx: AppContext, label: string) {
    const def = this.o.config.labels[label];
    if (def) return { bedrockModelId: def.bedrockModelId, description: def.description, fallback: def.price };
    const profile = ctx.profiles.find((p) => p.profileLabel === label);
    return {
      bedrockModelId: profile?.inferenceProfileArn ?? label,
      description: profile?.description ?? `Inference profile ${label}`,
      fallback: this.o.config.profileFallbackPrices[label],
    };
  }
}
