import { type CounterGroup } from '../model/usage/usage.entity.js';

/**
 * How the aggregator finds the counters written since its last pass, without scanning the table
 * and at a cost proportional to the number of active counters.
 */
export interface ChangeFeed {
  /**
   * The (scope, label, day) groups of these org days whose counters were written at or after
   * `since` (all groups of those days when `since` is undefined). May return more, never fewer.
   */
  changedGroups(days: string[], since: Date | undefined): Promise<CounterGroup[]>;
}
export const CHANGE_FEED = Symbol('ChangeFeed');
