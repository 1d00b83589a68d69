import { FieldProblems, InvalidRequestError, NotFoundError } from '../../model/errors.js';
import { daysBetween, periodOfDay } from '../../model/time/budget-window.js';
import { isValidDay, orgDay } from '../../model/time/org-time.js';
import {
  parseDimsEntryKey,
  parseTagEntryKey,
  tagSet,
  ZERO_ROLLUP,
  type RollupTotals,
} from '../../model/usage/rollup.js';
import { type Org } from '../../model/tenants/tenant.entity.js';
import { addTotalsInto } from '../../model/usage/usage.entity.js';
import { type UsageRollups } from '../../ports/usage-rollups.port.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';

export const MAX_SUMMARY_RANGE_DAYS = 400;
export const SUMMARY_DIMS = ['day', 'week', 'month', 'app', 'label', 'model'] as const;
export type SummaryDim = (typeof SUMMARY_DIMS)[number] | `tag:${string}`;

export interface SummaryQuery {
  from: unknown;
  to: unknown;
  groupBy: unknown;
  /** Only this app (an app token always sets its own). */
  appId?: string;
}

export interface SummaryRow extends RollupTotals {
  group: Record<string, string>;
}

export interface UsageSummary {
  rows: SummaryRow[];
  totals: RollupTotals;
  /** The end of the last rollup pass (null before the first). */
  asOf: string | null;
  /** False when the range reaches the org's today as of the last pass. */
  complete: boolean;
}

/**
 * GET .../usage/summary: totals over org days grouped by one or two dimensions, answered only from
 * the daily rollups (one range read of one rollup set).
 */
export class GetUsageSummary {
  constructor(private readonly o: { rollups: UsageRollups; configs: TenantConfigCache }) {}

  async run(orgId: string, q: SummaryQuery): Promise<UsageSummary> {
    const org = await this.o.configs.org(orgId);
    if (!org) throw new NotFoundError(`Org ${orgId} not found`);
    const { from, to, dims } = parseSummaryQuery(q, org.settings.rollupTagKeys ?? []);
    const tagDim = dims.find((d) => d.startsWith('tag:'));
    const set = tagDim ? tagSet(tagDim.slice(4)) : 'dims';
    const [days, checkpoint] = await Promise.all([
      this.o.rollups.readRange(orgId, set, from, to),
      this.o.rollups.readCheckpoint(),
    ]);
    const groups = new Map<string, SummaryRow>();
    const totals: RollupTotals = { ...ZERO_ROLLUP };
    // The same entry keys come back day after day: parse each once.
    const parsed = new Map<string, { app: string; fields: Record<string, string> } | null>();
    const periodCache = new Map<string, Record<string, string>>();
    for (const day of days) {
      let periods = periodCache.get(day.day);
      if (!periods) {
        periods = {};
        for (const d of dims)
          if (d === 'day' || d === 'week' || d === 'month') periods[d] = valueOf(d, day.day, {}, org);
        periodCache.set(day.day, periods);
      }
      for (const [key, t] of day.entries) {
        let info = parsed.get(key);
        if (info === undefined) {
          let app: string;
          let fields: Record<string, string>;
          if (set === 'dims') {
            const e = parseDimsEntryKey(key);
            app = e.app;
            fields = { app: e.app, label: e.label, model: e.model };
          } else {
            const e = parseTagEntryKey(key);
            app = e.app;
            fields = { app: e.app, [tagDim!]: e.value };
          }
          info = q.appId !== undefined && app !== q.appId ? null : { app, fields };
          parsed.set(key, info);
        }
        if (info === null) continue;
        const group: Record<string, string> = {};
        for (const d of dims) group[d] = periods[d] ?? info.fields[d] ?? '';
        const id = dims.length === 1 ? group[dims[0]!]! : `${group[dims[0]!]}\u0000${group[dims[1]!]}`;
        const row = groups.get(id);
        if (row) addInto(row, t);
        else groups.set(id, { group, ...t });
        addInto(totals, t);
      }
    }
    const rows = [...groups.values()].sort((a, b) => {
      for (const d of dims) {
        const x = a.group[d]!;
        const y = b.group[d]!;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    });
    const asOf = checkpoint ? checkpoint.appliedTo : null;
    const today = asOf ? orgDay(new Date(asOf), org.timezone) : undefined;
    return { rows, totals: { ...totals }, asOf, complete: today !== undefined && to < today };
  }
}

function addInto(into: RollupTotals, t: RollupTotals): void {
  addTotalsInto(into, t);
  into.errors += t.errors;
}

function valueOf(dim: SummaryDim, day: string, fields: Record<string, string>, org: Org): string {
  switch (dim) {
    case 'day':
      return day;
    case 'week':
      return periodOfDay('WEEK', day, org.timezone, org.settings.weekStartsOn ?? 'MONDAY').firstDay;
    case 'month':
      return day.slice(0, 7);
    default:
      return fields[dim] ?? '';
  }
}

/** Checks from, to (org dates, from <= to, at most 400 days) and group_by (one or two known dims). */
export function parseSummaryQuery(
  q: SummaryQuery,
  declaredTagKeys: readonly string[],
): { from: string; to: string; dims: SummaryDim[] } {
  const p = new FieldProblems();
  if (!isValidDay(q.from)) p.add('from', 'must be a date written YYYY-MM-DD');
  if (!isValidDay(q.to)) p.add('to', 'must be a date written YYYY-MM-DD');
  const dims: SummaryDim[] = [];
  if (typeof q.groupBy !== 'string' || q.groupBy.length === 0) {
    p.add('group_by', `must be one or two comma-separated of ${SUMMARY_DIMS.join(', ')}, tag:<key>`);
  } else {
    const parts = q.groupBy.split(',');
    if (parts.length > 2) p.add('group_by', 'must name at most two dimensions');
    for (const part of parts.slice(0, 2)) {
      if ((SUMMARY_DIMS as readonly string[]).includes(part)) dims.push(part as SummaryDim);
      else if (part.startsWith('tag:') && declaredTagKeys.includes(part.slice(4)))
        dims.push(part as SummaryDim);
      else if (part.startsWith('tag:'))
        p.add('group_by', `tag key '${part.slice(4, 40)}' is not one of the org's rollup_tag_keys`);
      else p.add('group_by', `'${part.slice(0, 40)}' is not one of ${SUMMARY_DIMS.join(', ')}, tag:<key>`);
    }
    if (dims.length === 2 && dims[0] === dims[1]) p.add('group_by', 'must not repeat a dimension');
    const tag = dims.find((d) => d.startsWith('tag:'));
    if (tag && dims.some((d) => d === 'label' || d === 'model' || (d !== tag && d.startsWith('tag:'))))
      p.add('group_by', 'a tag dimension combines only with day, week, month or app');
  }
  p.throwIfAny();
  const from = q.from as string;
  const to = q.to as string;
  if (from > to) {
    throw new InvalidRequestError([{ field: 'from', message: 'must not be after to' }], 'The range is empty');
  }
  if (daysBetween(from, to) + 1 > MAX_SUMMARY_RANGE_DAYS) {
    throw new InvalidRequestError(
      [{ field: 'to', message: `the range must span at most ${MAX_SUMMARY_RANGE_DAYS} days` }],
      'The range is too long',
      { max_range_days: MAX_SUMMARY_RANGE_DAYS },
    );
  }
  return { from, to, dims };
}
