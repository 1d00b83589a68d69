import { describe, expect, it } from '@jest/globals';
import {
  burnRate,
  clientGuidance,
  inFlightSpend,
  secsToTight,
  labelStatus,
  MIN_RATE_WINDOW_SECS,
  quotaPct,
  secsToCutover,
} from './quota-status.js';

const DEFAULT_INTERVALS = { refreshIntervalNormalSecs: 300, refreshIntervalTightSecs: 10 };

describe('rule: a label is EXCEEDED when spend >= quota, TIGHT when pct >= threshold, NORMAL otherwise', () => {
  it('rule: EXCEEDED when spend equals the quota', () => {
    expect(labelStatus(10_000_000, 10_000_000, 95)).toBe('EXCEEDED');
  });

  it('rule: EXCEEDED when spend is above the quota', () => {
    expect(labelStatus(10_000_001, 10_000_000, 95)).toBe('EXCEEDED');
  });

  it('rule: a quota of 0 is always EXCEEDED, even with no spend', () => {
    expect(labelStatus(0, 0, 95)).toBe('EXCEEDED');
    expect(labelStatus(1, 0, 95)).toBe('EXCEEDED');
  });

  it('rule: TIGHT at exactly the threshold percentage', () => {
    expect(labelStatus(9_500_000, 10_000_000, 95)).toBe('TIGHT');
    expect(labelStatus(500, 1_000, 50)).toBe('TIGHT');
  });

  it('rule: NORMAL just below the threshold', () => {
    expect(labelStatus(9_499_999, 10_000_000, 95)).toBe('NORMAL');
    expect(labelStatus(499, 1_000, 50)).toBe('NORMAL');
    expect(labelStatus(0, 10_000_000, 95)).toBe('NORMAL');
  });

  it('rule: TIGHT up to one micro-USD below the quota', () => {
    expect(labelStatus(9_999_999, 10_000_000, 95)).toBe('TIGHT');
  });

  it('rule: a threshold of 100 means TIGHT is never reached before EXCEEDED', () => {
    expect(labelStatus(9_999_999, 10_000_000, 100)).toBe('NORMAL');
    expect(labelStatus(10_000_000, 10_000_000, 100)).toBe('EXCEEDED');
  });

  it('rule: the threshold comparison is exact integer math (no float rounding at the boundary)', () => {
    // 95% of 3 = 2.85: spend 2 is NORMAL (66.7%); with quota 20 and threshold 95, 19 is exactly 95% -> TIGHT.
    expect(labelStatus(2, 3, 95)).toBe('NORMAL');
    expect(labelStatus(19, 20, 95)).toBe('TIGHT');
    // Large values: 95% of 9,007,199,254,740,990 is ...,940.5; quota * 95 is beyond float precision.
    const quota = 9_007_199_254_740_990;
    const exact95 = (BigInt(quota) * 95n) / 100n; // floor of x.5
    expect((BigInt(quota) * 95n) % 100n).toBe(50n);
    expect(labelStatus(Number(exact95), quota, 95)).toBe('NORMAL');
    expect(labelStatus(Number(exact95 + 1n), quota, 95)).toBe('TIGHT');
  });
});

describe('rule: quota_pct = spend / quota * 100 with one decimal', () => {
  it('rule: one decimal, rounded', () => {
    expect(quotaPct(3_760, 10_000_000)).toBe(0);
    expect(quotaPct(9_500_000, 10_000_000)).toBe(95);
    expect(quotaPct(1, 3)).toBe(33.3);
    expect(quotaPct(2, 3)).toBe(66.7);
    expect(quotaPct(12_345, 100_000)).toBe(12.3);
    expect(quotaPct(12_355, 100_000)).toBe(12.4);
  });

  it('rule: spend above the quota reads above 100', () => {
    expect(quotaPct(15_000_000, 10_000_000)).toBe(150);
  });

  it('rule: a quota of 0 reads as 100.0', () => {
    expect(quotaPct(0, 0)).toBe(100);
    expect(quotaPct(5, 0)).toBe(100);
  });

  it('rule: the value has at most one decimal', () => {
    for (const [spend, quota] of [
      [1, 7],
      [22, 7],
      [999_999, 1_000_000],
      [123_456_789, 987_654_321],
    ] as const) {
      const pct = quotaPct(spend, quota);
      expect(Math.round(pct * 10) / 10).toBe(pct);
      expect(Math.abs(pct - (spend / quota) * 100)).toBeLessThanOrEqual(0.05 + 1e-9);
    }
  });
});

