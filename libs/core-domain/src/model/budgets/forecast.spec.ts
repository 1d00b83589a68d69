import { describe, expect, it } from '@jest/globals';
import { lineState, type LineDef } from '../quota/budget-lines.js';
import { periodAt, type WindowKind } from '../time/budget-window.js';
import { forecastLine, type ForecastInput } from './forecast.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A line of `window` at `now` in `tz`, with its spend and limit, judged at the default 90 % threshold. */
function lineAt(window: WindowKind, now: string, spend: number, limit: number, tz = 'UTC') {
  const def: LineDef = {
    scope: 'ORG',
    window,
    label: null,
    limitUsdMicros: limit,
    source: 'BUDGET',
    spendScopeKey: 'ORG#o1',
  };
  return lineState(def, periodAt(window, new Date(now), tz, 'MONDAY'), spend, 90);
}

function forecast(
  window: WindowKind,
  now: string,
  spend: number,
  limit: number,
  extra: Partial<Omit<ForecastInput, 'line' | 'now'>> = {},
  tz = 'UTC',
) {
  return forecastLine({
    line: lineAt(window, now, spend, limit, tz),
    now: new Date(now),
    historyDays: 30,
    ...extra,
  });
}

/** The worked example: a MONTH line in UTC, December 2026, after 10 days. */
const DEC_11 = '2026-12-11T00:00:00.000Z';
const example = (limit: number, spend = 10_000_000, trailing7DaysSpend = 14_000_000) =>
  forecast('MONTH', DEC_11, spend, limit, { trailing7DaysSpend });

