import { DateTime, IANAZone } from 'luxon';

/**
 * Org-day arithmetic in the org's IANA timezone, on a real tz database (luxon over Intl).
 * Days are `YYYY-MM-DD`; storage keys use `YYYYMMDD` (see dayKey).
 */

export function isValidTimezone(tz: unknown): tz is string {
  return typeof tz === 'string' && tz.length > 0 && tz.length <= 64 && IANAZone.isValidZone(tz);
}

function inZone(instant: Date, tz: string): DateTime {
  const dt = DateTime.fromJSDate(instant, { zone: tz });
  if (!dt.isValid) throw new RangeError(`Invalid timezone or instant: ${tz}`);
  return dt;
}

/** One local day of one timezone: its date and the instants `[start, end)` it covers. */
interface DayWindow {
  day: string;
  start: number;
  end: number;
}

/**
 * The last day window seen per timezone. Every usage event and model selection asks for the org day
 * of an instant that is almost always inside the day asked for last time, so luxon (costly on the hot path,
 * see docs/performance.md) only runs when the day changes. Bounded: the map is emptied past MAX_WINDOWS zones.
 */
const dayWindows = new Map<string, DayWindow>();
const MAX_WINDOWS = 1000;

function dayWindow(instant: Date, tz: string): DayWindow {
  const t = instant.getTime();
  const hit = dayWindows.get(tz);
  if (hit && t >= hit.start && t < hit.end) return hit;
  const start = inZone(instant, tz).startOf('day');
  const w = {
    day: start.toFormat('yyyy-MM-dd'),
    start: start.toMillis(),
    end: start.plus({ days: 1 }).startOf('day').toMillis(),
  };
  if (dayWindows.size >= MAX_WINDOWS) dayWindows.clear();
  dayWindows.set(tz, w);
  return w;
}

/** The calendar date in the org's timezone, `YYYY-MM-DD`. */
export function orgDay(instant: Date, tz: string): string {
  return dayWindow(instant, tz).day;
}

/** `YYYY-MM-DD` -> `YYYYMMDD`. */
export function dayKey(day: string): string {
  return day.replaceAll('-', '');
}

/** `YYYYMMDD` -> `YYYY-MM-DD`. */
export function dayFromKey(key: string): string {
  return `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6, 8)}`;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isValidDay(day: unknown): day is string {
  if (typeof day !== 'string' || !DAY_PATTERN.test(day)) return false;
  return DateTime.fromISO(day, { zone: 'UTC' }).isValid;
}

/** The instant a local day starts (local midnight, or the first existing instant on a DST-gap day). */
export function startOfOrgDay(day: string, tz: string): Date {
  return DateTime.fromISO(day, { zone: tz }).startOf('day').toJSDate();
}

/** The next local midnight after `instant`, as an instant. This is `retry_after` for an exhausted day. */
export function nextLocalMidnight(instant: Date, tz: string): Date {
  return new Date(dayWindow(instant, tz).end);
}

/** Length of a local day in hours (23 or 25 on DST change days). */
export function orgDayLengthHours(day: string, tz: string): number {
  const start = DateTime.fromISO(day, { zone: tz }).startOf('day');
  const end = start.plus({ days: 1 }).startOf('day');
  return end.diff(start, 'hours').hours;
}

export function previousDay(day: string): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).minus({ days: 1 }).toFormat('yyyy-MM-dd');
}

export function nextDay(day: string): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days: 1 }).toFormat('yyyy-MM-dd');
}

/**
 * The last local time written per timezone, by whole second: every model selection writes the org's
 * local time, and luxon's zone conversion costs several microseconds, so it runs once per second and
 * timezone (docs/performance.md, "Lean comparison"). Bounded like the day windows.
 */
const localTimes = new Map<string, { sec: number; text: string }>();

/** Local wall time with offset, seconds precision: `2026-01-23T10:30:45-05:00`. */
export function orgLocalTime(instant: Date, tz: string): string {
  const sec = Math.floor(instant.getTime() / 1000);
  const hit = localTimes.get(tz);
  if (hit && hit.sec === sec) return hit.text;
  const text =
    inZone(instant, tz).startOf('second').toISO({ suppressMilliseconds: true, includeOffset: true }) ?? '';
  if (localTimes.size >= MAX_WINDOWS) localTimes.clear();
  localTimes.set(tz, { sec, text });
  return text;
}

