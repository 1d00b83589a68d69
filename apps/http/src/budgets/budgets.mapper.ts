import { isoUtc, type Budget, type BudgetsView, type PeriodAggregates } from '#core-domain';
import { aggregatesDto, lineDto } from '../runtime/runtime.mapper.js';
import { type BudgetDto, type BudgetsDto, type PeriodAggregatesDto } from './budgets.dto.js';

/** Wire budgets -> domain budgets (the domain checks counts, duplicates and labels). */
export function toBudgets(list: BudgetDto[]): Budget[] {
  return list.map((b) => {
    const out: Budget = { window: b.window, limitUsdMicros: b.limit_usd_micros };
    if (b.label !== undefined) out.label = b.label;
    return out;
  });
}

export function budgetsWire(list: readonly Budget[] | undefined): BudgetDto[] {
  return (list ?? []).map((b) => {
    const out: BudgetDto = { window: b.window, limit_usd_micros: b.limitUsdMicros };
    if (b.label !== undefined) out.label = b.label;
    return out;
  });
}

export function budgetsDto(v: BudgetsView): BudgetsDto {
  const out: BudgetsDto = {
    org_id: v.orgId,
    timezone: v.timezone,
    week_starts_on: v.weekStartsOn,
    lines: v.lines.map((l) => ({
      ...lineDto(l),
      as_of: l.asOf,
      forecast: l.forecast && {
        status: l.forecast.status,
        method: l.forecast.method,
        projected_end_usd_micros: l.forecast.projectedEnd,
        projected_exhaustion_at: l.forecast.projectedExhaustionAt && isoUtc(l.forecast.projectedExhaustionAt),
      },
    })),
  };
  if (v.appId !== undefined) out.app_id = v.appId;
  return out;
}

export function periodAggregatesDto(a: PeriodAggregates): PeriodAggregatesDto {
  return {
    ...aggregatesDto(a),
    period: { key: a.period.key, start: isoUtc(a.period.start), end: isoUtc(a.period.end) },
  };
}
