import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_ALERT_THRESHOLDS_PCT,
  isExhausted,
  isSpendAnomaly,
  nextAttemptAt,
  RETRY_DELAYS_SECS,
  shouldDisable,
  thresholdsReached,
} from './alert-rules.js';

describe('rule: alert thresholds are level-checked and deduplicated by the event id (nothing skipped)', () => {
  it('rule: 40 % -> 120 % reaches 50, 80 and 100, in that order, and the line is exhausted', () => {
    const limit = 1_000_000;
    expect(thresholdsReached(400_000, limit, DEFAULT_ALERT_THRESHOLDS_PCT)).toEqual([]);
    expect(thresholdsReached(1_200_000, limit, DEFAULT_ALERT_THRESHOLDS_PCT)).toEqual([50, 80, 100]);
    expect(isExhausted(1_200_000, limit)).toBe(true);
    expect(isExhausted(999_999, limit)).toBe(false);
  });

  it('rule: exact boundaries, unordered and repeated thresholds, thresholds above 100 %', () => {
    expect(thresholdsReached(500_000, 1_000_000, [80, 50, 50])).toEqual([50]);
    expect(thresholdsReached(499_999, 1_000_000, [50])).toEqual([]);
    expect(thresholdsReached(2_000_000, 1_000_000, [150, 200, 250])).toEqual([150, 200]);
    // Integer math: no float drift at huge values.
    expect(thresholdsReached(800_000_000_000_000, 1_000_000_000_000_000, [80])).toEqual([80]);
  });

  it('rule: a zero limit has reached every threshold; no spend on a positive limit reaches none', () => {
    expect(thresholdsReached(0, 0, [50, 100])).toEqual([50, 100]);
    expect(thresholdsReached(0, 10, [1])).toEqual([]);
  });
});

describe('rule: spend anomaly (trend)', () => {
  const avg = 10_000; // 10,000 an hour over the previous 7 days
  it('rule: a burst at 3x the hourly average fires', () => {
    expect(
      isSpendAnomaly({ lastHourSpend: 30_000, averageHourlySpend: avg, factor: 3, limit: 1_000_000 }),
    ).toBe(true);
    expect(
      isSpendAnomaly({ lastHourSpend: 29_999, averageHourlySpend: avg, factor: 3, limit: 1_000_000 }),
    ).toBe(false);
  });
  it('rule: a steady rate never fires', () => {
    expect(
      isSpendAnomaly({ lastHourSpend: 10_000, averageHourlySpend: avg, factor: 3, limit: 1_000_000 }),
    ).toBe(false);
  });
  it('rule: below 1 % of the limit never fires, however steep', () => {
    expect(
      isSpendAnomaly({ lastHourSpend: 9_999, averageHourlySpend: 10, factor: 3, limit: 1_000_000 }),
    ).toBe(false);
    expect(
      isSpendAnomaly({ lastHourSpend: 10_000, averageHourlySpend: 10, factor: 3, limit: 1_000_000 }),
    ).toBe(true);
  });
  it('rule: factor 0 is off; no spend in the previous 7 days means no average and no anomaly', () => {
    expect(
      isSpendAnomaly({ lastHourSpend: 900_000, averageHourlySpend: avg, factor: 0, limit: 1_000_000 }),
    ).toBe(false);
    expect(
      isSpendAnomaly({ lastHourSpend: 900_000, averageHourlySpend: 0, factor: 3, limit: 1_000_000 }),
    ).toBe(false);
  });
});

describe('rule: delivery retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then failed', () => {
  it('rule: the schedule on a fake clock', () => {
    let at = new Date('2026-12-01T00:00:00Z');
    const seen: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const next = nextAttemptAt(attempt, at);
      if (!next) break;
      seen.push((next.getTime() - at.getTime()) / 1000);
      at = next;
    }
    expect(seen).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(seen).toEqual([...RETRY_DELAYS_SECS]);
    expect(nextAttemptAt(8, at)).toBeUndefined();
    expect(nextAttemptAt(1, at, [1])).toEqual(new Date(at.getTime() + 1000));
  });
  it('rule: an endpoint failing for 5 days is disabled, not before', () => {
    const since = new Date('2026-12-01T00:00:00Z');
    expect(shouldDisable(since, new Date('2026-12-05T23:59:59Z'))).toBe(false);
    expect(shouldDisable(since, new Date('2026-12-06T00:00:00Z'))).toBe(true);
    expect(shouldDisable(undefined, new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });
});