/**
 * Recently written instants: a selection writes the same few period bounds (this day's, week's and
 * month's resets) on every answer. Bounded: emptied at 256 entries.
 */
const recentIso = new Map<number, string>();

/** ISO 8601 UTC with seconds precision: `2026-01-23T15:30:45Z`. */
export function isoUtc(instant: Date): string {
  const t = instant.getTime();
  const hit = recentIso.get(t);
  if (hit !== undefined) return hit;
  const iso = instant.toISOString();
  // `...:SS.mmmZ` for years 0..9999 (the regular form): drop the milliseconds without a regex.
  const text = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
  if (recentIso.size >= 256) recentIso.clear();
  recentIso.set(t, text);
  return text;
}

/** Epoch seconds. */
export function epochSecs(instant: Date): number {
  return Math.floor(instant.getTime() / 1000);
}

export const MAX_EVENT_FUTURE_MS = 5 * 60 * 1000;
export const MAX_EVENT_AGE_MS = 24 * 60 * 60 * 1000;

/** The accepted window for a usage event's timestamp, or undefined when `ts` is inside it. */
export function eventTimeOutOfRange(ts: Date, now: Date): { earliest: string; latest: string } | undefined {
  const earliest = now.getTime() - MAX_EVENT_AGE_MS;
  const latest = now.getTime() + MAX_EVENT_FUTURE_MS;
  const t = ts.getTime();
  if (t >= earliest && t <= latest) return undefined;
  return { earliest: isoUtc(new Date(earliest)), latest: isoUtc(new Date(latest)) };
}

export const GRACE_WINDOW_MS = 2 * 60 * 60 * 1000;

/** During the two hours after local midnight, the previous org day is still being aggregated. */
export function daysOpenForAggregation(now: Date, tz: string): string[] {
  const today = orgDay(now, tz);
  const sinceMidnight = now.getTime() - startOfOrgDay(today, tz).getTime();
  return sinceMidnight < GRACE_WINDOW_MS ? [previousDay(today), today] : [today];
}

/**
 * Every date that can be the org day of a usage event accepted at `now`, somewhere (UTC-12..UTC+14):
 * events are accepted from MAX_EVENT_AGE_MS before now to MAX_EVENT_FUTURE_MS after it, so from the
 * local date of (now - 24 h) at UTC-12 to that of (now + 5 min) at UTC+14. These are the days the
 * aggregator's change feed looks at, so a late event for yesterday always reaches its day's total.
 */
export function candidateOrgDays(now: Date): string[] {
  const utc = DateTime.fromJSDate(now, { zone: 'UTC' });
  const first = utc.minus({ milliseconds: MAX_EVENT_AGE_MS, hours: 12 }).toFormat('yyyy-MM-dd');
  const last = utc.plus({ milliseconds: MAX_EVENT_FUTURE_MS, hours: 14 }).toFormat('yyyy-MM-dd');
  const days = [first];
  while (days[days.length - 1]! < last) days.push(nextDay(days[days.length - 1]!));
  return days;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses an ISO 8601 timestamp with an explicit zone (Z or offset). */
export function parseIsoInstant(raw: unknown): Date | undefined {
  if (typeof raw !== 'string' || raw.length > 40) return undefined;
  const fast = parseUtcInstant(raw);
  if (fast !== undefined) return fast;
  if (!ISO_WITH_ZONE.test(raw)) return undefined;
  const dt = DateTime.fromISO(raw, { setZone: true });
  return dt.isValid ? dt.toJSDate() : undefined;
}

const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z$/;

/**
 * The common case, `YYYY-MM-DDTHH:MM[:SS[.fff]]Z` with every field in range, without luxon (its
 * fromISO is costly on the hot path: docs/performance.md). Milliseconds are floored as luxon does. Anything else
 * (an offset, lower-case letters, hour 24, a leap second, an impossible date) returns undefined and
 * goes to luxon, so the result is always luxon's (a property test checks it).
 */
function parseUtcInstant(raw: string): Date | undefined {
  const m = UTC_INSTANT.exec(raw);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC treats years 0..99 as 1900..1999; luxon does not. Leave those to luxon.
  if (year < 100) return undefined;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Day 31 of a 30-day month (or 29 February of a common year) rolls over: leave it to luxon to refuse.
  if (new Date(t).getUTCDate() !== day) return undefined;
  return new Date(t);
}
