import { type StickyState } from '../model/selection/sticky-state.js';
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
}

export interface SpendSnapshot {
  totals: Map<string, DailyTotal>;
  live: Map<string, UsageTotals>;
  sticky?: StickyState;
}

/**
 * The hot-path read: totals, live shard sums and sticky state for one scope and day, in one
 * storage round trip where the store allows (one BatchGetItem of at most 100 keys on DynamoDB).
 */
export interface SpendReader {
  read(query: SpendQuery, now: Date): Promise<SpendSnapshot>;
}
export const SPEND_READER = Symbol('SpendReader');
