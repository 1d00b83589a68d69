import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  candidateOrgDays,
  dayFromKey,
  dayKey,
  daysOpenForAggregation,
  epochSecs,
  eventTimeOutOfRange,
  isoUtc,
  isValidDay,
  isValidTimezone,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
  nextDay,
  nextLocalMidnight,
  orgDay,
  orgDayLengthHours,
  orgLocalTime,
  parseIsoInstant,
  previousDay,
  startOfOrgDay,
} from './org-time.js';

const at = (iso: string): Date => new Date(iso);
const HOUR = 3_600_000;

describe('rule: the org day is the calendar date in the org timezone', () => {
  it('rule: one instant falls on different org days in different timezones', () => {
    const instant = at('2026-01-23T03:30:00Z');
    expect(orgDay(instant, 'UTC')).toBe('2026-01-23');
    expect(orgDay(instant, 'America/New_York')).toBe('2026-01-22');
    expect(orgDay(instant, 'Asia/Tokyo')).toBe('2026-01-23');
    expect(orgDay(instant, 'America/Los_Angeles')).toBe('2026-01-22');
  });

  it('rule: a new org day starts exactly at local midnight', () => {
    // New York is UTC-5 in January: local midnight of 2026-01-23 is 05:00Z.
    expect(orgDay(at('2026-01-23T04:59:59.999Z'), 'America/New_York')).toBe('2026-01-22');
    expect(orgDay(at('2026-01-23T05:00:00.000Z'), 'America/New_York')).toBe('2026-01-23');
    expect(startOfOrgDay('2026-01-23', 'America/New_York')).toEqual(at('2026-01-23T05:00:00Z'));
  });

  it('rule: an invalid timezone is an error, not a silent UTC', () => {
    expect(() => orgDay(at('2026-01-23T03:30:00Z'), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('rule: a UTC+14 org (Pacific/Kiritimati) and a UTC-11 org (Pacific/Pago_Pago) are two org days apart at the same instant', () => {
    const instant = at('2026-01-23T10:30:00Z');
    expect(orgDay(instant, 'Pacific/Kiritimati')).toBe('2026-01-24'); // 00:30 local
    expect(orgDay(instant, 'Pacific/Pago_Pago')).toBe('2026-01-22'); // 23:30 local
    expect(orgDay(instant, 'Pacific/Niue')).toBe('2026-01-22');
  });

  it('rule: retry_after (next local midnight) is correct in UTC for UTC+14 and UTC-11 orgs', () => {
    const instant = at('2026-01-23T10:30:00Z');
    expect(isoUtc(nextLocalMidnight(instant, 'Pacific/Kiritimati'))).toBe('2026-01-24T10:00:00Z');
    expect(isoUtc(nextLocalMidnight(instant, 'Pacific/Pago_Pago'))).toBe('2026-01-23T11:00:00Z');
    expect(isoUtc(nextLocalMidnight(instant, 'UTC'))).toBe('2026-01-24T00:00:00Z');
  });

  it('rule: the next local midnight of an instant exactly at midnight is the following midnight', () => {
    expect(isoUtc(nextLocalMidnight(at('2026-01-23T05:00:00Z'), 'America/New_York'))).toBe(
      '2026-01-24T05:00:00Z',
    );
  });
});

describe('rule: DST is handled by the tz database (days of 23 and 25 hours)', () => {
  it('rule: America/New_York 2026-03-08 (spring forward) is 23 hours long', () => {
    expect(orgDayLengthHours('2026-03-08', 'America/New_York')).toBe(23);
    expect(orgDayLengthHours('2026-03-07', 'America/New_York')).toBe(24);
    expect(orgDayLengthHours('2026-03-09', 'America/New_York')).toBe(24);
  });

  it('rule: America/New_York 2026-11-01 (fall back) is 25 hours long', () => {
    expect(orgDayLengthHours('2026-11-01', 'America/New_York')).toBe(25);
  });

  it('rule: Europe/Berlin 2026-03-29 is 23 hours and 2026-10-25 is 25 hours', () => {
    expect(orgDayLengthHours('2026-03-29', 'Europe/Berlin')).toBe(23);
    expect(orgDayLengthHours('2026-10-25', 'Europe/Berlin')).toBe(25);
    expect(orgDayLengthHours('2026-06-15', 'Europe/Berlin')).toBe(24);
  });

  it('rule: a UTC org day is always 24 hours', () => {
    expect(orgDayLengthHours('2026-03-08', 'UTC')).toBe(24);
    expect(orgDayLengthHours('2026-11-01', 'UTC')).toBe(24);
  });

  it('rule: nextLocalMidnight across the New York spring-forward change uses the new offset (EDT)', () => {
    // 2026-03-08 01:00 EST (before the change) and 12:00 EDT (after) both end at 2026-03-09 00:00 EDT = 04:00Z.
    expect(isoUtc(nextLocalMidnight(at('2026-03-08T06:00:00Z'), 'America/New_York'))).toBe(
      '2026-03-09T04:00:00Z',
    );
    expect(isoUtc(nextLocalMidnight(at('2026-03-08T16:00:00Z'), 'America/New_York'))).toBe(
      '2026-03-09T04:00:00Z',
    );
    expect(
      nextLocalMidnight(at('2026-03-08T06:00:00Z'), 'America/New_York').getTime() -
        startOfOrgDay('2026-03-08', 'America/New_York').getTime(),
    ).toBe(23 * HOUR);
  });

  it('rule: nextLocalMidnight across the New York fall-back change uses the new offset (EST)', () => {
    // 2026-11-01 starts at 04:00Z (EDT) and ends at 2026-11-02 00:00 EST = 05:00Z.
    expect(isoUtc(startOfOrgDay('2026-11-01', 'America/New_York'))).toBe('2026-11-01T04:00:00Z');
    expect(isoUtc(nextLocalMidnight(at('2026-11-01T05:30:00Z'), 'America/New_York'))).toBe(
      '2026-11-02T05:00:00Z',
    );
    // 01:30 happens twice that night; both belong to 2026-11-01.
    expect(orgDay(at('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026-11-01');
    expect(orgDay(at('2026-11-01T06:30:00Z'), 'America/New_York')).toBe('2026-11-01');
  });

  it('rule: nextLocalMidnight across the Berlin changes (2026-03-29, 2026-10-25)', () => {
    expect(isoUtc(nextLocalMidnight(at('2026-03-29T00:30:00Z'), 'Europe/Berlin'))).toBe(
      '2026-03-29T22:00:00Z',
    );
    expect(isoUtc(nextLocalMidnight(at('2026-10-25T00:30:00Z'), 'Europe/Berlin'))).toBe(
      '2026-10-25T23:00:00Z',
    );
    expect(isoUtc(startOfOrgDay('2026-03-29', 'Europe/Berlin'))).toBe('2026-03-28T23:00:00Z');
    expect(isoUtc(startOfOrgDay('2026-10-25', 'Europe/Berlin'))).toBe('2026-10-24T22:00:00Z');
  });

  it('rule: on a day whose local midnight does not exist, the day starts at the first existing instant', () => {
    // America/Santiago springs forward at 00:00 on 2026-09-06: the day starts at 01:00 -03 = 04:00Z.
    expect(isoUtc(startOfOrgDay('2026-09-06', 'America/Santiago'))).toBe('2026-09-06T04:00:00Z');
    expect(isoUtc(nextLocalMidnight(at('2026-09-05T12:00:00Z'), 'America/Santiago'))).toBe(
      '2026-09-06T04:00:00Z',
    );
    expect(orgDayLengthHours('2026-09-06', 'America/Santiago')).toBe(23);
  });
});

describe('rule: usage events more than 5 minutes in the future or older than 24 hours are rejected', () => {
  const now = at('2026-03-10T12:00:00.000Z');
  const range = { earliest: '2026-03-09T12:00:00Z', latest: '2026-03-10T12:05:00Z' };

  it('rule: the window constants are 5 minutes and 24 hours', () => {
    expect(MAX_EVENT_FUTURE_MS).toBe(5 * 60 * 1000);
    expect(MAX_EVENT_AGE_MS).toBe(24 * 60 * 60 * 1000);
  });

  it('rule: now and exactly 5 minutes in the future are accepted', () => {
    expect(eventTimeOutOfRange(now, now)).toBeUndefined();
    expect(eventTimeOutOfRange(at('2026-03-10T12:05:00.000Z'), now)).toBeUndefined();
  });

  it('rule: 5 minutes + 1 ms in the future is rejected with the acceptable range', () => {
    expect(eventTimeOutOfRange(at('2026-03-10T12:05:00.001Z'), now)).toEqual(range);
  });

  it('rule: exactly 24 hours old is accepted', () => {
    expect(eventTimeOutOfRange(at('2026-03-09T12:00:00.000Z'), now)).toBeUndefined();
  });

  it('rule: older than 24 hours is rejected with the acceptable range as ISO UTC strings', () => {
    expect(eventTimeOutOfRange(at('2026-03-09T11:59:59.999Z'), now)).toEqual(range);
  });
});

describe('rule: the aggregator re-aggregates the previous org day for two hours after local midnight', () => {
  it('rule: the previous day is open during the first two hours after local midnight', () => {
    // New York is on EDT (UTC-4) after 2026-03-08: local midnight of 2026-03-10 is 04:00Z.
    expect(daysOpenForAggregation(at('2026-03-10T04:00:00Z'), 'America/New_York')).toEqual([
      '2026-03-09',
      '2026-03-10',
    ]);
    expect(daysOpenForAggregation(at('2026-03-10T05:59:59.999Z'), 'America/New_York')).toEqual([
      '2026-03-09',
      '2026-03-10',
    ]);
  });

  it('rule: from two hours after local midnight on, only today is open', () => {
    expect(daysOpenForAggregation(at('2026-03-10T06:00:00Z'), 'America/New_York')).toEqual(['2026-03-10']);
    expect(daysOpenForAggregation(at('2026-03-10T20:00:00Z'), 'America/New_York')).toEqual(['2026-03-10']);
  });

  it('rule: the grace window counts real hours on a DST change day', () => {
    // 2026-03-08 starts at 05:00Z (EST); two hours later is 07:00Z, which is 03:00 EDT local.
    expect(daysOpenForAggregation(at('2026-03-08T06:59:59.999Z'), 'America/New_York')).toEqual([
      '2026-03-07',
      '2026-03-08',
    ]);
    expect(daysOpenForAggregation(at('2026-03-08T07:00:00Z'), 'America/New_York')).toEqual(['2026-03-08']);
  });

  it('rule: the grace window crosses month and year boundaries', () => {
    expect(daysOpenForAggregation(at('2026-01-01T00:30:00Z'), 'UTC')).toEqual(['2025-12-31', '2026-01-01']);
  });
});

describe('rule: candidateOrgDays covers the org day of every zone from UTC-12 to UTC+14', () => {
  it('rule: at noon UTC the candidates are yesterday, today and tomorrow (UTC dates)', () => {
    expect(candidateOrgDays(at('2026-03-10T12:00:00Z'))).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
  });

  it('rule: at midnight UTC the candidates reach back to the day of an event 24 h old at UTC-12', () => {
    expect(candidateOrgDays(at('2026-03-10T00:00:00Z'))).toEqual(['2026-03-08', '2026-03-09', '2026-03-10']);
  });

  it('rule (property): the org day of every event the service accepts at `now` is a candidate, in every zone', () => {
    // A late event (up to 24 h old) for yesterday must reach yesterday's total (it did not past 14 h).
    const zones = ['Etc/GMT+12', 'America/New_York', 'UTC', 'Asia/Kolkata', 'Pacific/Kiritimati'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.integer({ min: -MAX_EVENT_AGE_MS, max: MAX_EVENT_FUTURE_MS }),
        fc.constantFrom(...zones),
        (ms: number, offset: number, tz: string) => {
          expect(candidateOrgDays(new Date(ms))).toContain(orgDay(new Date(ms + offset), tz));
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });

  it('rule (property): the org day, and any day still in its grace window, is a candidate in every zone', () => {
    const zones = [
      'Etc/GMT+12',
      'Pacific/Pago_Pago',
      'America/New_York',
      'UTC',
      'Asia/Kolkata',
      'Pacific/Kiritimati',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...zones),
        (ms: number, tz: string) => {
          const now = new Date(ms);
          const candidates = candidateOrgDays(now);
          expect(candidates).toContain(orgDay(now, tz));
          for (const day of daysOpenForAggregation(now, tz)) expect(candidates).toContain(day);
        },
      ),
      { numRuns: 500, seed: 42 },
    );
  });

  it('rule: the extreme zones at their grace-window edges are candidates', () => {
    // 01:59 local in UTC-12 (previous day still open) and 00:00 local in UTC+14.
    const now = at('2026-03-10T13:59:00Z');
    expect(daysOpenForAggregation(now, 'Etc/GMT+12')).toEqual(['2026-03-09', '2026-03-10']);
    expect(candidateOrgDays(now)).toEqual(expect.arrayContaining(['2026-03-09', '2026-03-10', '2026-03-11']));
    const kiritimatiMidnight = at('2026-03-10T10:00:00Z');
    expect(orgDay(kiritimatiMidnight, 'Pacific/Kiritimati')).toBe('2026-03-11');
    expect(candidateOrgDays(kiritimatiMidnight)).toContain('2026-03-11');
  });
});

describe('rule: the org day and next local midnight are remembered per zone, never stale', () => {
  it('rule (property): any sequence of instants and zones gives what luxon computes afresh', () => {
    // orgDay and nextLocalMidnight keep the last day window per zone; instants hop around day
    // boundaries (DST days included) and between zones so that hits, misses and edges all happen.
    const zones = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Pacific/Kiritimati', 'UTC'];
    const base = Date.UTC(2026, 2, 8, 0, 0, 0); // the US DST change (8 March 2026) is in range
    const step = fc.record({
      ms: fc.oneof(
        fc.integer({ min: -3 * 24 * HOUR, max: 30 * 24 * HOUR }),
        fc.integer({ min: -2, max: 2 }).map((n) => n * 3_600_000 + 5 * HOUR),
      ),
      tz: fc.constantFrom(...zones),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        for (const { ms, tz } of steps) {
          const instant = new Date(base + ms);
          const local = DateTime.fromJSDate(instant, { zone: tz });
          expect(orgDay(instant, tz)).toBe(local.toFormat('yyyy-MM-dd'));
          expect(nextLocalMidnight(instant, tz).getTime()).toBe(
            local.startOf('day').plus({ days: 1 }).startOf('day').toMillis(),
          );
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('rule: an instant exactly at local midnight belongs to the new day, one ms before to the old', () => {
    const midnight = at('2026-03-09T04:00:00Z'); // 00:00 in New York (EDT) on 9 March
    expect(orgDay(new Date(midnight.getTime() - 1), 'America/New_York')).toBe('2026-03-08');
    expect(orgDay(midnight, 'America/New_York')).toBe('2026-03-09');
    expect(orgDay(new Date(midnight.getTime() - 1), 'America/New_York')).toBe('2026-03-08');
    expect(nextLocalMidnight(new Date(midnight.getTime() - 1), 'America/New_York')).toEqual(midnight);
  });
});

describe('rule: timezones are IANA names checked against the tz database', () => {
  it('rule: real IANA zones are valid', () => {
    for (const tz of ['UTC', 'America/New_York', 'Europe/Berlin', 'Pacific/Kiritimati', 'Etc/GMT+12']) {
      expect(isValidTimezone(tz)).toBe(true);
    }
  });

  it('rule: unknown names, empty strings, overlong strings and non-strings are invalid', () => {
    for (const tz of ['Mars/Olympus_Mons', '', 'x'.repeat(65), 'America/New York', undefined, null, 5, {}]) {
      expect(isValidTimezone(tz)).toBe(false);
    }
  });
});

describe('rule: days are real calendar dates written YYYY-MM-DD; keys use YYYYMMDD', () => {
  it('rule: real dates are valid, including leap days', () => {
    expect(isValidDay('2026-01-23')).toBe(true);
    expect(isValidDay('2028-02-29')).toBe(true);
    expect(isValidDay('2026-12-31')).toBe(true);
  });

  it('rule: impossible dates and other formats are invalid', () => {
    for (const d of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-04-31',
      '20260123',
      '2026-1-23',
      '2026-01-23T00:00:00Z',
      '',
      20260123,
    ]) {
      expect(isValidDay(d)).toBe(false);
    }
  });

  it('rule: dayKey drops the dashes and dayFromKey restores them', () => {
    expect(dayKey('2026-01-23')).toBe('20260123');
    expect(dayFromKey('20260123')).toBe('2026-01-23');
    expect(dayFromKey(dayKey('2025-12-31'))).toBe('2025-12-31');
  });

  it('rule: previousDay and nextDay step over month, year and leap boundaries', () => {
    expect(previousDay('2026-01-01')).toBe('2025-12-31');
    expect(nextDay('2025-12-31')).toBe('2026-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(previousDay('2026-03-01')).toBe('2026-02-28');
  });
});

describe('rule: timestamps are ISO 8601 with an explicit zone', () => {
  it('rule: Z and numeric offsets are accepted and give the same instant', () => {
    const expected = at('2026-01-23T15:30:45Z');
    expect(parseIsoInstant('2026-01-23T15:30:45Z')).toEqual(expected);
    expect(parseIsoInstant('2026-01-23T10:30:45-05:00')).toEqual(expected);
    expect(parseIsoInstant('2026-01-23T21:00:45+05:30')).toEqual(expected);
    expect(parseIsoInstant('2026-01-23T21:00:45+0530')).toEqual(expected);
    expect(parseIsoInstant('2026-01-23T15:30:45.250Z')).toEqual(at('2026-01-23T15:30:45.250Z'));
    expect(parseIsoInstant('2026-01-23T15:30Z')).toEqual(at('2026-01-23T15:30:00Z'));
  });

  it('rule: a timestamp without a zone is rejected', () => {
    expect(parseIsoInstant('2026-01-23T15:30:45')).toBeUndefined();
    expect(parseIsoInstant('2026-01-23T15:30:45.123')).toBeUndefined();
    expect(parseIsoInstant('2026-01-23')).toBeUndefined();
  });

  it('rule: garbage, impossible dates, overlong strings and non-strings are rejected', () => {
    for (const raw of [
      'garbage',
      '',
      '2026-02-30T00:00:00Z',
      '2026-01-23T25:00:00Z',
      '2026-01-23 15:30:45Z',
      `2026-01-23T15:30:45.${'1'.repeat(40)}Z`,
      1_769_182_245_000,
      null,
      undefined,
    ]) {
      expect(parseIsoInstant(raw)).toBeUndefined();
    }
  });

  it('rule (property): UTC timestamps parsed without luxon give exactly what luxon gives', () => {
    // parseIsoInstant answers plain `...Z` timestamps itself (the hot path of every usage event).
    // Fields run past their ranges on purpose: impossible dates must still be refused.
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const luxon = (raw: string): number | undefined => {
      const dt = DateTime.fromISO(raw, { setZone: true });
      return dt.isValid ? dt.toMillis() : undefined;
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1900, 2000, 2024, 2025, 2026, 2100)),
        two(13),
        two(32),
        two(24),
        two(60),
        fc.option(two(60)),
        fc.option(fc.stringMatching(/^\d{1,9}$/)),
        (y, mo, d, h, mi, sec, frac) => {
          const raw =
            `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}` +
            (sec === null ? '' : `:${sec}${frac === null ? '' : `.${frac}`}`) +
            'Z';
          expect(parseIsoInstant(raw)?.getTime()).toBe(luxon(raw));
        },
      ),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('rule: isoUtc is ISO 8601 UTC with seconds precision (2026-01-23T15:30:45Z)', () => {
    expect(isoUtc(at('2026-01-23T15:30:45.678Z'))).toBe('2026-01-23T15:30:45Z');
    expect(isoUtc(at('2026-01-23T15:30:45Z'))).toBe('2026-01-23T15:30:45Z');
  });

  it('rule: epochSecs floors to whole seconds', () => {
    expect(epochSecs(at('2026-01-23T15:30:45.999Z'))).toBe(Date.UTC(2026, 0, 23, 15, 30, 45) / 1000);
  });
});

describe('rule: org_local_time is local wall time with offset, seconds precision (2026-01-23T10:30:45-05:00)', () => {
  it('rule: the local time carries the org offset', () => {
    expect(orgLocalTime(at('2026-01-23T15:30:45Z'), 'America/New_York')).toBe('2026-01-23T10:30:45-05:00');
    expect(orgLocalTime(at('2026-07-23T15:30:45Z'), 'America/New_York')).toBe('2026-07-23T11:30:45-04:00');
    expect(orgLocalTime(at('2026-01-23T15:30:45Z'), 'Asia/Kolkata')).toBe('2026-01-23T21:00:45+05:30');
    expect(orgLocalTime(at('2026-01-23T10:30:00Z'), 'Pacific/Kiritimati')).toBe('2026-01-24T00:30:00+14:00');
  });

  it('rule: the local time has seconds precision even when the instant has milliseconds', () => {
    // Clock.now() carries milliseconds in production; the API's timestamps (openapi/openapi.json) have none.
    expect(orgLocalTime(at('2026-01-23T15:30:45.678Z'), 'America/New_York')).toBe(
      '2026-01-23T10:30:45-05:00',
    );
  });
});
