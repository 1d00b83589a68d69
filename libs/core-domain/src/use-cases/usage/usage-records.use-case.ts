import { type ServiceConfig } from '../../model/config/service-config.js';
import { FieldProblems, InvalidRequestError, NotFoundError } from '../../model/errors.js';
import { PROFILE_LABEL_PATTERN } from '../../model/profiles/inference-profile.entity.js';
import { APP_ID_PATTERN } from '../../model/tenants/tenant.entity.js';
import { nextDay, orgDay, parseIsoInstant } from '../../model/time/org-time.js';
import { type RecordMatch } from '../../model/usage/record-filter.js';
import { MAX_TAG_VALUE_LENGTH, MAX_TAGS, TAG_KEY_PATTERN } from '../../model/usage/usage-event.js';
import { type UsageRecord } from '../../model/usage/usage.entity.js';
import { type Clock } from '../../ports/clock.port.js';
import { type CursorSealer } from '../../ports/cursor-sealer.port.js';
import { type UsageRecords } from '../../ports/usage-records.port.js';
import { type CursorScope, openCursor, sealCursor } from '../shared/page-cursor.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';

/** What GET .../usage/records and .../usage/export take (wire values, validated here). */
export interface RecordsQueryInput {
  from?: unknown;
  to?: unknown;
  appId?: unknown;
  label?: unknown;
  status?: unknown;
  /** `tag.<key>=<value>` query parameters, keyed by `<key>`. */
  tags?: Record<string, unknown>;
  limit?: unknown;
  cursor?: unknown;
}

export interface RecordsPage {
  records: UsageRecord[];
  nextCursor?: string;
}

export interface RecordsExport {
  /** The range as given (ISO instants, normalized). */
  from: string;
  to: string;
  /** Every matching record in timestamp order, read page by page as it is consumed. */
  records: () => AsyncGenerator<UsageRecord>;
  /** The sorted union of the tag keys of the matching records (reads the range once more). */
  tagKeys: () => Promise<string[]>;
}

export const MAX_RECORDS_RANGE_DAYS = 31;
export const MAX_RECORDS_PAGE = 1000;
export const DEFAULT_RECORDS_PAGE = 100;
const EXPORT_PAGE = 1000;
const DAY_MS = 86_400_000;

interface ValidQuery {
  from: string;
  to: string;
  match: RecordMatch;
  days: string[];
}

export interface UsageRecordsOptions {
  records: UsageRecords;
  configs: TenantConfigCache;
  cursors: CursorSealer;
  clock: Clock;
  config: ServiceConfig;
}

/**
 * Drill-down and export of the usage records: one org day partition after the other, in timestamp
 * order, at a cost proportional to the records read. Reports never read these (they read rollups).
 */
export class UsageRecordsQuery {
  constructor(private readonly o: UsageRecordsOptions) {}

  async list(orgId: string, input: RecordsQueryInput): Promise<RecordsPage> {
    const p = new FieldProblems();
    const limit = pageSize(p, input.limit);
    const q = await this.validate(orgId, input, MAX_RECORDS_RANGE_DAYS, p);
    const scope = this.scopeOf(orgId, q);
    const position = openCursor(this.o.cursors, scope, cursorText(input.cursor));
    let [day, after] = position !== undefined ? splitPosition(position, q.days) : [q.days[0]!, undefined];
    const now = this.o.clock.now();
    const records: UsageRecord[] = [];
    for (;;) {
      const page = await this.o.records.readDay({
        orgId,
        day,
        from: q.from,
        to: q.to,
        ...q.match,
        ...(after !== undefined ? { after } : {}),
        limit: limit - records.length,
        now,
      });
      records.push(...page.records);
      const last = day === q.days.at(-1);
      if (page.next !== undefined) {
        return { records, nextCursor: sealCursor(this.o.cursors, scope, `${day}|${page.next}`) };
      }
      if (last) return { records };
      day = nextDay(day);
      after = undefined;
      if (records.length === limit) {
        return { records, nextCursor: sealCursor(this.o.cursors, scope, `${day}|`) };
      }
    }
  }

  async export(orgId: string, input: RecordsQueryInput): Promise<RecordsExport> {
    const p = new FieldProblems();
    const q = await this.validate(orgId, input, this.o.config.usageRecordRetentionDays, p);
    const now = this.o.clock.now();
    const all = async function* (this: UsageRecordsQuery): AsyncGenerator<UsageRecord> {
      for (const day of q.days) {
        let after: string | undefined;
        do {
          const page = await this.o.records.readDay({
            orgId,
            day,
            from: q.from,
            to: q.to,
            ...q.match,
            ...(after !== undefined ? { after } : {}),
            limit: EXPORT_PAGE,
            now,
          });
          yield* page.records;
          after = page.next;
        } while (after !== undefined);
      }
    }.bind(this);
    return {
      from: q.from,
      to: q.to,
      records: all,
      tagKeys: async () => {
        const keys = new Set<string>();
        for await (const r of all()) for (const k of Object.keys(r.tags ?? {})) keys.add(k);
        return [...keys].sort();
      },
    };
  }

