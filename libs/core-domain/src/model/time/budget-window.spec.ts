import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addDays,
  type BudgetPeriod,
  daysBetween,
  daysOf,
  isoWeekday,
  parsePeriodStart,
  periodAt,
  periodKeyOf,
  periodOfDay,
  type WeekStart,
  windowOfKey,
  type WindowKind,
} from './budget-window.js';
import { isoUtc } from './org-time.js';

const at = (iso: string): Date => new Date(iso);
const HOUR = 3_600_000;

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'UTC',
  'Pacific/Kiritimati',
  'America/St_Johns',
];
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2031, 0, 1) - 1;
const RUNS = 300;

/** The kinds and week starts under test: DAY, WEEK from Monday, WEEK from Sunday, MONTH. */
const CASES: Array<{ name: string; kind: WindowKind; weekStart: WeekStart }> = [
  { name: 'DAY', kind: 'DAY', weekStart: 'MONDAY' },
  { name: 'WEEK (MONDAY start)', kind: 'WEEK', weekStart: 'MONDAY' },
  { name: 'WEEK (SUNDAY start)', kind: 'WEEK', weekStart: 'SUNDAY' },
  { name: 'MONTH', kind: 'MONTH', weekStart: 'MONDAY' },
];

/** The same period computed by luxon directly, from the tz database. */
function luxonPeriod(kind: WindowKind, instant: Date, tz: string, weekStart: WeekStart) {
  const local = DateTime.fromJSDate(instant, { zone: tz });
  let start: DateTime;
  let end: DateTime;
  if (kind === 'DAY') {
    start = local.startOf('day');
    end = start.plus({ days: 1 }).startOf('day');
  } else if (kind === 'WEEK') {
    const day = local.startOf('day');
    const first = weekStart === 'MONDAY' ? 1 : 7;
    const back = (day.weekday - first + 7) % 7;
    start = day.minus({ days: back }).startOf('day');
    end = start.plus({ days: 7 }).startOf('day');
  } else {
    start = local.startOf('month');
    end = start.plus({ months: 1 }).startOf('month');
  }
  const lastDay = end.minus({ days: 1 }).startOf('day');
  return {
    start: start.toMillis(),
    end: end.toMillis(),
    firstDay: start.toFormat('yyyy-MM-dd'),
    lastDay: lastDay.toFormat('yyyy-MM-dd'),
    firstWeekday: start.weekday,
    days: Math.round(lastDay.diff(start, 'days').days) + 1,
  };
}

/**
 * Instants over 2024-2030 in the zones above: anywhere, or snapped onto a local day / week / month
 * boundary (of luxon's) and nudged by a millisecond or an hour either way, so edges are hit often.
 */
const instantArb = fc
  .record({
    ms: fc.integer({ min: FROM, max: TO }),
    tz: fc.constantFrom(...ZONES),
    snap: fc.constantFrom('none', 'none', 'day', 'week', 'month'),
    nudge: fc.constantFrom(-HOUR, -1, 0, 0, 1, HOUR),
  })
  .map(({ ms, tz, snap, nudge }) => {
    if (snap === 'none') return { instant: new Date(ms), tz };
    const local = DateTime.fromJSDate(new Date(ms), { zone: tz });
    const edge =
      snap === 'day'
        ? local.startOf('day')
        : snap === 'week'
          ? local.startOf('week') // an ISO (Monday) week start; Sunday starts are hit by 'day'
          : local.startOf('month');
    return { instant: new Date(edge.toMillis() + nudge), tz };
  });

const KEY_FORMAT: Record<WindowKind, RegExp> = {
  DAY: /^D#\d{4}-\d{2}-\d{2}$/,
  WEEK: /^W#\d{4}-\d{2}-\d{2}$/,
  MONTH: /^M#\d{4}-\d{2}$/,
};

function forAll(body: (instant: Date, tz: string) => void, seed: number) {
  fc.assert(
    fc.property(instantArb, ({ instant, tz }) => body(instant, tz)),
    { numRuns: RUNS, seed },
  );
}

