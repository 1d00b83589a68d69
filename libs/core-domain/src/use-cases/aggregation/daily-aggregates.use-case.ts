import { type ServiceConfig } from '../../model/config/service-config.js';
import { FieldProblems, InvalidRequestError, NotFoundError } from '../../model/errors.js';
import { type Clock } from '../../ports/clock.port.js';
import { type DailyTotals } from '../../ports/daily-totals.port.js';
import { type SpendReader } from '../../ports/spend-reader.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';
import { labelStatus, quotaPct, type LabelStatus } from '../../model/quota/quota-status.js';
import { assessSelection } from '../../model/selection/model-selection.js';
import { linesFor } from '../../model/quota/budget-lines.js';
import { lineStatesFrom, periodKeysFor } from '../shared/line-spend.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';
import {
  resolveEffectiveConfig,
  scopeKeyFor,
  type EffectiveConfig,
  type Org,
  type QuotaScope,
} from '../../model/tenants/tenant.entity.js';
import { isValidDay, nextLocalMidnight, orgDay, startOfOrgDay } from '../../model/time/org-time.js';
import { addTotals, ZERO_TOTALS, type DailyTotal, type UsageTotals } from '../../model/usage/usage.entity.js';

export interface LabelAggregate extends UsageTotals {
  label: string;
  bedrockModelId: string;
  quotaUsdMicros: number;
  quotaPct: number;
  quotaStatus: LabelStatus;
  averageCostPerRequest: number;
}

export interface DailyAggregates {
  orgId: string;
  appId?: string;
  appName?: string;
  date: string;
  timezone: string;
  quotaScope: QuotaScope;
  models: Record<string, LabelAggregate>;
  totalCostUsdMicros: number;
  totalQuotaUsdMicros: number;
  totalQuotaPct: number;
  stickyFallbackActive: boolean;
  /** The label a selection would recommend now from these totals; null when all are exhausted or not meaningful. */
  currentActiveModel: string | null;
  /** Latest aggregation time among the totals; null when there is no data. */
  updatedAt: string | null;
  /** APP-scoped orgs, org view: per-app cost and requests. */
  apps?: Record<string, { costUsdMicros: number; requests: number }>;
}

/**
 * Daily totals per label for an org or an app (at most two storage calls; configs cached).
 * `date` is `today` (always answers) or `YYYY-MM-DD` (400 malformed or future, 404 no data).
 */
export interface GetDailyAggregatesOptions {
  configs: TenantConfigCache;
  tenants: TenantDirectory;
  spend: SpendReader;
  totals: DailyTotals;
  clock: Clock;
  config: ServiceConfig;
}

export class GetDailyAggregates {
  private readonly configs: TenantConfigCache;
  private readonly tenants: TenantDirectory;
  private readonly spend: SpendReader;
  private readonly totals: DailyTotals;
  private readonly clock: Clock;
  private readonly config: ServiceConfig;

  constructor(o: GetDailyAggregatesOptions) {
    this.configs = o.configs;
    this.tenants = o.tenants;
    this.spend = o.spend;
    this.totals = o.totals;
    this.clock = o.clock;
    this.config = o.config;
  }

  async forOrg(orgId: string, date: string): Promise<DailyAggregates> {
    const org = await this.configs.org(orgId);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    const { day, today } = this.day(date, org.timezone);
    if (org.quotaScope === 'ORG') {
      return this.forScope(org, resolveEffectiveConfig(org), day, today);
    }
    // APP scope: the org view sums the apps (one listing, one read of every app's totals).
    const apps = await this.tenants.listApps(orgId);
    const scopes = apps.map((a) => scopeKeyFor('APP', orgId, a.appId));
    const byScope = scopes.length
      ? await this.totals.forScopesDay(scopes, day)
      : new Map<string, DailyTotal[]>();
    const labels = new Set(org.modelOrdering);
    const sums = new Map<string, UsageTotals>();
    const quotas = new Map<string, number>();
    const perApp: Record<string, { costUsdMicros: number; requests: number }> = {};
    let latest: string | null = null;
    for (const app of apps) {
      const eff = resolveEffectiveConfig(org, app);
      for (const label of eff.modelOrdering) {
        labels.add(label);
        quotas.set(label, (quotas.get(label) ?? 0) + (eff.quotas[label] ?? 0));
      }
      const list = byScope.get(scopeKeyFor('APP', orgId, app.appId)) ?? [];
      perApp[app.appId] = { costUsdMicros: 0, requests: 0 };
      for (const t of list) {
        labels.add(t.label);
        sums.set(t.label, addTotals(sums.get(t.label) ?? ZERO_TOTALS, t));
        perApp[app.appId]!.costUsdMicros += t.costUsdMicros;
        perApp[app.appId]!.requests += t.requests;
        if (latest === null || t.updatedAt > latest) latest = t.updatedAt;
      }
    }
    if (!today && latest === null) throw new NotFoundError(`No usage data for ${day}`);
    const threshold = org.settings.tightModeThresholdPct;
    const models: Record<string, LabelAggregate> = {};
    for (const label of labels) {
      models[label] = this.labelAggregate(
        label,
        sums.get(label) ?? ZERO_TOTALS,
        quotas.get(label) ?? org.quotas[label] ?? 0,
        threshold,
      );
    }
    return {
      ...this.summary(org, day, models, latest),
      stickyFallbackActive: false,
      currentActiveModel: null,
      apps: perApp,
    };
  }

