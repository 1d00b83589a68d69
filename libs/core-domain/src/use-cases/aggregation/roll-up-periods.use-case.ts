import {
  ALL_LABELS,
  periodTotalId,
  type PeriodTotal,
  type PeriodTotalKey,
  type SpendSample,
} from '../../model/usage/period-total.js';
import { daysOf, periodKeyOf, periodOfDay } from '../../model/time/budget-window.js';
import { type EffectiveConfig, orgSpendScopeKey, scopeKeyFor } from '../../model/tenants/tenant.entity.js';
import { addTotals, ZERO_TOTALS, type DailyTotal, type UsageTotals } from '../../model/usage/usage.entity.js';
import { type Clock } from '../../ports/clock.port.js';
import { type DailyTotals } from '../../ports/daily-totals.port.js';
import { type PeriodTotals } from '../../ports/period-totals.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';

/** How long a day total keeps its recent values, and how far apart they are (the last-hour rate). */
export const SAMPLE_HISTORY_MS = 2 * 3600_000;
export const SAMPLE_SPACING_MS = 60_000;
const PERIOD_TTL_DAYS = 400;

export interface RollUpPeriodsOptions {
  periodTotals: PeriodTotals;
  totals: DailyTotals;
  tenants: TenantDirectory;
  clock: Clock;
}

/** A day total just written by the aggregator, with the config that governs it. */
export interface WrittenDayTotal {
  total: DailyTotal;
  eff: EffectiveConfig;
}

const plain = (t: UsageTotals): UsageTotals => ({
  costUsdMicros: t.costUsdMicros,
  inputTokens: t.inputTokens,
  outputTokens: t.outputTokens,
  cacheReadInputTokens: t.cacheReadInputTokens,
  cacheWriteInputTokens: t.cacheWriteInputTokens,
  requests: t.requests,
});

/**
 * Keeps the period totals budgets read, by recomputing each one from the level below (idempotent,
 * never a blind increment), after the aggregator has written day totals:
 * 1. `D#{day}` per label = the day total; `D#{day}` for all labels (`*`) = the sum of the scope's
 *    day totals that day;
 * 2. APP scope: the org roll-up (`ORG#{org}`) of each day = the sum of its apps' day totals (the
 *    org's apps are listed, never scanned);
 * 3. `W#...` and `M#...` = the sum of their days' `D#` totals, for the scope and the roll-up.
 * Day totals keep a short history of their values (samples) for the last-hour rate of forecasts.
 */
export class RollUpPeriods {
  constructor(private readonly o: RollUpPeriodsOptions) {}

