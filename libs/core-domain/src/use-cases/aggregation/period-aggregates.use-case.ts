import { type ServiceConfig } from '../../model/config/service-config.js';
import { InvalidRequestError, NotFoundError } from '../../model/errors.js';
import { labelStatus, quotaPct } from '../../model/quota/quota-status.js';
import {
  orgSpendScopeKey,
  resolveEffectiveConfig,
  scopeKeyFor,
  type EffectiveConfig,
  type Org,
} from '../../model/tenants/tenant.entity.js';
import {
  daysOf,
  parsePeriodStart,
  periodOfDay,
  WINDOW_KINDS,
  type BudgetPeriod,
  type WindowKind,
} from '../../model/time/budget-window.js';
import { ALL_LABELS, periodTotalId, type PeriodTotalKey } from '../../model/usage/period-total.js';
import { ZERO_TOTALS, type UsageTotals } from '../../model/usage/usage.entity.js';
import { type Clock } from '../../ports/clock.port.js';
import { type PeriodTotals } from '../../ports/period-totals.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';
import {
  type DailyAggregates,
  type GetDailyAggregates,
  type LabelAggregate,
} from './daily-aggregates.use-case.js';

export interface PeriodAggregates extends DailyAggregates {
  period: { key: string; start: Date; end: Date; kind: WindowKind };
}

export interface GetPeriodAggregatesOptions {
  configs: TenantConfigCache;
  tenants: TenantDirectory;
  periodTotals: PeriodTotals;
  daily: GetDailyAggregates;
  clock: Clock;
  config: ServiceConfig;
}

/**
 * Aggregates for a whole period (`/aggregates/periods/{window}/{start}`): a day is the day view; a
 * week or a month sums its period totals per label. A label's quota for a period is the budget with
 * that window and label when there is one, else its daily quota times the period's days. At most two
 * storage calls (the APP-scope org view lists its apps first).
 */
export class GetPeriodAggregates {
  constructor(private readonly o: GetPeriodAggregatesOptions) {}

  async forOrg(orgId: string, window: string, start: string): Promise<PeriodAggregates> {
    const org = await this.o.configs.org(orgId);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    const { kind, period } = this.period(org, window, start);
    if (kind === 'DAY')
      return { ...(await this.o.daily.forOrg(orgId, period.firstDay)), period: view(period) };
    const eff = resolveEffectiveConfig(org);
    const rollup = orgSpendScopeKey(orgId);
    const labels = new Set(org.modelOrdering);
    const quotas = new Map<string, number>();
    const appScopes: Array<{ appId: string; scopeKey: string }> = [];
    if (org.quotaScope === 'APP') {
      for (const app of await this.o.tenants.listApps(orgId)) {
        const appEff = resolveEffectiveConfig(org, app);
        appScopes.push({ appId: app.appId, scopeKey: scopeKeyFor('APP', orgId, app.appId) });
        for (const label of appEff.modelOrdering) {
          labels.add(label);
          quotas.set(label, (quotas.get(label) ?? 0) + (appEff.quotas[label] ?? 0));
        }
      }
    } else {
      for (const label of org.modelOrdering) quotas.set(label, org.quotas[label] ?? 0);
    }
    const keys: PeriodTotalKey[] = [...labels].map((label) => ({
      scopeKey: rollup,
      periodKey: period.key,
      label,
    }));
    for (const a of appScopes) keys.push({ scopeKey: a.scopeKey, periodKey: period.key, label: ALL_LABELS });
    const got = await this.o.periodTotals.get(keys, this.o.clock.now());
    const result = this.body(org, eff, period, [...labels], rollup, quotas, got);
    if (org.quotaScope === 'APP') {
      result.apps = {};
      for (const a of appScopes) {
        const t = got.get(periodTotalId({ scopeKey: a.scopeKey, periodKey: period.key, label: ALL_LABELS }));
        result.apps[a.appId] = { costUsdMicros: t?.costUsdMicros ?? 0, requests: t?.requests ?? 0 };
      }
    }
    return result;
  }