  async forApp(orgId: string, appId: string, date: string): Promise<DailyAggregates> {
    const ctx = await this.configs.appContext(orgId, appId);
    const { day, today } = this.day(date, ctx.org.timezone);
    const view = await this.forScope(ctx.org, ctx.effective, day, today);
    return { ...view, appId, appName: ctx.app.appName };
  }

  private async forScope(
    org: Org,
    eff: EffectiveConfig,
    day: string,
    today: boolean,
  ): Promise<DailyAggregates> {
    const now = this.clock.now();
    const defs = today ? linesFor(eff) : [];
    const snap = await this.spend.read(
      {
        scopeKey: eff.scopeKey,
        day,
        totalsFor: eff.modelOrdering,
        liveFor: [],
        shardCount: eff.aggShardCount,
        withSticky: eff.stickyFallbackEnabled,
        periods: periodKeysFor(defs, eff, now),
      },
      now,
    );
    let latest: string | null = null;
    const models: Record<string, LabelAggregate> = {};
    const daySpend = new Map<string, number>();
    for (const label of eff.modelOrdering) {
      const t = snap.totals.get(label);
      if (t && (latest === null || t.updatedAt > latest)) latest = t.updatedAt;
      models[label] = this.labelAggregate(
        label,
        t ?? ZERO_TOTALS,
        eff.quotas[label] ?? 0,
        eff.tightModeThresholdPct,
      );
      daySpend.set(label, models[label]!.costUsdMicros);
    }
    if (!today && latest === null && !snap.sticky) throw new NotFoundError(`No usage data for ${day}`);
    // The model a selection would recommend now (today, budgets included); for a past day, by its
    // daily quotas and sticky state.
    const lines = lineStatesFrom({
      eff,
      defs: today ? defs : linesFor(eff).filter((d) => d.source === 'QUOTA'),
      now: today ? now : startOfOrgDay(day, eff.timezone),
      daySpend,
      dayDelta: new Map(),
      periods: snap.periods,
    });
    const { decision } = assessSelection({
      ordering: eff.modelOrdering,
      lines,
      stickyEnabled: eff.stickyFallbackEnabled,
      sticky: snap.sticky,
      dayEnd: nextLocalMidnight(now, eff.timezone),
    });
    return {
      ...this.summary(org, day, models, latest),
      stickyFallbackActive: eff.stickyFallbackEnabled && !!snap.sticky,
      currentActiveModel: decision.kind === 'recommend' ? decision.label : null,
    };
  }

  private summary(org: Org, day: string, models: Record<string, LabelAggregate>, latest: string | null) {
    let cost = 0;
    let quota = 0;
    for (const m of Object.values(models)) {
      cost += m.costUsdMicros;
      quota += m.quotaUsdMicros;
    }
    return {
      orgId: org.orgId,
      date: day,
      timezone: org.timezone,
      quotaScope: org.quotaScope,
      models,
      totalCostUsdMicros: cost,
      totalQuotaUsdMicros: quota,
      totalQuotaPct: quotaPct(cost, quota),
      updatedAt: latest,
    };
  }

  private labelAggregate(label: string, t: UsageTotals, quota: number, threshold: number): LabelAggregate {
    return {
      label,
      bedrockModelId: this.config.labels[label]?.bedrockModelId ?? label,
      costUsdMicros: t.costUsdMicros,
      inputTokens: t.inputTokens,
      outputTokens: t.outputTokens,
      cacheReadInputTokens: t.cacheReadInputTokens,
      cacheWriteInputTokens: t.cacheWriteInputTokens,
      requests: t.requests,
      quotaUsdMicros: quota,
      quotaPct: quotaPct(t.costUsdMicros, quota),
      quotaStatus: labelStatus(t.costUsdMicros, quota, threshold),
      averageCostPerRequest: t.requests ? Math.round(t.costUsdMicros / t.requests) : 0,
    };
  }

  /** `today` or a past/present `YYYY-MM-DD` in the org's timezone. */
  private day(date: string, tz: string): { day: string; today: boolean } {
    const today = orgDay(this.clock.now(), tz);
    if (date === 'today') return { day: today, today: true };
    if (!isValidDay(date)) {
      throw new InvalidRequestError(
        [{ field: 'date', message: "must be 'today' or a date written YYYY-MM-DD" }],
        'The date is malformed',
        {
          expected_format: 'YYYY-MM-DD',
        },
      );
    }
    if (date > today) {
      const p = new FieldProblems();
      p.add('date', `must not be after the org's today (${today})`);
      p.throwIfAny('The date is in the future');
    }
    return { day: date, today: date === today };
  }
}
