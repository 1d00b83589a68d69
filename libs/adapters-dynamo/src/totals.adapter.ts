import { type EntityItem } from 'electrodb';
import {
  type DailyTotal,
  type DailyTotals,
  type PeriodTotal,
  type PeriodTotalKey,
  type PeriodTotals,
  periodTotalId,
} from '#core-domain';
import { type Key, type RawItem } from './batch.js';
import { type Entities } from './entities.js';
import { dayFromKey, dayToKey, isExpired } from './keys.js';
import { batchPut, type Ctx, defined, keyOf, parseAll, sortBy, totalsOf } from './support.js';

export type DailyTotalItem = EntityItem<Entities['dailyTotal']>;
type PeriodTotalItem = EntityItem<Entities['periodTotal']>;

export function totalFromItem(item: DailyTotalItem): DailyTotal {
  return {
    scopeKey: item.scopeKey,
    label: item.label,
    day: dayFromKey(item.day),
    ...totalsOf(item),
    updatedAt: item.updatedAt,
    expiresAt: item.expiresAt,
  };
}

function totalToItem(t: DailyTotal): DailyTotalItem {
  return {
    scopeKey: t.scopeKey,
    day: dayToKey(t.day),
    label: t.label,
    ...totalsOf(t),
    updatedAt: t.updatedAt,
    expiresAt: t.expiresAt,
  };
}

export function dailyTotals({ e }: Ctx): DailyTotals {
  const forScopeDay = async (scopeKey: string, day: string): Promise<DailyTotal[]> => {
    const { data } = await e.dailyTotal.query.primary({ scopeKey, day: dayToKey(day) }).go({ pages: 'all' });
    return sortBy(data.map(totalFromItem), (t) => t.label);
  };
  return {
    async put(totals) {
      const unique = new Map<string, DailyTotal>();
      for (const t of totals) unique.set(`${t.scopeKey}\u0000${t.day}\u0000${t.label}`, t);
      await batchPut([...unique.values()].map(totalToItem), (part) => e.dailyTotal.put(part).go());
    },
    forScopeDay,
    async forScopesDay(scopeKeys, day) {
      const unique = [...new Set(scopeKeys)];
      const lists = await Promise.all(unique.map((scopeKey) => forScopeDay(scopeKey, day)));
      return new Map(unique.map((scopeKey, i) => [scopeKey, lists[i]!]));
    },
  };
}

function periodTotalToItem(t: PeriodTotal): PeriodTotalItem {
  return defined({
    scopeKey: t.scopeKey,
    periodKey: t.periodKey,
    label: t.label,
    ...totalsOf(t),
    samples: t.samples?.map((x) => ({ at: x.at, costUsdMicros: x.costUsdMicros })),
    updatedAt: t.updatedAt,
    expiresAt: t.expiresAt,
  });
}

function periodTotalFromItem(item: PeriodTotalItem): PeriodTotal {
  const out: PeriodTotal = {
    scopeKey: item.scopeKey,
    periodKey: item.periodKey,
    label: item.label,
    ...totalsOf(item),
    updatedAt: item.updatedAt,
    expiresAt: item.expiresAt,
  };
  if (item.samples) out.samples = item.samples.map((x) => ({ at: x.at, costUsdMicros: x.costUsdMicros }));
  return out;
}

/** The table key of a period total (for the spend reader's batch). */
export function periodTotalKey(e: Entities, k: PeriodTotalKey): Key {
  return keyOf(e.periodTotal.get({ scopeKey: k.scopeKey, periodKey: k.periodKey, label: k.label }));
}

/** The unexpired period totals among raw `items`, keyed by periodTotalId. */
export function periodsFrom(e: Entities, items: RawItem[], nowMs: number): Map<string, PeriodTotal> {
  const out = new Map<string, PeriodTotal>();
  for (const item of parseAll(e.periodTotal, items)) {
    if (isExpired(item.expiresAt, nowMs)) continue;
    const total = periodTotalFromItem(item);
    out.set(periodTotalId(total), total);
  }
  return out;
}

export function periodTotals({ e, raw }: Ctx): PeriodTotals {
  return {
    async put(totals) {
      const unique = new Map<string, PeriodTotalItem>();
      for (const t of totals) unique.set(periodTotalId(t), periodTotalToItem(t));
      await batchPut([...unique.values()], (part) => e.periodTotal.put(part).go());
    },
    async get(keys, now) {
      if (keys.length === 0) return new Map();
      const items = await raw(
        keys.map((k) => periodTotalKey(e, k)),
        true, // strongly consistent: the worker reads what it just wrote
      );
      return periodsFrom(e, items, now.getTime());
    },
  };
}
