import { type DailyTotal } from '../model/usage/usage.entity.js';

/** Aggregated totals per (scope, label, day), written only by the aggregator. */
export interface DailyTotals {
  /** Overwrites the totals (idempotent). */
  put(totals: DailyTotal[]): Promise<void>;
  /** Every label's total for one scope and day. */
  forScopeDay(scopeKey: string, day: string): Promise<DailyTotal[]>;
  /** Totals of several scopes for one day (the org view in APP scope). Map keyed by scope key. */
  forScopesDay(scopeKeys: string[], day: string): Promise<Map<string, DailyTotal[]>>;
}
export const DAILY_TOTALS = Symbol('DailyTotals');
