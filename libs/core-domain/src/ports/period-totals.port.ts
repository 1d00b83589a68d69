import { type PeriodTotal, type PeriodTotalKey } from '../model/usage/period-total.js';

/** Spend per (scope, period, label | ALL_LABELS), written only by the aggregator. */
export interface PeriodTotals {
  /** Overwrites the totals (idempotent). */
  put(totals: PeriodTotal[]): Promise<void>;
  /**
   * The stored totals of these keys, strongly consistent, ignoring expired ones; keys with no item are
   * absent. Keyed by periodTotalId. Any number of keys (chunked by the adapter).
   */
  get(keys: PeriodTotalKey[], now: Date): Promise<Map<string, PeriodTotal>>;
}
export const PERIOD_TOTALS = Symbol('PeriodTotals');
