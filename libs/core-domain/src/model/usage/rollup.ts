import { type UsageRecord, type UsageTotals, ZERO_TOTALS } from './usage.entity.js';

/**
 * Daily rollups (analytics.md, "Summary (from rollups)"): what the summary route reads instead of
 * raw records. Per org day there is one rollup of the dimensions (scope, app, label, model) and one
 * per declared tag key (`rollup_tag_keys`) whose entries are (app, value). Pure rules only: the
 * worker's pass (use-cases/rollups) and the storage adapters build on them.
 */

/** At most this many rollup tag keys per org. */
export const MAX_ROLLUP_TAG_KEYS = 5;
/** At most this many distinct values of one tag key per org day; later new values count under OTHER. */
export const MAX_ROLLUP_VALUES_PER_DAY = 100;
/** The bucket of values past the first 100 of a day. */
export const ROLLUP_OTHER = '__other__';
/** The bucket of requests without the key. */
export const ROLLUP_NONE = '__none__';
/** Rollups are kept this long (TTL, counted from the org day). */
export const ROLLUP_TTL_DAYS = 400;

/** What a rollup entry adds up: the usage totals and the requests that failed. */
export interface RollupTotals extends UsageTotals {
  errors: number;
}

export const ZERO_ROLLUP: RollupTotals = Object.freeze({ ...ZERO_TOTALS, errors: 0 });

export function addRollupTotals(a: RollupTotals, b: RollupTotals): RollupTotals {
  return {
    costUsdMicros: a.costUsdMicros + b.costUsdMicros,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
  };
}

/** One record's contribution. */
export function recordRollupTotals(r: UsageRecord): RollupTotals {
  return {
    costUsdMicros: r.costUsdMicros,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cacheReadInputTokens: r.cacheReadInputTokens,
    cacheWriteInputTokens: r.cacheWriteInputTokens,
    requests: r.requests,
    errors: r.status === 'ERROR' ? r.requests : 0,
  };
}

/** `dims` (scope, app, label, model) or `tag:<key>` (app, value). */
export type RollupSet = 'dims' | `tag:${string}`;

export function tagSet(key: string): RollupSet {
  return `tag:${key}`;
}

/** One org day of one set: entry key -> totals, and the last pass window applied to it. */
export interface DayRollup {
  orgId: string;
  set: RollupSet;
  day: string; // YYYY-MM-DD org day
  entries: Map<string, RollupTotals>;
  /** The id of the last pass window applied (rollupWindowId); absent on a new rollup. */
  window?: string;
  /** Epoch seconds: TTL. */
  expiresAt: number;
}

const SEP = '\t';

/** Entry of the dims set. The model comes last (it may hold any character but a tab). */
export interface DimsEntry {
  scope: 'ORG' | 'APP';
  app: string;
  label: string;
  model: string;
}

export function dimsEntryKey(e: DimsEntry): string {
  return [e.scope, e.app, e.label, e.model].join(SEP);
}

export function parseDimsEntryKey(key: string): DimsEntry {
  const [scope, app, label, ...model] = key.split(SEP);
  return {
    scope: scope === 'ORG' ? 'ORG' : 'APP',
    app: app ?? '',
    label: label ?? '',
    model: model.join(SEP),
  };
}

/** Entry of a tag set: the app, then the value bucket (which may hold any character). */
export function tagEntryKey(app: string, value: string): string {
  return `${app}${SEP}${value}`;
}

export function parseTagEntryKey(key: string): { app: string; value: string } {
  const i = key.indexOf(SEP);
  return { app: key.slice(0, i), value: key.slice(i + 1) };
}

/** The distinct real values (not OTHER or NONE) a tag rollup already holds. */
export function tagValuesOf(rollup: Pick<DayRollup, 'entries'>): Set<string> {
  const out = new Set<string>();
  for (const key of rollup.entries.keys()) {
    const { value } = parseTagEntryKey(key);
    if (value !== ROLLUP_OTHER && value !== ROLLUP_NONE) out.add(value);
  }
  return out;
}

/**
 * The partition rule of one tag key in one org day: a request without the key counts under NONE; a
 * value already seen that day stays itself; a new value is itself while the day has fewer than 100
 * values, else OTHER. Each request lands in exactly one bucket per key, so grouping by a key
 * partitions the day's total.
 */
export function tagBucket(seen: ReadonlySet<string>, value: string | undefined): string {
  if (value === undefined) return ROLLUP_NONE;
  if (seen.has(value)) return value;
  return seen.size < MAX_ROLLUP_VALUES_PER_DAY ? value : ROLLUP_OTHER;
}

/** The order records are applied in (recordedAt, then scope and request id): passes and rebuilds agree. */
export function compareForRollup(a: UsageRecord, b: UsageRecord): number {
  if (a.recordedAt !== b.recordedAt) return a.recordedAt < b.recordedAt ? -1 : 1;
  const x = `${a.scopeKey}#${a.requestId}`;
  const y = `${b.scopeKey}#${b.requestId}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A new, empty rollup of one org day, kept ROLLUP_TTL_DAYS from that day. */
export function emptyRollup(orgId: string, set: RollupSet, day: string): DayRollup {
  return {
    orgId,
    set,
    day,
    entries: new Map(),
    expiresAt: Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + (ROLLUP_TTL_DAYS + 1) * 86400,
  };
}

/**
 * `rollup` with `records` (of its org and day, in compareForRollup order) added, marked as having
 * applied `window`. Pure: the given rollup is not changed.
 */
export function applyRecords(rollup: DayRollup, records: readonly UsageRecord[], window: string): DayRollup {
  const entries = new Map(rollup.entries);
  const add = (key: string, t: RollupTotals) =>
    entries.set(key, addRollupTotals(entries.get(key) ?? ZERO_ROLLUP, t));
  if (rollup.set === 'dims') {
    for (const r of records) {
      const scope = r.scopeKey.includes('#APP#') ? 'APP' : 'ORG';
      add(
        dimsEntryKey({ scope, app: r.appId, label: r.label, model: r.bedrockModelId }),
        recordRollupTotals(r),
      );
    }
  } else {
    const key = rollup.set.slice('tag:'.length);
    const seen = tagValuesOf(rollup);
    for (const r of records) {
      const value = r.tags && Object.hasOwn(r.tags, key) ? r.tags[key] : undefined;
      const bucket = tagBucket(seen, value);
      if (bucket !== ROLLUP_NONE && bucket !== ROLLUP_OTHER) seen.add(bucket);
      add(tagEntryKey(r.appId, bucket), recordRollupTotals(r));
    }
  }
  return { ...rollup, entries, window };
}

/** The sets an org keeps: the dims and one per declared tag key. */
export function rollupSetsOf(tagKeys: readonly string[]): RollupSet[] {
  return ['dims', ...tagKeys.map(tagSet)];
}

/** A pass window [from, to) as stored on each rollup it applied to. */
export function rollupWindowId(from: Date, to: Date): string {
  return `${from.toISOString()}/${to.toISOString()}`;
}

/** Where the worker's rollup passes are: everything recorded before `appliedTo` is in the rollups. */
export interface RollupCheckpoint {
  /** ISO instant: records with recordedAt before it are applied. */
  appliedTo: string;
  /** The id of the last window applied (absent before the first pass finished). */
  lastWindow?: string;
  /** A window being applied (persisted before the pass starts; a crashed pass is redone from it). */
  pending?: { from: string; to: string };
  /** ISO instant of the last finished pass. */
  passAt?: string;
}
