import {
  type CounterGroup,
  type RecordOutcome,
  type UsageRecord,
  type UsageTotals,
} from '../model/usage/usage.entity.js';

/** The sharded usage counters and the exactly-once usage records. */
export interface UsageCounters {
  /**
   * Creates the usage record and adds it to its (scope, label, day, shard) counter, together or not
   * at all. A record that already exists for (scope, request id) adds nothing and returns the stored
   * cost, however often and however concurrently the same id is submitted.
   */
  recordOnce(record: UsageRecord): Promise<RecordOutcome>;
  /** Sums all shards of one (scope, label, day). Zero totals when nothing was recorded. */
  sumShards(group: CounterGroup, shardCount: number): Promise<UsageTotals>;
}
export const USAGE_COUNTERS = Symbol('UsageCounters');