  async run(written: readonly WrittenDayTotal[]): Promise<number> {
    if (written.length === 0) return 0;
    const now = this.o.clock.now();
    const expiresAt = Math.floor(now.getTime() / 1000) + PERIOD_TTL_DAYS * 86400;
    const make = (key: PeriodTotalKey, t: UsageTotals, prev?: PeriodTotal): PeriodTotal => {
      const out: PeriodTotal = { ...key, ...plain(t), updatedAt: now.toISOString(), expiresAt };
      if (key.periodKey.startsWith('D#')) out.samples = nextSamples(prev?.samples, now, t.costUsdMicros);
      return out;
    };

    // 1. Day level of the written scopes: per label and all labels.
    const scopeDays = new Map<string, { scopeKey: string; day: string; eff: EffectiveConfig }>();
    for (const { total, eff } of written) {
      scopeDays.set(`${total.scopeKey}|${total.day}`, { scopeKey: total.scopeKey, day: total.day, eff });
    }
    const dayKeys: PeriodTotalKey[] = [];
    for (const { total } of written) dayKeys.push(dayKey(total.scopeKey, total.day, total.label));
    for (const { scopeKey, day } of scopeDays.values()) dayKeys.push(dayKey(scopeKey, day, ALL_LABELS));
    const previous = await this.o.periodTotals.get(dayKeys, now);
    const dayLevel: PeriodTotal[] = [];
    for (const { total } of written) {
      const key = dayKey(total.scopeKey, total.day, total.label);
      dayLevel.push(make(key, total, previous.get(periodTotalId(key))));
    }
    for (const { scopeKey, day } of scopeDays.values()) {
      let sum: UsageTotals = ZERO_TOTALS;
      for (const t of await this.o.totals.forScopeDay(scopeKey, day)) sum = addTotals(sum, t);
      const key = dayKey(scopeKey, day, ALL_LABELS);
      dayLevel.push(make(key, sum, previous.get(periodTotalId(key))));
    }
    await this.o.periodTotals.put(dayLevel);

    // 2. Org roll-ups of APP-scoped orgs, from their apps' day level.
    const rollups = new Map<
      string,
      { orgId: string; day: string; labels: Set<string>; eff: EffectiveConfig }
    >();
    for (const { total, eff } of written) {
      if (eff.quotaScope !== 'APP') continue;
      const id = `${eff.orgId}|${total.day}`;
      const r = rollups.get(id) ?? { orgId: eff.orgId, day: total.day, labels: new Set([ALL_LABELS]), eff };
      r.labels.add(total.label);
      rollups.set(id, r);
    }
    const appsOf = new Map<string, string[]>();
    const rollupLevel: PeriodTotal[] = [];
    for (const r of rollups.values()) {
      if (!appsOf.has(r.orgId)) {
        appsOf.set(
          r.orgId,
          (await this.o.tenants.listApps(r.orgId)).map((a) => scopeKeyFor('APP', r.orgId, a.appId)),
        );
      }
      const appScopes = appsOf.get(r.orgId)!;
      const keys = [...r.labels].flatMap((label) => appScopes.map((s) => dayKey(s, r.day, label)));
      const rollupKeys = [...r.labels].map((label) => dayKey(orgSpendScopeKey(r.orgId), r.day, label));
      const got = await this.o.periodTotals.get([...keys, ...rollupKeys], now);
      for (const label of r.labels) {
        let sum: UsageTotals = ZERO_TOTALS;
        for (const s of appScopes) {
          const t = got.get(periodTotalId(dayKey(s, r.day, label)));
          if (t) sum = addTotals(sum, t);
        }
        const key = dayKey(orgSpendScopeKey(r.orgId), r.day, label);
        rollupLevel.push(make(key, sum, got.get(periodTotalId(key))));
      }
    }
    await this.o.periodTotals.put(rollupLevel);

    // 3. Weeks and months, from the day level, for every (scope, label) whose day level changed.
    const longer: PeriodTotal[] = [];
    for (const t of [...dayLevel, ...rollupLevel]) {
      const day = t.periodKey.slice(2);
      const eff = scopeDays.get(`${t.scopeKey}|${day}`)?.eff ?? rollupEff(rollups, t.scopeKey, day);
      if (!eff) continue;
      for (const kind of ['WEEK', 'MONTH'] as const) {
        const period = periodOfDay(kind, day, eff.timezone, eff.weekStartsOn);
        const keys = daysOf(period).map((d) => dayKey(t.scopeKey, d, t.label));
        const got = await this.o.periodTotals.get(keys, now);
        let sum: UsageTotals = ZERO_TOTALS;
        for (const v of got.values()) sum = addTotals(sum, v);
        longer.push(make({ scopeKey: t.scopeKey, periodKey: period.key, label: t.label }, sum));
      }
    }
    await this.o.periodTotals.put(longer);
    return dayLevel.length + rollupLevel.length + longer.length;
  }
}

function dayKey(scopeKey: string, day: string, label: string): PeriodTotalKey {
  return { scopeKey, periodKey: periodKeyOf('DAY', day), label };
}

function rollupEff(
  rollups: Map<string, { orgId: string; day: string; eff: EffectiveConfig }>,
  scopeKey: string,
  day: string,
): EffectiveConfig | undefined {
  for (const r of rollups.values()) if (orgSpendScopeKey(r.orgId) === scopeKey && r.day === day) return r.eff;
  return undefined;
}

/** The recent values of a day total: at least SAMPLE_SPACING_MS apart, the last two hours kept. */
export function nextSamples(
  prev: readonly SpendSample[] | undefined,
  now: Date,
  cost: number,
): SpendSample[] {
  const t = now.getTime();
  const kept = (prev ?? []).filter((s) => Date.parse(s.at) >= t - SAMPLE_HISTORY_MS && Date.parse(s.at) <= t);
  // The newest sample is provisional: while it is closer than the spacing to the one before it, a
  // new pass replaces it instead of adding one.
  const last = kept[kept.length - 1];
  const beforeLast = kept[kept.length - 2];
  if (last && beforeLast && Date.parse(last.at) - Date.parse(beforeLast.at) < SAMPLE_SPACING_MS) kept.pop();
  kept.push({ at: now.toISOString(), costUsdMicros: cost });
  return kept.slice(-(SAMPLE_HISTORY_MS / SAMPLE_SPACING_MS + 1));
}
