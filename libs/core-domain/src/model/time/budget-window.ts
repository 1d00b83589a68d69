import { isValidDay, nextDay, orgDay, startOfOrgDay } from './org-time.js';

/**
 * Budget windows: calendar-aligned periods in the org's IANA timezone. A day runs from local
 * midnight to local midnight (23 or 25 hours on DST days), a week from local midnight of the org's
 * week start, a month from local midnight of the 1st. Everything that needs a period asks this
 * module: quota status, retry_after, sticky expiry, budgets, forecasts and the period aggregates.
 */
export type WindowKind = 'DAY' | 'WEEK' | 'MONTH';
export const WINDOW_KINDS: readonly WindowKind[] = ['DAY', 'WEEK', 'MONTH'];
export type WeekStart = 'MONDAY' | 'SUNDAY';
export const WEEK_STARTS: readonly WeekStart[] = ['MONDAY', 'SUNDAY'];
export const DEFAULT_WEEK_START: WeekStart = 'MONDAY';

/** One period of one window kind in one timezone. */
export interface BudgetPeriod {
  kind: WindowKind;
  /** `D#2026-12-01`, `W#2026-11-30` (the local date the week starts), `M#2026-12`. */
  key: string;
  /** Local date of the first day, `YYYY-MM-DD`. */
  firstDay: string;
  /** Local date of the last day (inclusive). */
  lastDay: string;
  /** Local midnight of the first day, as an instant. */
  start: Date;
  /** Local midnight after the last day, as an instant: the next reset. */
  end: Date;
}

const MS_PER_DAY = 86_400_000;

/** Calendar arithmetic on `YYYY-MM-DD` dates (no timezone: a date is a date). */
function dateParts(day: string): [number, number, number] {
  return [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
}
function utcDate(day: string): Date {
  const [y, m, d] = dateParts(day);
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t;
}
function formatDate(t: Date): string {
  return t.toISOString().slice(0, 10);
}
/** `day` plus `n` calendar days (n may be negative). */
export function addDays(day: string, n: number): string {
  return formatDate(new Date(utcDate(day).getTime() + n * MS_PER_DAY));
}
/** Whole calendar days from `a` to `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((utcDate(b).getTime() - utcDate(a).getTime()) / MS_PER_DAY);
}
/** ISO weekday of a date: 1 = Monday .. 7 = Sunday. */
export function isoWeekday(day: string): number {
  const w = utcDate(day).getUTCDay();
  return w === 0 ? 7 : w;
}
const WEEK_START_WEEKDAY: Record<WeekStart, number> = { MONDAY: 1, SUNDAY: 7 };

function lastDayOfMonth(day: string): string {
  const [y, m] = dateParts(day);
  const t = new Date(0);
  t.setUTCFullYear(y, m, 0); // day 0 of the next month = the last day of this one
  return formatDate(t);
}

/** The first and last local dates of the period of `kind` containing the local date `day`. */
function bounds(kind: WindowKind, day: string, weekStart: WeekStart): { firstDay: string; lastDay: string } {
  if (kind === 'DAY') return { firstDay: day, lastDay: day };
  if (kind === 'WEEK') {
    const back = (isoWeekday(day) - WEEK_START_WEEKDAY[weekStart] + 7) % 7;
    const firstDay = addDays(day, -back);
    return { firstDay, lastDay: addDays(firstDay, 6) };
  }
  return { firstDay: `${day.slice(0, 7)}-01`, lastDay: lastDayOfMonth(day) };
}

/** The key of the period of `kind` starting on local date `firstDay`. */
export function periodKeyOf(kind: WindowKind, firstDay: string): string {
  if (kind === 'MONTH') return `M#${firstDay.slice(0, 7)}`;
  return `${kind === 'DAY' ? 'D' : 'W'}#${firstDay}`;
}

/** Periods asked for again and again (every selection, every usage event): remembered, bounded. */
const remembered = new Map<string, BudgetPeriod>();
const MAX_REMEMBERED = 5000;

/** The period of `kind` containing the local date `day` of timezone `tz`. */
export function periodOfDay(kind: WindowKind, day: string, tz: string, weekStart: WeekStart): BudgetPeriod {
  const id = `${kind}|${day}|${tz}|${weekStart}`;
  const hit = remembered.get(id);
  if (hit) return hit;
  const { firstDay, lastDay } = bounds(kind, day, weekStart);
  const period: BudgetPeriod = Object.freeze({
    kind,
    key: periodKeyOf(kind, firstDay),
    firstDay,
    lastDay,
    start: startOfOrgDay(firstDay, tz),
    end: startOfOrgDay(nextDay(lastDay), tz),
  });
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(id, period);
  return period;
}

/** The period of `kind` containing `instant`, in the org's timezone. */
export function periodAt(kind: WindowKind, instant: Date, tz: string, weekStart: WeekStart): BudgetPeriod {
  return periodOfDay(kind, orgDay(instant, tz), tz, weekStart);
}

/** Every local date of a period, first to last. */
export function daysOf(period: Pick<BudgetPeriod, 'firstDay' | 'lastDay'>): string[] {
  const out = [period.firstDay];
  while (out[out.length - 1]! < period.lastDay) out.push(addDays(out[out.length - 1]!, 1));
  return out;
}

/** The window of a period key (`D#`, `W#`, `M#`). */
export function windowOfKey(key: string): WindowKind | undefined {
  return key.startsWith('D#')
    ? 'DAY'
    : key.startsWith('W#')
      ? 'WEEK'
      : key.startsWith('M#')
        ? 'MONTH'
        : undefined;
}

/**
 * A period's start as written in a URL: `YYYY-MM-DD` for a day, the local date a week starts on
 * (a Monday or a Sunday, as the org's week starts) for a week, `YYYY-MM` for a month. Returns the
 * first local date, or what was expected instead.
 */
export function parsePeriodStart(
  kind: WindowKind,
  raw: unknown,
  weekStart: WeekStart,
): { firstDay: string } | { expected: string } {
  if (kind === 'MONTH') {
    const ok = typeof raw === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(raw);
    return ok ? { firstDay: `${raw}-01` } : { expected: 'YYYY-MM (a month, e.g. 2026-12)' };
  }
  if (!isValidDay(raw))
    return { expected: 'YYYY-MM-DD' + (kind === 'WEEK' ? ` (a ${weekStart.toLowerCase()})` : '') };
  if (kind === 'WEEK' && isoWeekday(raw) !== WEEK_START_WEEKDAY[weekStart]) {
    const { firstDay } = bounds('WEEK', raw, weekStart);
    return {
      expected: `YYYY-MM-DD of a ${weekStart.toLowerCase()}, the day this org's weeks start (the week of ${raw} starts on ${firstDay})`,
    };
  }
  return { firstDay: raw };
}
