/**
 * When live spend (the sum of a label's shard counters) must be read instead of its aggregated day
 * total. The aggregated total lags by up to one aggregation interval; live spend only changes a
 * decision near a limit, so far from every limit the total (one item) is enough, whatever the shard
 * count. One rule, used by model selection and by usage responses.
 */

/** Live spend is read from this many percentage points below the TIGHT threshold (85 % by default). */
export const LIVE_READ_MARGIN_PCT = 10;

/**
 * A total older than this many aggregation intervals says nothing about recent spend (the aggregator
 * rewrites an active label's total at every pass): the spend not yet aggregated cannot be bounded.
 */
export const STALE_AFTER_INTERVALS = 3;

/**
 * A line (a daily quota or a budget) is near its limit when its spend is TIGHT or past it, or within
 * LIVE_READ_MARGIN_PCT points below the TIGHT threshold. Integer math. No line: never near.
 */
export function nearLimit(
  line: { spendUsdMicros: number; limitUsdMicros: number } | undefined,
  tightThresholdPct: number,
): boolean {
  if (!line) return false;
  const margin = Math.max(0, tightThresholdPct - LIVE_READ_MARGIN_PCT);
  return BigInt(line.spendUsdMicros) * 100n >= BigInt(margin) * BigInt(line.limitUsdMicros);
}

/** What a process knows of one label's day total: the last one it read, and the burn before it. */
export interface KnownTotal {
  costUsdMicros: number;
  /** When the aggregator wrote it (epoch ms). */
  updatedAtMs: number;
  /** µUSD per second between the two last distinct totals read; undefined until two were seen. */
  burnUsdMicrosPerSec: number | undefined;
}

/**
 * The known total after reading `total` (undefined: no total exists yet). A newer total than the one
 * known gives the burn between the two; the same or an older one (another process's read raced
 * ahead, eventual consistency) changes nothing.
 */
export function observeTotal(
  known: KnownTotal | undefined,
  total: { costUsdMicros: number; updatedAtMs: number } | undefined,
): KnownTotal | undefined {
  if (!total || !Number.isFinite(total.updatedAtMs)) return known;
  if (!known) return { ...total, burnUsdMicrosPerSec: undefined };
  if (total.updatedAtMs <= known.updatedAtMs) return known;
  const secs = (total.updatedAtMs - known.updatedAtMs) / 1000;
  const burn = Math.max(0, total.costUsdMicros - known.costUsdMicros) / secs;
  return { ...total, burnUsdMicrosPerSec: burn };
}

/**
 * An upper estimate of the label's spend not yet in its total at `nowMs`: the burn over the total's
 * age plus one more aggregation interval (the burn may grow, and the next total is that far away).
 * Undefined when it cannot be bounded: no total, no burn yet, or a stale total (aggregation behind,
 * or a label that was quiet and may just have woken up).
 */
export function unaggregatedBound(
  known: KnownTotal | undefined,
  nowMs: number,
  aggregationIntervalSecs: number,
): number | undefined {
  if (!known || known.burnUsdMicrosPerSec === undefined) return undefined;
  const ageSecs = Math.max(0, nowMs - known.updatedAtMs) / 1000;
  if (ageSecs > STALE_AFTER_INTERVALS * aggregationIntervalSecs) return undefined;
  return Math.ceil(known.burnUsdMicrosPerSec * (ageSecs + aggregationIntervalSecs));
}
