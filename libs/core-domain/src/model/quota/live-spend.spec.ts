import { describe, expect, it } from '@jest/globals';
import {
  LIVE_READ_MARGIN_PCT,
  nearLimit,
  observeTotal,
  STALE_AFTER_INTERVALS,
  unaggregatedBound,
} from './live-spend.js';

describe('nearLimit', () => {
  it('is near from LIVE_READ_MARGIN_PCT points below the TIGHT threshold, exactly', () => {
    expect(LIVE_READ_MARGIN_PCT).toBe(10);
    expect(nearLimit({ spendUsdMicros: 849_999, limitUsdMicros: 1_000_000 }, 95)).toBe(false);
    expect(nearLimit({ spendUsdMicros: 850_000, limitUsdMicros: 1_000_000 }, 95)).toBe(true);
    expect(nearLimit({ spendUsdMicros: 2_000_000, limitUsdMicros: 1_000_000 }, 95)).toBe(true);
  });

  it('a threshold below the margin makes every line near; no line is never near; a zero limit always is', () => {
    expect(nearLimit({ spendUsdMicros: 0, limitUsdMicros: 1_000_000 }, 5)).toBe(true);
    expect(nearLimit(undefined, 95)).toBe(false);
    expect(nearLimit({ spendUsdMicros: 0, limitUsdMicros: 0 }, 95)).toBe(true);
  });

  it('uses exact integer math for large values', () => {
    const limit = 9_007_199_254_740_000;
    expect(nearLimit({ spendUsdMicros: (limit / 100) * 85 - 1, limitUsdMicros: limit }, 95)).toBe(false);
    expect(nearLimit({ spendUsdMicros: (limit / 100) * 85, limitUsdMicros: limit }, 95)).toBe(true);
  });
});

describe('observeTotal', () => {
  const t0 = Date.parse('2026-03-10T12:00:00Z');

  it('knows no burn from one total, then the burn between two', () => {
    const first = observeTotal(undefined, { costUsdMicros: 1000, updatedAtMs: t0 });
    expect(first).toEqual({ costUsdMicros: 1000, updatedAtMs: t0, burnUsdMicrosPerSec: undefined });
    const second = observeTotal(first, { costUsdMicros: 7000, updatedAtMs: t0 + 60_000 });
    expect(second).toEqual({ costUsdMicros: 7000, updatedAtMs: t0 + 60_000, burnUsdMicrosPerSec: 100 });
  });

  it('ignores the same or an older total and a missing one; a lower total burns nothing', () => {
    const known = { costUsdMicros: 7000, updatedAtMs: t0, burnUsdMicrosPerSec: 100 };
    expect(observeTotal(known, { costUsdMicros: 9000, updatedAtMs: t0 })).toBe(known);
    expect(observeTotal(known, { costUsdMicros: 1, updatedAtMs: t0 - 1 })).toBe(known);
    expect(observeTotal(known, undefined)).toBe(known);
    expect(observeTotal(undefined, undefined)).toBeUndefined();
    expect(observeTotal(known, { costUsdMicros: 10, updatedAtMs: NaN })).toBe(known);
    expect(observeTotal(known, { costUsdMicros: 10, updatedAtMs: t0 + 1000 })?.burnUsdMicrosPerSec).toBe(0);
  });
});

describe('unaggregatedBound', () => {
  const t0 = Date.parse('2026-03-10T12:00:00Z');
  const known = { costUsdMicros: 7000, updatedAtMs: t0, burnUsdMicrosPerSec: 100 };

  it('is the burn over the age of the total plus one interval', () => {
    expect(unaggregatedBound(known, t0, 60)).toBe(6000);
    expect(unaggregatedBound(known, t0 + 30_000, 60)).toBe(9000);
    // A clock behind the aggregator's counts as age 0.
    expect(unaggregatedBound(known, t0 - 5000, 60)).toBe(6000);
    expect(unaggregatedBound({ ...known, burnUsdMicrosPerSec: 0.3 }, t0 + 1000, 60)).toBe(19);
  });

  it('cannot bound without a total, without a burn, or with a stale total', () => {
    expect(unaggregatedBound(undefined, t0, 60)).toBeUndefined();
    expect(unaggregatedBound({ ...known, burnUsdMicrosPerSec: undefined }, t0, 60)).toBeUndefined();
    const stale = t0 + STALE_AFTER_INTERVALS * 60_000;
    expect(unaggregatedBound(known, stale, 60)).toBe(24_000);
    expect(unaggregatedBound(known, stale + 1, 60)).toBeUndefined();
  });
});