describe('rule: client guidance follows the mode; cache duration equals the interval', () => {
  it('rule: NORMAL at the default interval -> PERIODIC_300S, cached 300 s', () => {
    const g = clientGuidance('NORMAL', DEFAULT_INTERVALS);
    expect(g.checkFrequency).toBe('PERIODIC_300S');
    expect(g.cacheDurationSecs).toBe(300);
    expect(g.explanation).toMatch(/300 seconds/);
  });

  it('rule: TIGHT at the default interval -> PERIODIC_10S, cached 10 s', () => {
    const g = clientGuidance('TIGHT', DEFAULT_INTERVALS);
    expect(g.checkFrequency).toBe('PERIODIC_10S');
    expect(g.cacheDurationSecs).toBe(10);
    expect(g.explanation).toMatch(/10 seconds/);
  });

  it('rule: custom intervals are used as configured', () => {
    const intervals = { refreshIntervalNormalSecs: 120, refreshIntervalTightSecs: 15 };
    expect(clientGuidance('NORMAL', intervals)).toMatchObject({
      checkFrequency: 'PERIODIC_120S',
      cacheDurationSecs: 120,
    });
    expect(clientGuidance('TIGHT', intervals)).toMatchObject({
      checkFrequency: 'PERIODIC_15S',
      cacheDurationSecs: 15,
    });
  });
});

