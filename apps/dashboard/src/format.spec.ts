import { describe, expect, it } from '@jest/globals';
import { addDays, ago, daysBetween, localMidnightUtc, pct, usd } from './format.js';

describe('dashboard formatting', () => {
  it('money from micro-USD: cents, and four decimals below a cent', () => {
    expect(usd(0)).toBe('$0.00');
    expect(usd(3760)).toBe('$0.0038');
    expect(usd(1_932_000)).toBe('$1.93');
    expect(usd(1_234_567_890)).toBe('$1,234.57');
    expect(pct(96.6)).toBe('96.6 %');
    expect(ago(12)).toBe('12 s ago');
    expect(ago(60)).toBe('1 min ago');
    expect(ago(5400)).toBe('1.5 h ago');
  });

  it('calendar days across a month end and a leap day', () => {
    expect(daysBetween('2028-02-27', '2028-03-01')).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    expect(addDays('2026-11-19', -6)).toBe('2026-11-13');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it("an org day's local midnight in UTC, on DST days too", () => {
    expect(localMidnightUtc('2026-11-19', 'UTC')).toBe('2026-11-19T00:00:00Z');
    expect(localMidnightUtc('2026-11-19', 'Europe/Berlin')).toBe('2026-11-18T23:00:00Z');
    expect(localMidnightUtc('2026-07-01', 'Europe/Berlin')).toBe('2026-06-30T22:00:00Z');
    // The days after the spring and autumn changes in New York (midnight is unaffected, the offset is not).
    expect(localMidnightUtc('2026-03-09', 'America/New_York')).toBe('2026-03-09T04:00:00Z');
    expect(localMidnightUtc('2026-11-02', 'America/New_York')).toBe('2026-11-02T05:00:00Z');
    expect(localMidnightUtc('2026-01-10', 'Asia/Kolkata')).toBe('2026-01-09T18:30:00Z');
    expect(localMidnightUtc('2026-01-10', 'Pacific/Chatham')).toBe('2026-01-09T10:15:00Z');
  });
});
