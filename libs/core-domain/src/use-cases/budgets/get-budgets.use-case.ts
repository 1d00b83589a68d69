import { forecastLine, type Forecast } from '../../model/budgets/forecast.js';
import { FieldProblems, NotFoundError } from '../../model/errors.js';
import { lineState, linesFor, type LineDef, type LineState } from '../../model/quota/budget-lines.js';
import { resolveEffectiveConfig, type EffectiveConfig, type Org } from '../../model/tenants/tenant.entity.js';
import { daysBetween, periodOfDay } from '../../model/time/budget-window.js';
import { isValidDay, orgDay } from '../../model/time/org-time.js';
import { lastHourSpend, periodTotalId, type PeriodTotalKey } from '../../model/usage/period-total.js';
import { type Clock } from '../../ports/clock.port.js';
import { type PeriodTotals } from '../../ports/period-totals.port.js';
import { lineTotalKey, trailingDayKeys } from '../shared/line-spend.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';

/** A line with its current (or asked-for) period, and its forecast while that period is open. */
export interface BudgetLineView extends LineState {
  /** When the line's spend was last aggregated; null when nothing was. */
  asOf: string | null;
  /** null for a closed period. */
  forecast: Forecast | null;
}

export interface BudgetsView {
  orgId: string;
  appId?: string;
  timezone: string;
  weekStartsOn: string;
  lines: BudgetLineView[];
}

export interface GetBudgetsOptions {
  configs: TenantConfigCache;
  periodTotals: PeriodTotals;
  clock: Clock;
}

/**
 * Every line of an org or an app (daily quotas included) with its period status and forecast: one
 * read of period totals (the lines' periods, the 7 days before today, the day samples).
 */
export class GetBudgets {
  constructor(private readonly o: GetBudgetsOptions) {}

  /** The org's own lines: its budgets, and in ORG scope its daily quotas. */
  async forOrg(orgId: string, at?: string): Promise<BudgetsView> {
    const org = await this.o.configs.org(orgId);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    const eff = resolveEffectiveConfig(org);
    const defs = linesFor(eff).filter((d) => org.quotaScope === 'ORG' || d.source === 'BUDGET');
    return { orgId, ...(await this.view(org, eff, defs, at)) };
  }

  /** Every line that governs the app: its daily quotas, the org's budgets and its own. */
  async forApp(orgId: string, appId: string, at?: string): Promise<BudgetsView> {
    const ctx = await this.o.configs.appContext(orgId, appId);
    const view = await this.view(ctx.org, ctx.effective, linesFor(ctx.effective), at);
    return { orgId, appId, ...view };
  }

  private async view(org: Org, eff: EffectiveConfig, defs: LineDef[], at: string | undefined) {
    const now = this.o.clock.now();
    const today = orgDay(now, eff.timezone);
    const day = this.day(at, today);
    const historyDays = daysBetween(orgDay(new Date(org.createdAt), eff.timezone), today);
    const keys: PeriodTotalKey[] = [];
    const periodOf = (def: LineDef) => periodOfDay(def.window, day, eff.timezone, eff.weekStartsOn);
    const keyOf = lineTotalKey;
    const trailing = trailingDayKeys(today);
    for (const def of defs) {
      keys.push(keyOf(def, periodOf(def).key));
      for (const k of trailing) keys.push(keyOf(def, k));
    }
    const got = await this.o.periodTotals.get(keys, now);
    const lines = defs.map((def): BudgetLineView => {
      const period = periodOf(def);
      const stored = got.get(periodTotalId(keyOf(def, period.key)));
      const line = lineState(def, period, stored?.costUsdMicros ?? 0, eff.tightModeThresholdPct);
      const open = period.end.getTime() > now.getTime();
      let forecast: Forecast | null = null;
      if (open) {
        const trailing7DaysSpend = trailing.reduce(
          (sum, k) => sum + (got.get(periodTotalId(keyOf(def, k)))?.costUsdMicros ?? 0),
          0,
        );
        forecast = forecastLine({
          line,
          now,
          historyDays,
          trailing7DaysSpend,
          lastHourSpend: def.window === 'DAY' ? lastHourSpend(stored, now) : undefined,
        });
      }
      return { ...line, asOf: stored?.updatedAt ?? null, forecast };
    });
    return { timezone: eff.timezone, weekStartsOn: eff.weekStartsOn, lines };
  }

  /** `?at=YYYY-MM-DD`: the periods containing that local date (today when absent); never a future date. */
  private day(at: string | undefined, today: string): string {
    if (at === undefined) return today;
    const p = new FieldProblems();
    if (!isValidDay(at)) p.add('at', 'must be a date written YYYY-MM-DD');
    else if (at > today) p.add('at', `must not be after the org's today (${today})`);
    p.throwIfAny();
    return at;
  }
}