  private scopeOf(orgId: string, q: ValidQuery): CursorScope {
    const tags = Object.entries(q.match.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    return {
      orgId,
      listing: 'usage-records',
      filters: [q.from, q.to, q.match.appId ?? null, q.match.label ?? null, q.match.status ?? null, tags],
    };
  }

  private async validate(
    orgId: string,
    input: RecordsQueryInput,
    maxDays: number,
    p: FieldProblems,
  ): Promise<ValidQuery> {
    const from = instant(p, 'from', input.from);
    const to = instant(p, 'to', input.to);
    const match: RecordMatch = {};
    if (input.appId !== undefined) {
      if (typeof input.appId !== 'string' || !APP_ID_PATTERN.test(input.appId)) {
        p.add('app_id', `must match ${APP_ID_PATTERN}`);
      } else match.appId = input.appId;
    }
    if (input.label !== undefined) {
      if (typeof input.label !== 'string' || !PROFILE_LABEL_PATTERN.test(input.label)) {
        p.add('model_label', `must match ${PROFILE_LABEL_PATTERN}`);
      } else match.label = input.label;
    }
    if (input.status !== undefined) {
      if (input.status !== 'OK' && input.status !== 'ERROR') p.add('status', 'must be OK or ERROR');
      else match.status = input.status;
    }
    const tags = Object.entries(input.tags ?? {});
    if (tags.length > MAX_TAGS) p.add('tag', `at most ${MAX_TAGS} tag filters`);
    for (const [key, value] of tags) {
      if (!TAG_KEY_PATTERN.test(key)) p.add(`tag.${key}`, `key must match ${TAG_KEY_PATTERN}`);
      else if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TAG_VALUE_LENGTH) {
        p.add(`tag.${key}`, `must be one value of 1 to ${MAX_TAG_VALUE_LENGTH} characters`);
      } else (match.tags ??= {})[key] = value;
    }
    p.throwIfAny();
    if (from! >= to!) throw new InvalidRequestError([{ field: 'to', message: 'must be after from' }]);
    if (to!.getTime() - from!.getTime() > maxDays * DAY_MS) {
      throw new InvalidRequestError(
        [{ field: 'to', message: `the range must be at most ${maxDays} days` }],
        `The range must be at most ${maxDays} days`,
        { max_range_days: maxDays },
      );
    }
    const org = await this.o.configs.org(orgId);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    const tz = org.timezone;
    const days: string[] = [];
    const lastDay = orgDay(new Date(to!.getTime() - 1), tz);
    for (let d = orgDay(from!, tz); d <= lastDay; d = nextDay(d)) days.push(d);
    return { from: from!.toISOString(), to: to!.toISOString(), match, days };
  }
}

function instant(p: FieldProblems, field: string, raw: unknown): Date | undefined {
  if (raw === undefined) {
    p.add(field, 'is required (an ISO-8601 instant)');
    return undefined;
  }
  const at = parseIsoInstant(raw);
  if (!at) p.add(field, 'must be an ISO-8601 instant with a zone (Z or an offset)');
  return at;
}

function pageSize(p: FieldProblems, raw: unknown): number {
  if (raw === undefined) return DEFAULT_RECORDS_PAGE;
  const n =
    typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_RECORDS_PAGE) {
    p.add('limit', `must be an integer from 1 to ${MAX_RECORDS_PAGE}`);
    return DEFAULT_RECORDS_PAGE;
  }
  return n;
}

function cursorText(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) {
    throw new InvalidRequestError([{ field: 'cursor', message: 'is not a cursor of this listing' }]);
  }
  return raw;
}

/** `day|after` of a cursor, the day within the range (the cursor is sealed, so this holds). */
function splitPosition(position: string, days: string[]): [string, string | undefined] {
  const bar = position.indexOf('|');
  const day = position.slice(0, bar);
  const after = position.slice(bar + 1);
  if (bar < 0 || !days.includes(day)) {
    throw new InvalidRequestError([{ field: 'cursor', message: 'is not a cursor of this listing' }]);
  }
  return [day, after === '' ? undefined : after];
}
