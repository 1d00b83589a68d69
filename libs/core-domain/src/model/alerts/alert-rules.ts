/**
 * Alert rules (pure): which thresholds a line has reached, the spend-anomaly rule, and the delivery
 * retry schedule. Events are exactly once per (org, line, period, threshold) because they are
 * created by a conditional write keyed by that id; so the rule only says which thresholds a line has
 * reached now: a jump (40 % -> 120 %) reaches 50, 80 and 100 at once and none is skipped, and a limit
 * lowered then raised again never re-arms a threshold already fired in the period.
 */
export const DEFAULT_ALERT_THRESHOLDS_PCT: readonly number[] = [50, 80, 100];
export const MAX_ALERT_THRESHOLDS = 10;
export const MAX_THRESHOLD_PCT = 1000;
export const DEFAULT_ANOMALY_FACTOR = 3;

/** Every threshold `t` (ascending) with spend >= t % of the limit (exact; a zero limit reaches all). */
export function thresholdsReached(spend: number, limit: number, thresholdsPct: readonly number[]): number[] {
  return [...new Set(thresholdsPct)]
    .sort((a, b) => a - b)
    .filter((t) => BigInt(spend) * 100n >= BigInt(t) * BigInt(limit));
}

/** `budget.exhausted`: spend has reached the limit. */
export function isExhausted(spend: number, limit: number): boolean {
  return spend >= limit;
}

/**
 * `budget.spend_anomaly`: the last hour's spend is at least `factor` times the average hourly spend
 * of the previous 7 days, and at least 1 % of the limit. `factor` 0 turns it off; with no spend in
 * the previous 7 days there is no average to compare with, and nothing fires.
 */
export function isSpendAnomaly(input: {
  lastHourSpend: number;
  /** Average spend per hour over the 7 days before today. */
  averageHourlySpend: number;
  factor: number;
  limit: number;
}): boolean {
  const { lastHourSpend, averageHourlySpend, factor, limit } = input;
  if (factor <= 0 || averageHourlySpend <= 0) return false;
  if (lastHourSpend * 100 < limit) return false;
  return lastHourSpend >= factor * averageHourlySpend;
}

/** Delays after the 1st, 2nd, ... failed attempt; after the last, the delivery is `failed`. */
export const RETRY_DELAYS_SECS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** When attempt `failedAttempt` (1-based) has failed at `at`: the next attempt, or undefined (give up). */
export function nextAttemptAt(
  failedAttempt: number,
  at: Date,
  delays: readonly number[] = RETRY_DELAYS_SECS,
): Date | undefined {
  const delay = delays[failedAttempt - 1];
  return delay === undefined ? undefined : new Date(at.getTime() + delay * 1000);
}

/** An endpoint every delivery of which has failed for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;

/** Whether an endpoint failing since `failingSince` (no success after it) should be disabled at `now`. */
export function shouldDisable(failingSince: Date | undefined, now: Date): boolean {
  return failingSince !== undefined && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
}
