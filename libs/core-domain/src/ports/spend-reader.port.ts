import { type StickyState } from '../model/selection/sticky-state.js';
import { type PeriodTotal, type PeriodTotalKey } from '../model/usage/period-total.js';
import { type DailyTotal, type UsageTotals } from '../model/usage/usage.entity.js';

export interface SpendQuery {
  scopeKey: string;
  day: string;
  /** Labels whose aggregated totals to read. */
  totalsFor: string[];
  /** Labels whose live spend (all shard counters summed) to read. */
  liveFor: string[];
  shardCount: number;
  /** Also read the sticky state for (scope, day). */
  withSticky: boolean;
  /** Period totals to read in the same round trip (budget lines: weeks, months, all labels, org roll-ups). */
  periods?: PeriodTotalKey[];
}

export interface SpendSnapshot {
  totals: Map<string, DailyTotal>;
  live: Map<string, UsageTotals>;
  sticky?: StickyState;
  /** The period totals asked for that exist, keyed by periodTotalId. */
  periods: Map<string, PeriodTotal>;
}

/**
 * The hot-path read: totals, live shard sums and sticky state for one scope and day, in one
 * storage round trip where the store allows (one BatchGetItem on DynamoDB: at most 100 keys, the period totals included).
 */
export interface SpendReader {
  read(query: SpendQuery, now: Date): Promise<SpendSnapshot>;
}
export const SPEND_READER = Symbol('SpendReader');