describe('rule (property): periods are calendar-aligned in the org timezone, as the tz database says', () => {
  it.each(CASES)('rule: $name: start <= instant < end', ({ kind, weekStart }) => {
    forAll((instant, tz) => {
      const p = periodAt(kind, instant, tz, weekStart);
      expect(p.kind).toBe(kind);
      expect(p.start.getTime()).toBeLessThanOrEqual(instant.getTime());
      expect(instant.getTime()).toBeLessThan(p.end.getTime());
    }, 101);
  });

  it.each(CASES)(
    'rule: $name: start is local midnight of the first day and end local midnight after the last (luxon)',
    ({ kind, weekStart }) => {
      forAll((instant, tz) => {
        const p = periodAt(kind, instant, tz, weekStart);
        const ref = luxonPeriod(kind, instant, tz, weekStart);
        expect({
          start: p.start.getTime(),
          end: p.end.getTime(),
          firstDay: p.firstDay,
          lastDay: p.lastDay,
        }).toEqual({ start: ref.start, end: ref.end, firstDay: ref.firstDay, lastDay: ref.lastDay });
        // The start really is local midnight in the zone.
        const localStart = DateTime.fromJSDate(p.start, { zone: tz });
        expect(localStart.toFormat('yyyy-MM-dd HH:mm:ss.SSS')).toBe(`${p.firstDay} 00:00:00.000`);
        expect(DateTime.fromJSDate(p.end, { zone: tz }).toFormat('HH:mm:ss.SSS')).toBe('00:00:00.000');
        expect(DateTime.fromJSDate(p.end, { zone: tz }).toFormat('yyyy-MM-dd')).toBe(addDays(p.lastDay, 1));
      }, 202);
    },
  );

  it.each(CASES)(
    'rule: $name: the key is D#YYYY-MM-DD / W#YYYY-MM-DD / M#YYYY-MM of the first day',
    ({ kind, weekStart }) => {
      forAll((instant, tz) => {
        const p = periodAt(kind, instant, tz, weekStart);
        const ref = luxonPeriod(kind, instant, tz, weekStart);
        expect(p.key).toMatch(KEY_FORMAT[kind]);
        expect(windowOfKey(p.key)).toBe(kind);
        expect(p.key).toBe(periodKeyOf(kind, p.firstDay));
        if (kind === 'DAY') {
          expect(p.key).toBe(`D#${ref.firstDay}`);
          expect(p.firstDay).toBe(DateTime.fromJSDate(instant, { zone: tz }).toFormat('yyyy-MM-dd'));
        }
        if (kind === 'WEEK') {
          expect(p.key).toBe(`W#${ref.firstDay}`);
          // A Monday (ISO 1) or a Sunday (ISO 7), as the org's weeks start.
          expect(ref.firstWeekday).toBe(weekStart === 'MONDAY' ? 1 : 7);
          expect(isoWeekday(p.firstDay)).toBe(weekStart === 'MONDAY' ? 1 : 7);
        }
        if (kind === 'MONTH') {
          expect(p.key).toBe(`M#${DateTime.fromJSDate(instant, { zone: tz }).toFormat('yyyy-MM')}`);
          expect(p.firstDay.endsWith('-01')).toBe(true);
        }
      }, 303);
    },
  );

  it.each(CASES)(
    'rule: $name: daysOf lists 1 / 7 / 28..31 consecutive local dates',
    ({ kind, weekStart }) => {
      forAll((instant, tz) => {
        const p = periodAt(kind, instant, tz, weekStart);
        const ref = luxonPeriod(kind, instant, tz, weekStart);
        const days = daysOf(p);
        if (kind === 'DAY') expect(days).toHaveLength(1);
        if (kind === 'WEEK') expect(days).toHaveLength(7);
        if (kind === 'MONTH') {
          expect(days.length).toBeGreaterThanOrEqual(28);
          expect(days.length).toBeLessThanOrEqual(31);
          expect(days).toHaveLength(DateTime.fromISO(p.firstDay, { zone: 'UTC' }).daysInMonth!);
        }
        expect(days).toHaveLength(ref.days);
        expect(days[0]).toBe(p.firstDay);
        expect(days[days.length - 1]).toBe(p.lastDay);
        expect(daysBetween(p.firstDay, p.lastDay)).toBe(days.length - 1);
        const first = DateTime.fromISO(p.firstDay, { zone: 'UTC' });
        days.forEach((d, i) => {
          expect(d).toBe(first.plus({ days: i }).toFormat('yyyy-MM-dd'));
          if (i > 0) expect(d).toBe(addDays(days[i - 1]!, 1));
        });
      }, 404);
    },
  );

  it.each(CASES)(
    'rule: $name: consecutive periods tile (the end of one is the start of the next)',
    ({ kind, weekStart }) => {
      forAll((instant, tz) => {
        const p = periodAt(kind, instant, tz, weekStart);
        const next = periodAt(kind, p.end, tz, weekStart);
        expect(next.start.getTime()).toBe(p.end.getTime());
        expect(next.firstDay).toBe(addDays(p.lastDay, 1));
        expect(next.key).not.toBe(p.key);
        const previous = periodAt(kind, new Date(p.start.getTime() - 1), tz, weekStart);
        expect(previous.end.getTime()).toBe(p.start.getTime());
        expect(previous.lastDay).toBe(addDays(p.firstDay, -1));
        // The last millisecond of the period is still in it.
        expect(periodAt(kind, new Date(p.end.getTime() - 1), tz, weekStart).key).toBe(p.key);
      }, 505);
    },
  );

  it.each(CASES)(
    'rule: $name: periodOfDay of any day of the period is the same period',
    ({ kind, weekStart }) => {
      forAll((instant, tz) => {
        const p = periodAt(kind, instant, tz, weekStart);
        for (const day of [p.firstDay, p.lastDay]) {
          expect(periodOfDay(kind, day, tz, weekStart)).toEqual(p);
        }
      }, 606);
    },
  );
});

