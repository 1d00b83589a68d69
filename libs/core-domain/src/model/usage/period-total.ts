import { type UsageTotals } from './usage.entity.js';

/** The label of a period total that sums every label of its scope. */
export const ALL_LABELS = '*';

/**
 * Which period total: a scope (an org or app scope key; in APP scope, `ORG#{org}` holds the org's
 * roll-up of all its apps), a period key of the window module (`D#2026-12-01`, `W#2026-11-30`,
 * `M#2026-12`) and a label, or ALL_LABELS.
 */
export interface PeriodTotalKey {
  scopeKey: string;
  periodKey: string;
  label: string;
}

/** One point of a day total's recent history: what it was at an instant (for the last-hour rate). */
export interface SpendSample {
  at: string;
  costUsdMicros: number;
}

/**
 * The spend of one (scope, period, label), recomputed by the worker from the day totals (never a
 * blind increment): running it again gives the same item.
 */
export interface PeriodTotal extends PeriodTotalKey, UsageTotals {
  updatedAt: string;
  /** Epoch seconds (400 days). */
  expiresAt: number;
  /** Day periods only: the total's values over the last two hours, oldest first. */
  samples?: SpendSample[];
}

/** The map key of a period total in reads: `${scopeKey}|${periodKey}|${label}`. */
export function periodTotalId(key: PeriodTotalKey): string {
  return `${key.scopeKey}|${key.periodKey}|${key.label}`;
}

/** The spend rate of about the last hour (per hour) from a day total's samples, when they reach back an hour. */
export function lastHourSpend(total: PeriodTotal | undefined, now: Date): number | undefined {
  const samples = total?.samples;
  if (!samples || samples.length < 2) return undefined;
  const HOUR_MS = 3_600_000;
  const hourAgo = now.getTime() - HOUR_MS;
  let base: { at: string; costUsdMicros: number } | undefined;
  for (const s of samples) if (Date.parse(s.at) <= hourAgo) base = s;
  if (!base) return undefined;
  // Scaled to one hour: the base sample may be somewhat more than an hour old.
  const span = now.getTime() - Date.parse(base.at);
  return (Math.max(0, total!.costUsdMicros - base.costUsdMicros) * HOUR_MS) / span;
}