describe('forecastLine', () => {
  describe('exhausted', () => {
    it('rule: a line at its limit is exhausted, with no range and no exhaustion instant', () => {
      expect(example(10_000_000)).toEqual({
        status: 'exhausted',
        method: 'period_to_date_and_trailing_7_days',
        projectedEnd: null,
        projectedExhaustionAt: null,
      });
    });

    it('rule: past the limit, and even with insufficient data, the line is exhausted', () => {
      expect(example(9_000_000).status).toBe('exhausted');
      // One hour into the month, a brand new org: still exhausted, not insufficient_data.
      expect(
        forecast('MONTH', '2026-12-01T01:00:00Z', 5_000_000, 5_000_000, { historyDays: 0 }),
      ).toMatchObject({ status: 'exhausted', projectedEnd: null });
      // A zero limit is exhausted at zero spend.
      expect(forecast('DAY', '2026-12-11T12:00:00Z', 0, 0).status).toBe('exhausted');
    });
  });

  describe('insufficient_data', () => {
    it('rule: before 10 % of the period has passed (3.1 days of a 31-day month)', () => {
      const early = forecast('MONTH', '2026-12-04T00:00:00Z', 3_000_000, 100_000_000, {
        trailing7DaysSpend: 7_000_000,
      });
      expect(early).toEqual({
        status: 'insufficient_data',
        method: 'period_to_date_and_trailing_7_days',
        projectedEnd: null,
        projectedExhaustionAt: null,
      });
      expect(
        forecast('MONTH', '2026-12-04T02:23:59Z', 3_000_000, 100_000_000, { trailing7DaysSpend: 7_000_000 })
          .status,
      ).toBe('insufficient_data');
      // 3.1 days = 3 days 2h24m: from then on there is a forecast.
      expect(
        forecast('MONTH', '2026-12-04T02:24:00Z', 3_000_000, 100_000_000, { trailing7DaysSpend: 7_000_000 })
          .status,
      ).toBe('on_track');
    });

    it('rule: before 10 % of a week (16.8 hours)', () => {
      expect(forecast('WEEK', '2026-11-30T16:47:59Z', 1_000, 1_000_000).status).toBe('insufficient_data');
      expect(forecast('WEEK', '2026-11-30T16:48:00Z', 1_000, 1_000_000).status).toBe('on_track');
    });

    it('rule: when the scope has fewer than 3 days of history before today', () => {
      for (const historyDays of [0, 1, 2]) {
        expect(
          forecast('MONTH', DEC_11, 10_000_000, 100_000_000, { historyDays, trailing7DaysSpend: 14_000_000 }),
        ).toEqual({
          status: 'insufficient_data',
          method: 'period_to_date_and_trailing_7_days',
          projectedEnd: null,
          projectedExhaustionAt: null,
        });
      }
      expect(
        forecast('MONTH', DEC_11, 10_000_000, 100_000_000, { historyDays: 3, trailing7DaysSpend: 14_000_000 })
          .status,
      ).toBe('on_track');
      expect(
        forecast('DAY', '2026-12-11T12:00:00Z', 1_000, 1_000_000, { historyDays: 2, lastHourSpend: 100 })
          .status,
      ).toBe('insufficient_data');
    });

    it('rule: DAY before one hour of the day has passed', () => {
      for (const now of ['2026-12-11T00:00:00Z', '2026-12-11T00:30:00Z', '2026-12-11T00:59:59Z']) {
        expect(forecast('DAY', now, 500, 1_000_000, { lastHourSpend: 500 })).toEqual({
          status: 'insufficient_data',
          method: 'since_midnight_and_last_hour',
          projectedEnd: null,
          projectedExhaustionAt: null,
        });
      }
    });

    it('rule: DAY before 10 % of the day (2.4 hours of a 24-hour day), past the first hour', () => {
      expect(forecast('DAY', '2026-12-11T02:23:59Z', 500, 1_000_000).status).toBe('insufficient_data');
      expect(forecast('DAY', '2026-12-11T02:24:00Z', 500, 1_000_000).status).toBe('on_track');
    });
  });

  describe('WEEK and MONTH', () => {
    it('rule: the worked example: 1,000,000/day to date and 2,000,000/day over 7 days, 21 days left', () => {
      const f = example(60_000_000);
      expect(f).toEqual({
        status: 'on_track',
        method: 'period_to_date_and_trailing_7_days',
        projectedEnd: { low: 31_000_000, mid: 41_500_000, high: 52_000_000 },
        projectedExhaustionAt: null,
      });
    });

    it('rule: low / high come from the lower / higher rate whichever of the two it is', () => {
      // 2,000,000/day to date, 1,000,000/day over the trailing 7 days.
      expect(example(100_000_000, 20_000_000, 7_000_000).projectedEnd).toEqual({
        low: 41_000_000,
        mid: 51_500_000,
        high: 62_000_000,
      });
    });

    it('rule: with equal rates the range collapses to one number', () => {
      expect(example(100_000_000, 10_000_000, 7_000_000).projectedEnd).toEqual({
        low: 31_000_000,
        mid: 31_000_000,
        high: 31_000_000,
      });
    });

    it('rule: a WEEK line: 3.5 days to date at 1,000,000/day, 500,000/day over 7 days, 3.5 days left', () => {
      expect(
        forecast('WEEK', '2026-12-03T12:00:00Z', 3_500_000, 10_000_000, { trailing7DaysSpend: 3_500_000 }),
      ).toEqual({
        status: 'on_track',
        method: 'period_to_date_and_trailing_7_days',
        projectedEnd: { low: 5_250_000, mid: 6_125_000, high: 7_000_000 },
        projectedExhaustionAt: null,
      });
    });

    it('rule: at_risk when high > limit (even when low and mid are under it), on_track at high = limit', () => {
      expect(example(52_000_000).status).toBe('on_track');
      expect(example(51_999_999).status).toBe('at_risk');
      expect(example(45_000_000)).toMatchObject({
        status: 'at_risk',
        projectedEnd: { low: 31_000_000, mid: 41_500_000, high: 52_000_000 },
      });
    });

    it('rule: projectedExhaustionAt = when the mid rate (1,500,000/day) reaches the limit, if before the end', () => {
      // 30,000,000 left at 1,500,000/day: 20 days after Dec 11.
      expect(example(40_000_000)).toEqual({
        status: 'at_risk',
        method: 'period_to_date_and_trailing_7_days',
        projectedEnd: { low: 31_000_000, mid: 41_500_000, high: 52_000_000 },
        projectedExhaustionAt: new Date('2026-12-31T00:00:00.000Z'),
      });
      // 15,000,000 left: 10 days.
      expect(example(25_000_000).projectedExhaustionAt).toEqual(new Date('2026-12-21T00:00:00.000Z'));
    });

    it('rule: projectedExhaustionAt is null when the mid rate reaches the limit only after the end', () => {
      // 31,500,000 left at 1,500,000/day = exactly 21 days: the end, not before it.
      expect(example(41_500_000)).toMatchObject({ status: 'at_risk', projectedExhaustionAt: null });
      expect(example(50_000_000)).toMatchObject({ status: 'at_risk', projectedExhaustionAt: null });
    });

    it('rule: no spend at all: on_track at zero, never exhausting', () => {
      expect(example(1_000_000, 0, 0)).toEqual({
        status: 'on_track',
        method: 'period_to_date_and_trailing_7_days',
        projectedEnd: { low: 0, mid: 0, high: 0 },
        projectedExhaustionAt: null,
      });
    });

    it('rule: without the trailing spend, both rates are the period-to-date rate', () => {
      expect(forecast('MONTH', DEC_11, 10_000_000, 60_000_000).projectedEnd).toEqual({
        low: 31_000_000,
        mid: 31_000_000,
        high: 31_000_000,
      });
    });
  });

  describe('DAY', () => {
    it('rule: the since-midnight rate (100,000/h) and the last-hour rate (300,000/h), 12 hours left', () => {
      expect(
        forecast('DAY', '2026-12-11T12:00:00Z', 1_200_000, 5_000_000, { lastHourSpend: 300_000 }),
      ).toEqual({
        status: 'on_track',
        method: 'since_midnight_and_last_hour',
        projectedEnd: { low: 2_400_000, mid: 3_600_000, high: 4_800_000 },
        projectedExhaustionAt: null,
      });
    });

    it('rule: a quiet last hour makes the low end: spend + 0 for the rest of the day', () => {
      expect(
        forecast('DAY', '2026-12-11T12:00:00Z', 1_200_000, 5_000_000, { lastHourSpend: 0 }).projectedEnd,
      ).toEqual({ low: 1_200_000, mid: 1_800_000, high: 2_400_000 });
    });

    it('rule: at_risk and exhaustion at the mid rate (200,000/h) before local midnight', () => {
      // 1,800,000 left at 200,000/h: 9 hours after noon.
      expect(
        forecast('DAY', '2026-12-11T12:00:00Z', 1_200_000, 3_000_000, { lastHourSpend: 300_000 }),
      ).toEqual({
        status: 'at_risk',
        method: 'since_midnight_and_last_hour',
        projectedEnd: { low: 2_400_000, mid: 3_600_000, high: 4_800_000 },
        projectedExhaustionAt: new Date('2026-12-11T21:00:00.000Z'),
      });
      // 2,800,000 left: 14 hours, after midnight.
      expect(
        forecast('DAY', '2026-12-11T12:00:00Z', 1_200_000, 4_000_000, { lastHourSpend: 300_000 }),
      ).toMatchObject({ status: 'at_risk', projectedExhaustionAt: null });
    });

    it('rule: without samples reaching back an hour, both rates are the since-midnight rate', () => {
      expect(forecast('DAY', '2026-12-11T12:00:00Z', 1_200_000, 5_000_000).projectedEnd).toEqual({
        low: 2_400_000,
        mid: 2_400_000,
        high: 2_400_000,
      });
    });

    it('rule: a DST day of 25 hours (America/New_York, 2026-11-01) uses its real length', () => {
      const tz = 'America/New_York';
      const line = lineAt('DAY', '2026-11-01T09:00:00Z', 500_000, 10_000_000, tz);
      expect(line.period.start).toEqual(new Date('2026-11-01T04:00:00.000Z'));
      expect(line.period.end).toEqual(new Date('2026-11-02T05:00:00.000Z'));
      expect(line.period.end.getTime() - line.period.start.getTime()).toBe(25 * HOUR);
      // 5 hours in at 100,000/h, 20 hours left (not 19, as a 24-hour day would have).
      expect(
        forecast('DAY', '2026-11-01T09:00:00Z', 500_000, 10_000_000, { lastHourSpend: 100_000 }, tz),
      ).toEqual({
        status: 'on_track',
        method: 'since_midnight_and_last_hour',
        projectedEnd: { low: 2_500_000, mid: 2_500_000, high: 2_500_000 },
        projectedExhaustionAt: null,
      });
      // 10 % of 25 hours is 2.5 hours: 2h27m in is still too early (it would not be on a 24-hour day).
      expect(
        forecast('DAY', '2026-11-01T06:27:00Z', 245_000, 10_000_000, { lastHourSpend: 100_000 }, tz).status,
      ).toBe('insufficient_data');
      expect(
        forecast('DAY', '2026-11-01T06:30:00Z', 250_000, 10_000_000, { lastHourSpend: 100_000 }, tz).status,
      ).toBe('on_track');
    });

    it('rule: a DST day of 23 hours (America/New_York, 2026-03-08) uses its real length', () => {
      const tz = 'America/New_York';
      // Midnight EST = 05:00Z; the day ends at midnight EDT = 04:00Z the next day.
      const line = lineAt('DAY', '2026-03-08T10:00:00Z', 500_000, 10_000_000, tz);
      expect(line.period.end.getTime() - line.period.start.getTime()).toBe(23 * HOUR);
      // 5 hours in at 100,000/h, 18 hours left.
      expect(
        forecast('DAY', '2026-03-08T10:00:00Z', 500_000, 10_000_000, { lastHourSpend: 100_000 }, tz)
          .projectedEnd,
      ).toEqual({ low: 2_300_000, mid: 2_300_000, high: 2_300_000 });
    });
  });

  it('rule: a MONTH line in a DST month counts real milliseconds (America/New_York, November 2026)', () => {
    // November 2026 in New York: 30 days + 1 hour (DST ends on the 1st).
    const tz = 'America/New_York';
    const line = lineAt('MONTH', '2026-11-11T05:00:00Z', 10_000_000, 100_000_000, tz);
    expect(line.period.end.getTime() - line.period.start.getTime()).toBe(30 * DAY + HOUR);
    // 10 days + 1 hour elapsed, 20 days left: the range stays close to 10,000,000 + 20 days of rate.
    const f = forecastLine({ line, now: new Date('2026-11-11T05:00:00Z'), historyDays: 30 });
    const rate = 10_000_000 / (10 * DAY + HOUR);
    expect(f.projectedEnd).toEqual({
      low: Math.round(10_000_000 + 20 * DAY * rate),
      mid: Math.round(10_000_000 + 20 * DAY * rate),
      high: Math.round(10_000_000 + 20 * DAY * rate),
    });
  });
});