describe('rule (property): calendar arithmetic on dates matches luxon', () => {
  const dayArb = fc
    .integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 11, 31) })
    .map((ms) => new Date(ms).toISOString().slice(0, 10));

  it('rule: addDays, daysBetween and isoWeekday agree with luxon', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: -800, max: 800 }), (day, n) => {
        const d = DateTime.fromISO(day, { zone: 'UTC' });
        const moved = addDays(day, n);
        expect(moved).toBe(d.plus({ days: n }).toFormat('yyyy-MM-dd'));
        expect(daysBetween(day, moved)).toBe(n);
        expect(daysBetween(moved, day)).toBe(0 - n);
        expect(isoWeekday(day)).toBe(d.weekday);
      }),
      { numRuns: 500, seed: 707 },
    );
  });
});

function hours(p: BudgetPeriod): number {
  return (p.end.getTime() - p.start.getTime()) / HOUR;
}

describe('rule: a day runs from local midnight to local midnight, 23 or 25 hours on DST days', () => {
  it('rule: America/New_York 2026-03-08 (spring forward) is 23 hours, 2026-11-01 (fall back) is 25', () => {
    const spring = periodOfDay('DAY', '2026-03-08', 'America/New_York', 'MONDAY');
    expect(spring.key).toBe('D#2026-03-08');
    expect(isoUtc(spring.start)).toBe('2026-03-08T05:00:00Z');
    expect(isoUtc(spring.end)).toBe('2026-03-09T04:00:00Z');
    expect(hours(spring)).toBe(23);
    const fall = periodOfDay('DAY', '2026-11-01', 'America/New_York', 'MONDAY');
    expect(isoUtc(fall.start)).toBe('2026-11-01T04:00:00Z');
    expect(isoUtc(fall.end)).toBe('2026-11-02T05:00:00Z');
    expect(hours(fall)).toBe(25);
    expect(hours(periodOfDay('DAY', '2026-03-07', 'America/New_York', 'MONDAY'))).toBe(24);
  });

  it('rule: the instant of an exhausted day in New York finds that 23-hour day', () => {
    const p = periodAt('DAY', at('2026-03-08T20:00:00Z'), 'America/New_York', 'MONDAY');
    expect(p.key).toBe('D#2026-03-08');
    expect(hours(p)).toBe(23);
  });

  it("rule: Australia/Lord_Howe's 30-minute DST change gives days of 24.5 and 23.5 hours", () => {
    const april = periodOfDay('DAY', '2026-04-05', 'Australia/Lord_Howe', 'MONDAY');
    expect(isoUtc(april.start)).toBe('2026-04-04T13:00:00Z');
    expect(isoUtc(april.end)).toBe('2026-04-05T13:30:00Z');
    expect(hours(april)).toBe(24.5);
    const october = periodOfDay('DAY', '2026-10-04', 'Australia/Lord_Howe', 'MONDAY');
    expect(isoUtc(october.start)).toBe('2026-10-03T13:30:00Z');
    expect(isoUtc(october.end)).toBe('2026-10-04T13:00:00Z');
    expect(hours(october)).toBe(23.5);
  });

  it('rule: a week containing a DST change is 7 days minus or plus the change (America/New_York)', () => {
    const p = periodAt('WEEK', at('2026-03-08T20:00:00Z'), 'America/New_York', 'MONDAY');
    expect(p.key).toBe('W#2026-03-02');
    expect(hours(p)).toBe(7 * 24 - 1);
    const sunday = periodAt('WEEK', at('2026-03-08T20:00:00Z'), 'America/New_York', 'SUNDAY');
    expect(sunday.key).toBe('W#2026-03-08');
    expect(isoUtc(sunday.start)).toBe('2026-03-08T05:00:00Z');
    expect(hours(sunday)).toBe(7 * 24 - 1);
  });
});