describe('rule: the calls in flight count (predictive cut-over)', () => {
  const T0 = new Date('2026-03-10T08:12:00Z');
  const at = (secs: number) => new Date(T0.getTime() + secs * 1000);
  // (b)-like: $1 a minute, calls take 5 s from start to report, about $0.005 a call (cost-weighted).
  const flow = { rateUsdMicrosPerSec: 16_000, leadSecs: 5, lumpUsdMicros: 5_000 };

  it('rule: in flight = rate x lead time plus one standard deviation (sqrt(expected x E[c²]/E[c]))', () => {
    // expected 80,000; sqrt(80,000 x 5,000) = 20,000
    expect(inFlightSpend(flow)).toBe(100_000);
    expect(inFlightSpend({ ...flow, lumpUsdMicros: 0 })).toBe(80_000);
    expect(inFlightSpend(undefined)).toBe(0);
    expect(inFlightSpend({ ...flow, rateUsdMicrosPerSec: 0 })).toBe(0);
    expect(inFlightSpend({ ...flow, leadSecs: 0 })).toBe(0);
  });

  it('rule: EXCEEDED when spend plus the spend in flight reaches the quota, before the spend does', () => {
    expect(labelStatus(9_900_000, 10_000_000, 95, 100_000)).toBe('EXCEEDED');
    expect(labelStatus(9_899_999, 10_000_000, 95, 100_000)).toBe('TIGHT');
    // The estimate only ever moves EXCEEDED earlier: NORMAL and TIGHT still come from spend alone.
    expect(labelStatus(9_000_000, 10_000_000, 95, 500_000)).toBe('NORMAL');
    expect(labelStatus(9_500_000, 10_000_000, 95, 100_000)).toBe('TIGHT');
    expect(labelStatus(10_000_000, 10_000_000, 95, 0)).toBe('EXCEEDED');
    expect(labelStatus(0, 0, 95, 0)).toBe('EXCEEDED');
  });

  it('rule: the burn rate is what live spend holds beyond the aggregated total, over the time since it was written', () => {
    const total = { costUsdMicros: 9_000_000, at: T0 };
    expect(burnRate(total, 9_480_000, at(30))).toBe(16_000);
    expect(burnRate(total, 9_000_000, at(30))).toBe(0);
    // Live below the total (another day's total, a lagging read): no negative rate.
    expect(burnRate(total, 8_000_000, at(30))).toBe(0);
    // A window shorter than MIN_RATE_WINDOW_SECS holds too few calls: no rate.
    expect(burnRate(total, 9_100_000, at(MIN_RATE_WINDOW_SECS - 0.001))).toBeUndefined();
    expect(burnRate(total, 9_160_000, at(MIN_RATE_WINDOW_SECS))).toBe(16_000);
    expect(burnRate(total, 9_100_000, at(-5))).toBeUndefined();
  });

  it('rule: the cut-over comes when what is left equals the spend in flight, at the current rate', () => {
    // 10,000,000 - 9,500,000 - 100,000 = 400,000 left at 16,000/s: 25 s.
    expect(secsToCutover(9_500_000, 10_000_000, flow)).toBe(25);
    expect(secsToCutover(9_900_000, 10_000_000, flow)).toBe(0);
    expect(secsToCutover(10_500_000, 10_000_000, flow)).toBe(0);
    expect(secsToCutover(9_500_000, 10_000_000, undefined)).toBeUndefined();
    expect(secsToCutover(9_500_000, 10_000_000, { ...flow, rateUsdMicrosPerSec: 0 })).toBeUndefined();
  });

  it('rule: a TIGHT answer expires at the predicted cut-over when it comes before the tight interval', () => {
    expect(clientGuidance('TIGHT', DEFAULT_INTERVALS, 25)).toMatchObject({ cacheDurationSecs: 10 });
    expect(clientGuidance('TIGHT', DEFAULT_INTERVALS, 10)).toMatchObject({ cacheDurationSecs: 10 });
    const soon = clientGuidance('TIGHT', DEFAULT_INTERVALS, 6.9);
    expect(soon).toMatchObject({ checkFrequency: 'PERIODIC_10S', cacheDurationSecs: 6 });
    expect(soon.explanation).toMatch(/in about 6 seconds/);
    // Never below one second (a client re-selects then, and hears EXCEEDED).
    expect(clientGuidance('TIGHT', DEFAULT_INTERVALS, 0.4).cacheDurationSecs).toBe(1);
    expect(clientGuidance('TIGHT', DEFAULT_INTERVALS, 0).cacheDurationSecs).toBe(1);
    // NORMAL answers ignore the cut-over (they are not near it).
    expect(clientGuidance('NORMAL', DEFAULT_INTERVALS, 5).cacheDurationSecs).toBe(300);
  });

  it('secsToTight: seconds until the spend reaches the TIGHT threshold at the live burn rate', () => {
    const flow = { rateUsdMicrosPerSec: 1_000, leadSecs: 5, lumpUsdMicros: 2_000 };
    // 85 % of 1,000,000 is 850,000: 50,000 to go at 1,000/s.
    expect(secsToTight(800_000, 1_000_000, 85, flow)).toBe(50);
    expect(secsToTight(850_000, 1_000_000, 85, flow)).toBe(0);
    expect(secsToTight(900_000, 1_000_000, 85, flow)).toBe(0);
    expect(secsToTight(800_000, 1_000_000, 85, undefined)).toBeUndefined();
    expect(secsToTight(800_000, 1_000_000, 85, { ...flow, rateUsdMicrosPerSec: 0 })).toBeUndefined();
  });

  it('rule: a NORMAL answer expires when the label is predicted to turn TIGHT, not before the tight interval', () => {
    expect(clientGuidance('NORMAL', DEFAULT_INTERVALS, undefined, 400).cacheDurationSecs).toBe(300);
    expect(clientGuidance('NORMAL', DEFAULT_INTERVALS, undefined, 300).cacheDurationSecs).toBe(300);
    const soon = clientGuidance('NORMAL', DEFAULT_INTERVALS, undefined, 42.7);
    expect(soon).toMatchObject({ checkFrequency: 'PERIODIC_300S', cacheDurationSecs: 42 });
    expect(soon.explanation).toMatch(/tight threshold in about 42 seconds/);
    expect(clientGuidance('NORMAL', DEFAULT_INTERVALS, undefined, 3).cacheDurationSecs).toBe(10);
    expect(clientGuidance('NORMAL', DEFAULT_INTERVALS, undefined, 0).cacheDurationSecs).toBe(10);
    // TIGHT answers ignore it (they are past the threshold).
    expect(clientGuidance('TIGHT', DEFAULT_INTERVALS, undefined, 3).cacheDurationSecs).toBe(10);
  });
});
