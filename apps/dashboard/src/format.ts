// Display formatting. Money is integer micro-USD on the wire.
export function usd(micros: number): string {
  const v = micros / 1e6;
  if (v !== 0 && Math.abs(v) < 0.01) return `$${v.toFixed(4)}`;
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function pct(p: number): string {
  return `${p.toFixed(1)} %`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A short "how long ago" for a lag in seconds. */
export function ago(secs: number): string {
  if (secs < 60) return `${Math.round(secs)} s ago`;
  if (secs < 3600) return `${Math.round(secs / 60)} min ago`;
  return `${(secs / 3600).toFixed(1)} h ago`;
}

/** An instant shown in the org's timezone (falls back to UTC for an unknown zone). */
export function when(iso: string | null | undefined, timeZone = 'UTC'): string {
  if (!iso) return '–';
  const d = new Date(iso);
  const opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short', timeZone };
  try {
    return d.toLocaleString('en-GB', opts);
  } catch {
    return d.toLocaleString('en-GB', { ...opts, timeZone: 'UTC' });
  }
}

/** Days of the calendar, as YYYY-MM-DD, from `from` to `to` inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The UTC instant of local midnight starting `day` in `timeZone` (DST-safe: the offset is re-checked). */
export function localMidnightUtc(day: string, timeZone: string): string {
  const guess = Date.parse(`${day}T00:00:00Z`);
  let t = guess - offsetMs(guess, timeZone);
  t = guess - offsetMs(t, timeZone);
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

function offsetMs(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(t / 1000) * 1000;
}