describe('rule: month and year ends', () => {
  it('rule: 2026-12-31 is in M#2026-12, which ends at 2027-01-01 local midnight', () => {
    const p = periodOfDay('MONTH', '2026-12-31', 'America/New_York', 'MONDAY');
    expect(p).toMatchObject({
      kind: 'MONTH',
      key: 'M#2026-12',
      firstDay: '2026-12-01',
      lastDay: '2026-12-31',
    });
    expect(isoUtc(p.start)).toBe('2026-12-01T05:00:00Z');
    expect(isoUtc(p.end)).toBe('2027-01-01T05:00:00Z');
    expect(daysOf(p)).toHaveLength(31);
    const lastMs = periodAt('MONTH', at('2027-01-01T04:59:59.999Z'), 'America/New_York', 'MONDAY');
    expect(lastMs.key).toBe('M#2026-12');
    const firstMs = periodAt('MONTH', at('2027-01-01T05:00:00.000Z'), 'America/New_York', 'MONDAY');
    expect(firstMs.key).toBe('M#2027-01');
  });

  it('rule: the same instant is in different months in UTC+14 and UTC', () => {
    const instant = at('2026-12-31T12:00:00Z');
    expect(periodAt('MONTH', instant, 'Pacific/Kiritimati', 'MONDAY').key).toBe('M#2027-01');
    expect(periodAt('MONTH', instant, 'UTC', 'MONDAY').key).toBe('M#2026-12');
    expect(isoUtc(periodAt('MONTH', instant, 'Pacific/Kiritimati', 'MONDAY').start)).toBe(
      '2026-12-31T10:00:00Z',
    );
  });

  it('rule: the leap February 2028 has 29 days and ends at 2028-03-01 local midnight', () => {
    const p = periodOfDay('MONTH', '2028-02-15', 'Australia/Lord_Howe', 'MONDAY');
    expect(p).toMatchObject({ key: 'M#2028-02', firstDay: '2028-02-01', lastDay: '2028-02-29' });
    expect(daysOf(p)).toHaveLength(29);
    expect(isoUtc(p.end)).toBe('2028-02-29T13:00:00Z'); // +11:00 (Lord Howe summer time)
    expect(daysOf(periodOfDay('MONTH', '2026-02-15', 'UTC', 'MONDAY'))).toHaveLength(28);
  });

  it('rule: a week across a year end keeps the key of the local date it starts on', () => {
    const p = periodOfDay('WEEK', '2027-01-01', 'UTC', 'MONDAY');
    expect(p).toMatchObject({ key: 'W#2026-12-28', firstDay: '2026-12-28', lastDay: '2027-01-03' });
    expect(daysOf(p)).toEqual([
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
    ]);
  });
});

describe('rule: a week starts at local midnight of the org week start (MONDAY by default, or SUNDAY)', () => {
  it('rule: the week of 2026-12-01 is W#2026-11-30 (MONDAY) and W#2026-11-29 (SUNDAY)', () => {
    const monday = periodOfDay('WEEK', '2026-12-01', 'America/New_York', 'MONDAY');
    expect(monday).toMatchObject({ key: 'W#2026-11-30', firstDay: '2026-11-30', lastDay: '2026-12-06' });
    expect(isoUtc(monday.start)).toBe('2026-11-30T05:00:00Z');
    expect(isoUtc(monday.end)).toBe('2026-12-07T05:00:00Z');
    const sunday = periodOfDay('WEEK', '2026-12-01', 'America/New_York', 'SUNDAY');
    expect(sunday).toMatchObject({ key: 'W#2026-11-29', firstDay: '2026-11-29', lastDay: '2026-12-05' });
    expect(isoUtc(sunday.end)).toBe('2026-12-06T05:00:00Z');
  });

  it('rule: a Sunday is the last day of a Monday week and the first of a Sunday week', () => {
    expect(periodOfDay('WEEK', '2026-11-29', 'UTC', 'MONDAY').key).toBe('W#2026-11-23');
    expect(periodOfDay('WEEK', '2026-11-29', 'UTC', 'SUNDAY').key).toBe('W#2026-11-29');
    expect(periodOfDay('WEEK', '2026-11-30', 'UTC', 'MONDAY').key).toBe('W#2026-11-30');
    expect(periodOfDay('WEEK', '2026-11-28', 'UTC', 'SUNDAY').key).toBe('W#2026-11-22');
  });

  it('rule: the Monday reset falls at local midnight of each org, not at a proxy-wide hour', () => {
    const instant = at('2026-11-30T03:00:00Z'); // Monday 03:00 UTC, still Sunday in New York
    expect(periodAt('WEEK', instant, 'UTC', 'MONDAY').key).toBe('W#2026-11-30');
    expect(periodAt('WEEK', instant, 'America/New_York', 'MONDAY').key).toBe('W#2026-11-23');
    expect(isoUtc(periodAt('WEEK', instant, 'Asia/Kolkata', 'MONDAY').start)).toBe('2026-11-29T18:30:00Z');
  });
});