  async forApp(orgId: string, appId: string, window: string, start: string): Promise<PeriodAggregates> {
    const ctx = await this.o.configs.appContext(orgId, appId);
    const { kind, period } = this.period(ctx.org, window, start);
    if (kind === 'DAY') {
      return { ...(await this.o.daily.forApp(orgId, appId, period.firstDay)), period: view(period) };
    }
    const eff = ctx.effective;
    const quotas = new Map<string, number>();
    for (const label of eff.modelOrdering) quotas.set(label, eff.quotas[label] ?? 0);
    const keys = eff.modelOrdering.map((label) => ({ scopeKey: eff.scopeKey, periodKey: period.key, label }));
    const got = await this.o.periodTotals.get(keys, this.o.clock.now());
    const result = this.body(ctx.org, eff, period, eff.modelOrdering, eff.scopeKey, quotas, got);
    return { ...result, appId, appName: ctx.app.appName };
  }

  private body(
    org: Org,
    eff: EffectiveConfig,
    period: BudgetPeriod,
    labels: string[],
    scopeKey: string,
    dailyQuotas: Map<string, number>,
    got: Map<string, UsageTotals & { updatedAt: string }>,
  ): PeriodAggregates {
    const now = this.o.clock.now();
    const current = period.start <= now && now < period.end;
    const days = daysOf(period).length;
    const budgets = [...eff.orgBudgets, ...eff.appBudgets].filter((b) => b.window === period.kind);
    const models: Record<string, LabelAggregate> = {};
    let latest: string | null = null;
    let cost = 0;
    let quotaSum = 0;
    for (const label of labels) {
      const t = got.get(periodTotalId({ scopeKey, periodKey: period.key, label }));
      if (t && (latest === null || t.updatedAt > latest)) latest = t.updatedAt;
      const totals = t ?? ZERO_TOTALS;
      const budget = budgets.find((b) => b.label === label);
      const quota = budget ? budget.limitUsdMicros : (dailyQuotas.get(label) ?? 0) * days;
      cost += totals.costUsdMicros;
      quotaSum += quota;
      models[label] = {
        label,
        bedrockModelId: this.o.config.labels[label]?.bedrockModelId ?? label,
        costUsdMicros: totals.costUsdMicros,
        inputTokens: totals.inputTokens,
        outputTokens: totals.outputTokens,
        cacheReadInputTokens: totals.cacheReadInputTokens,
        cacheWriteInputTokens: totals.cacheWriteInputTokens,
        requests: totals.requests,
        quotaUsdMicros: quota,
        quotaPct: quotaPct(totals.costUsdMicros, quota),
        quotaStatus: labelStatus(totals.costUsdMicros, quota, eff.tightModeThresholdPct),
        averageCostPerRequest: totals.requests ? Math.round(totals.costUsdMicros / totals.requests) : 0,
      };
    }
    if (!current && latest === null) throw new NotFoundError(`No usage data for ${period.key}`);
    return {
      orgId: org.orgId,
      date: period.firstDay,
      timezone: org.timezone,
      quotaScope: org.quotaScope,
      models,
      totalCostUsdMicros: cost,
      totalQuotaUsdMicros: quotaSum,
      totalQuotaPct: quotaPct(cost, quotaSum),
      stickyFallbackActive: false,
      currentActiveModel: null,
      updatedAt: latest,
      period: view(period),
    };
  }

  /** `day|week|month` and a start that is one (400 with `details.expected` otherwise), not in the future. */
  private period(org: Org, window: string, start: string): { kind: WindowKind; period: BudgetPeriod } {
    const kind = typeof window === 'string' ? (window.toUpperCase() as WindowKind) : undefined;
    if (!kind || !WINDOW_KINDS.includes(kind)) {
      throw new InvalidRequestError(
        [{ field: 'window', message: "must be 'day', 'week' or 'month'" }],
        'The window is not one',
        {
          expected: 'day | week | month',
        },
      );
    }
    const ws = org.settings.weekStartsOn ?? 'MONDAY';
    const parsed = parsePeriodStart(kind, start, ws);
    if ('expected' in parsed) {
      throw new InvalidRequestError(
        [{ field: 'start', message: `must be the start of a ${kind.toLowerCase()}: ${parsed.expected}` }],
        `'${String(start).slice(0, 40)}' is not the start of a ${kind.toLowerCase()}`,
        { expected: parsed.expected },
      );
    }
    const period = periodOfDay(kind, parsed.firstDay, org.timezone, ws);
    if (period.start > this.o.clock.now()) {
      throw new InvalidRequestError(
        [{ field: 'start', message: 'must not be a future period' }],
        'The period has not started yet',
      );
    }
    return { kind, period };
  }
}

function view(period: BudgetPeriod): PeriodAggregates['period'] {
  return { key: period.key, start: period.start, end: period.end, kind: period.kind };
}
