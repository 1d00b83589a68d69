import { type EffectiveConfig, orgSpendScopeKey } from '../tenants/tenant.entity.js';
import { type BudgetPeriod, periodAt, type WindowKind } from '../time/budget-window.js';
import { labelStatus, quotaPct, type LabelStatus } from './quota-status.js';

/**
 * A line is one thing with a limit: the daily quota of a label, or a budget (org or app, one label
 * or all labels, over a day, a week or a month). Every line is judged by the same rule as the daily
 * quotas: EXCEEDED at 100 %, TIGHT at the tight threshold, NORMAL otherwise.
 */
export interface LineDef {
  /** Whose limit: the org's or the app's (daily quotas: the org's quota scope). */
  scope: 'ORG' | 'APP';
  window: WindowKind;
  /** null: every label together. */
  label: string | null;
  limitUsdMicros: number;
  /** A daily quota (`quotas`) or a budget (`budgets`). */
  source: 'QUOTA' | 'BUDGET';
  /** The scope key whose spend the line caps (for the org's budgets in APP scope, the org roll-up). */
  spendScopeKey: string;
}

export interface LineState extends LineDef {
  period: BudgetPeriod;
  spendUsdMicros: number;
  /** One decimal. */
  pct: number;
  status: LabelStatus;
}

/** Every line that governs an app's selection: its daily quotas, the org's budgets, the app's budgets. */
export function linesFor(eff: EffectiveConfig): LineDef[] {
  const lines: LineDef[] = [];
  for (const label of eff.modelOrdering) {
    const quota = eff.quotas[label];
    if (quota === undefined) continue;
    lines.push({
      scope: eff.quotaScope,
      window: 'DAY',
      label,
      limitUsdMicros: quota,
      source: 'QUOTA',
      spendScopeKey: eff.scopeKey,
    });
  }
  for (const b of eff.orgBudgets) {
    lines.push({
      scope: 'ORG',
      window: b.window,
      label: b.label ?? null,
      limitUsdMicros: b.limitUsdMicros,
      source: 'BUDGET',
      spendScopeKey: orgSpendScopeKey(eff.orgId),
    });
  }
  for (const b of eff.appBudgets) {
    lines.push({
      scope: 'APP',
      window: b.window,
      label: b.label ?? null,
      limitUsdMicros: b.limitUsdMicros,
      source: 'BUDGET',
      spendScopeKey: eff.scopeKey,
    });
  }
  return lines;
}

/** Whether a line caps a label's spend. */
export function lineCovers(line: Pick<LineDef, 'label'>, label: string): boolean {
  return line.label === null || line.label === label;
}

/** The current period of a line at `now`, in the org's timezone. */
export function linePeriod(
  line: Pick<LineDef, 'window'>,
  now: Date,
  eff: Pick<EffectiveConfig, 'timezone' | 'weekStartsOn'>,
): BudgetPeriod {
  return periodAt(line.window, now, eff.timezone, eff.weekStartsOn);
}

/**
 * A line with its spend for a period: pct and status by the one quota rule. `inFlightUsdMicros`:
 * the estimated spend of the calls under way on the labels it covers (inFlightSpend), counted by
 * the status only (EXCEEDED when spend plus it reaches the limit), never by spend or pct.
 */
export function lineState(
  def: LineDef,
  period: BudgetPeriod,
  spendUsdMicros: number,
  tightThresholdPct: number,
  inFlightUsdMicros = 0,
): LineState {
  // Every field written out: on Node 20, `{ ...def, period, ... }` (a spread followed by more
  // properties) costs microseconds per object, and this runs twice per usage event
  // (docs/performance.md, "Lean comparison").
  return {
    scope: def.scope,
    window: def.window,
    label: def.label,
    limitUsdMicros: def.limitUsdMicros,
    source: def.source,
    spendScopeKey: def.spendScopeKey,
    period,
    spendUsdMicros,
    pct: quotaPct(spendUsdMicros, def.limitUsdMicros),
    status: labelStatus(spendUsdMicros, def.limitUsdMicros, tightThresholdPct, inFlightUsdMicros),
  };
}

const WINDOW_ORDER: Record<WindowKind, number> = { DAY: 0, WEEK: 1, MONTH: 2 };
const SEVERITY: Record<LabelStatus, number> = { NORMAL: 0, TIGHT: 1, EXCEEDED: 2 };

/** a binds before b: the higher spend/limit (exact, a zero limit is infinite), then the shorter window. */
function bindsBefore(a: LineState, b: LineState): boolean {
  const ra = BigInt(a.spendUsdMicros) * BigInt(b.limitUsdMicros);
  const rb = BigInt(b.spendUsdMicros) * BigInt(a.limitUsdMicros);
  const aInf = a.limitUsdMicros === 0;
  const bInf = b.limitUsdMicros === 0;
  if (aInf !== bInf) return aInf;
  if (!aInf && ra !== rb) return ra > rb;
  return WINDOW_ORDER[a.window] < WINDOW_ORDER[b.window];
}

/** What the lines covering one label say about it. */
export interface LabelAssessment {
  /** The worst status of its covering lines. */
  status: LabelStatus;
  /** The covering line with the highest pct (on a tie the shorter window). */
  binding: LineState | undefined;
  /** Its exhausted lines, the binding one first. */
  exhausted: LineState[];
  /** True when one of its exhausted lines is a DAY line (the daily sticky rule applies). */
  exhaustedForTheDay: boolean;
  /** When it becomes usable again by its spend: the latest reset among its exhausted lines. */
  usableAgainAt: Date | undefined;
}

/** One label against every line covering it. */
export function assessLabel(label: string, lines: readonly LineState[]): LabelAssessment {
  let status: LabelStatus = 'NORMAL';
  let binding: LineState | undefined;
  const exhausted: LineState[] = [];
  for (const line of lines) {
    if (!lineCovers(line, label)) continue;
    if (SEVERITY[line.status] > SEVERITY[status]) status = line.status;
    if (!binding || bindsBefore(line, binding)) binding = line;
    if (line.status === 'EXCEEDED') exhausted.push(line);
  }
  exhausted.sort((a, b) => (bindsBefore(a, b) ? -1 : bindsBefore(b, a) ? 1 : 0));
  let usableAgainAt: Date | undefined;
  for (const line of exhausted) {
    if (!usableAgainAt || line.period.end > usableAgainAt) usableAgainAt = line.period.end;
  }
  return {
    status,
    binding,
    exhausted,
    exhaustedForTheDay: exhausted.some((l) => l.window === 'DAY'),
    usableAgainAt,
  };
}

/** Every label of an ordering against the lines. */
export function assessLabels(
  ordering: readonly string[],
  lines: readonly LineState[],
): Record<string, LabelAssessment> {
  const out: Record<string, LabelAssessment> = {};
  for (const label of ordering) out[label] = assessLabel(label, lines);
  return out;
}
