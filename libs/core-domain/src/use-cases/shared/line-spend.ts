import {
  ALL_LABELS,
  periodTotalId,
  type PeriodTotal,
  type PeriodTotalKey,
} from '../../model/usage/period-total.js';
import { linePeriod, lineState, type LineDef, type LineState } from '../../model/quota/budget-lines.js';
import { type EffectiveConfig } from '../../model/tenants/tenant.entity.js';
import { addDays, periodKeyOf } from '../../model/time/budget-window.js';

/** The period total of a line for a given period key: its spend scope, its label or all labels. */
export function lineTotalKey(def: LineDef, periodKey: string): PeriodTotalKey {
  return { scopeKey: def.spendScopeKey, periodKey, label: def.label ?? ALL_LABELS };
}

/** The period total a budget line reads now: its current period. */
export function periodTotalKeyOf(def: LineDef, eff: EffectiveConfig, now: Date): PeriodTotalKey {
  return lineTotalKey(def, linePeriod(def, now, eff).key);
}

/** The day keys of the 7 full local days before `today` (forecast and anomaly history). */
export function trailingDayKeys(today: string): string[] {
  return Array.from({ length: 7 }, (_, i) => periodKeyOf('DAY', addDays(today, -7 + i)));
}

/** The period totals the budget lines need (daily quota lines read the day totals), without repeats. */
export function periodKeysFor(defs: readonly LineDef[], eff: EffectiveConfig, now: Date): PeriodTotalKey[] {
  const seen = new Map<string, PeriodTotalKey>();
  for (const def of defs) {
    if (def.source !== 'BUDGET') continue;
    const key = periodTotalKeyOf(def, eff, now);
    seen.set(periodTotalId(key), key);
  }
  return [...seen.values()];
}

/**
 * Line states of a scope at `now`. Daily quota lines take the label's day spend (`daySpend`: the
 * aggregated total, or live spend where it was read). Budget lines take their period total plus
 * what today's spend adds beyond the aggregated total (`dayDelta`: live or just-recorded spend not
 * yet aggregated), so a period's live spend is "period total before now + today's live spend".
 */
export function lineStatesFrom(input: {
  eff: EffectiveConfig;
  defs: readonly LineDef[];
  now: Date;
  daySpend: ReadonlyMap<string, number>;
  dayDelta: ReadonlyMap<string, number>;
  periods: ReadonlyMap<string, PeriodTotal>;
  /** Estimated spend of the calls in flight per label (inFlightSpend), where it is known. */
  inFlight?: ReadonlyMap<string, number>;
}): LineState[] {
  const { eff, now } = input;
  let allDelta = 0;
  for (const d of input.dayDelta.values()) allDelta += d;
  let allInFlight = 0;
  for (const f of input.inFlight?.values() ?? []) allInFlight += f;
  const inFlightOf = (label: string | null) =>
    label === null ? allInFlight : (input.inFlight?.get(label) ?? 0);
  return input.defs.map((def) => {
    const period = linePeriod(def, now, eff);
    const threshold = eff.tightModeThresholdPct;
    if (def.source === 'QUOTA') {
      return lineState(def, period, input.daySpend.get(def.label!) ?? 0, threshold, inFlightOf(def.label));
    }
    const stored = input.periods.get(periodTotalId(periodTotalKeyOf(def, eff, now)))?.costUsdMicros ?? 0;
    const delta = def.label === null ? allDelta : (input.dayDelta.get(def.label) ?? 0);
    return lineState(def, period, stored + delta, threshold, inFlightOf(def.label));
  });
}