describe('rule: period keys and URL period starts', () => {
  it('rule: windowOfKey reads D#, W# and M# and nothing else', () => {
    expect(windowOfKey('D#2026-12-01')).toBe('DAY');
    expect(windowOfKey('W#2026-11-30')).toBe('WEEK');
    expect(windowOfKey('M#2026-12')).toBe('MONTH');
    expect(windowOfKey('Y#2026')).toBeUndefined();
    expect(windowOfKey('2026-12-01')).toBeUndefined();
  });

  it('rule: periodKeyOf formats the key from the first local date', () => {
    expect(periodKeyOf('DAY', '2026-12-01')).toBe('D#2026-12-01');
    expect(periodKeyOf('WEEK', '2026-11-30')).toBe('W#2026-11-30');
    expect(periodKeyOf('MONTH', '2026-12-01')).toBe('M#2026-12');
  });

  it('rule: a Wednesday for a Monday-start week gives expected, naming the week start', () => {
    const r = parsePeriodStart('WEEK', '2026-12-02', 'MONDAY');
    expect(r).toHaveProperty('expected');
    expect(r).not.toHaveProperty('firstDay');
    const { expected } = r as { expected: string };
    expect(expected).toContain('monday');
    expect(expected).toContain('2026-11-30');
  });

  it('rule: a Sunday for a Monday-start org gives expected; a Sunday for a SUNDAY org passes', () => {
    expect(parsePeriodStart('WEEK', '2026-11-29', 'MONDAY')).toHaveProperty('expected');
    expect(parsePeriodStart('WEEK', '2026-11-29', 'SUNDAY')).toEqual({ firstDay: '2026-11-29' });
    expect(parsePeriodStart('WEEK', '2026-11-30', 'MONDAY')).toEqual({ firstDay: '2026-11-30' });
    const monForSunday = parsePeriodStart('WEEK', '2026-11-30', 'SUNDAY') as { expected: string };
    expect(monForSunday.expected).toContain('sunday');
    expect(monForSunday.expected).toContain('2026-11-29');
  });

  it('rule: 2026-13 for a month gives expected; 2026-12 gives firstDay 2026-12-01', () => {
    expect(parsePeriodStart('MONTH', '2026-13', 'MONDAY')).toEqual({
      expected: expect.stringContaining('YYYY-MM'),
    });
    expect(parsePeriodStart('MONTH', '2026-00', 'MONDAY')).toHaveProperty('expected');
    expect(parsePeriodStart('MONTH', '2026-12-01', 'MONDAY')).toHaveProperty('expected');
    expect(parsePeriodStart('MONTH', 202612, 'MONDAY')).toHaveProperty('expected');
    expect(parsePeriodStart('MONTH', '2026-12', 'MONDAY')).toEqual({ firstDay: '2026-12-01' });
  });

  it('rule: a day start must be a real calendar date', () => {
    expect(parsePeriodStart('DAY', '2026-12-01', 'MONDAY')).toEqual({ firstDay: '2026-12-01' });
    expect(parsePeriodStart('DAY', '2026-02-30', 'MONDAY')).toEqual({ expected: 'YYYY-MM-DD' });
    expect(parsePeriodStart('DAY', '2026-12', 'MONDAY')).toEqual({ expected: 'YYYY-MM-DD' });
    expect(parsePeriodStart('DAY', undefined, 'MONDAY')).toEqual({ expected: 'YYYY-MM-DD' });
    expect(parsePeriodStart('WEEK', 'not-a-day', 'SUNDAY')).toEqual({
      expected: expect.stringContaining('sunday'),
    });
  });

  it('rule (property): every period start a period reports parses back to itself', () => {
    fc.assert(
      fc.property(instantArb, fc.constantFrom(...CASES), ({ instant, tz }, { kind, weekStart }) => {
        const p = periodAt(kind, instant, tz, weekStart);
        const raw = kind === 'MONTH' ? p.firstDay.slice(0, 7) : p.firstDay;
        expect(parsePeriodStart(kind, raw, weekStart)).toEqual({ firstDay: p.firstDay });
      }),
      { numRuns: RUNS, seed: 808 },
    );
  });
});
