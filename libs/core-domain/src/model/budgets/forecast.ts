import { type LineState } from '../quota/budget-lines.js';

export type ForecastStatus = 'insufficient_data' | 'on_track' | 'at_risk' | 'exhausted';

/** A range, never a single number dressed up as certainty. */
export interface Forecast {
  status: ForecastStatus;
  method: 'period_to_date_and_trailing_7_days' | 'since_midnight_and_last_hour';
  projectedEnd: { low: number; mid: number; high: number } | null;
  projectedExhaustionAt: Date | null;
}

/** What a forecast needs besides the line: how long the scope has existed and recent spend. */
export interface ForecastInput {
  line: LineState;
  now: Date;
  /** Whole local days of history before today (org creation to today). */
  historyDays: number;
  /** WEEK and MONTH: the spend of the 7 full local days before today. */
  trailing7DaysSpend?: number;
  /** DAY: the spend of the last hour, when the day total's samples reach back an hour. */
  lastHourSpend?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const MIN_HISTORY_DAYS = 3;
export const MIN_ELAPSED_FRACTION = 0.1;

/**
 * The forecast of one line for its current period (docs/architecture.md):
 * - WEEK and MONTH: two run rates, the period-to-date daily average and the trailing 7 full days'
 *   average; DAY: the rate since local midnight and the rate over the last hour;
 * - low / high = the spend plus the remaining time at the lower / higher rate; mid = their mean;
 * - `insufficient_data` before 10 % of the period has passed, with fewer than 3 days of history, or
 *   (DAY) before one hour has passed; `exhausted` at the limit; `at_risk` when high > limit;
 * - `projectedExhaustionAt`: when the mid rate reaches the limit, if before the period ends.
 */
export function forecastLine(input: ForecastInput): Forecast {
  const { line, now } = input;
  const method =
    line.window === 'DAY' ? 'since_midnight_and_last_hour' : 'period_to_date_and_trailing_7_days';
  const start = line.period.start.getTime();
  const end = line.period.end.getTime();
  const t = now.getTime();
  const spend = line.spendUsdMicros;
  const none = (status: ForecastStatus): Forecast => ({
    status,
    method,
    projectedEnd: null,
    projectedExhaustionAt: null,
  });
  if (spend >= line.limitUsdMicros) return none('exhausted');
  const elapsed = t - start;
  const remaining = Math.max(0, end - t);
  if (
    elapsed < MIN_ELAPSED_FRACTION * (end - start) ||
    input.historyDays < MIN_HISTORY_DAYS ||
    (line.window === 'DAY' && elapsed < HOUR_MS)
  ) {
    return none('insufficient_data');
  }
  // Rates per millisecond.
  let rates: [number, number];
  if (line.window === 'DAY') {
    const sinceMidnight = spend / elapsed;
    rates = [
      sinceMidnight,
      input.lastHourSpend === undefined ? sinceMidnight : input.lastHourSpend / HOUR_MS,
    ];
  } else {
    const toDate = spend / elapsed;
    rates = [
      toDate,
      input.trailing7DaysSpend === undefined ? toDate : input.trailing7DaysSpend / (7 * DAY_MS),
    ];
  }
  const lowRate = Math.min(...rates);
  const highRate = Math.max(...rates);
  const low = Math.round(spend + remaining * lowRate);
  const high = Math.round(spend + remaining * highRate);
  const mid = Math.round((low + high) / 2);
  const midRate = (lowRate + highRate) / 2;
  let exhaustionAt: Date | null = null;
  if (midRate > 0) {
    const at = t + (line.limitUsdMicros - spend) / midRate;
    if (at < end) exhaustionAt = new Date(Math.ceil(at / 1000) * 1000);
  }
  return {
    status: high > line.limitUsdMicros ? 'at_risk' : 'on_track',
    method,
    projectedEnd: { low, mid, high },
    projectedExhaustionAt: exhaustionAt,
  };
}
