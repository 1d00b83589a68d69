import { type DayRollup, type RollupCheckpoint, type RollupSet } from '../model/usage/rollup.js';

/** The worker's daily rollups (kept 400 days) and the checkpoint of its passes; the summary reads them. */
export interface UsageRollups {
  /** The rollups of one set for the org days `fromDay..toDay` (inclusive), in day order; missing days absent. */
  readRange(orgId: string, set: RollupSet, fromDay: string, toDay: string): Promise<DayRollup[]>;
  /**
   * Stores `rollup` (its entries and window) when the stored one still has `expectedWindow` (undefined:
   * when there is none). Resolves false, writing nothing, when another write came first.
   */
  write(rollup: DayRollup, expectedWindow: string | undefined): Promise<boolean>;
  readCheckpoint(): Promise<RollupCheckpoint | undefined>;
  writeCheckpoint(checkpoint: RollupCheckpoint): Promise<void>;
}
export const USAGE_ROLLUPS = Symbol('UsageRollups');
