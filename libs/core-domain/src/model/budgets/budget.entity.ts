import { type FieldProblems, InvalidConfigError } from '../errors.js';
import { PROFILE_LABEL_PATTERN } from '../profiles/inference-profile.entity.js';
import { isPrototypeKey } from '../tenants/tenant.entity.js';
import { WINDOW_KINDS, type WindowKind } from '../time/budget-window.js';

/**
 * A spending cap over a calendar window of the org's timezone: all labels together (no `label`) or
 * one label. The daily `quotas` are the DAY budgets per label and stay where they are.
 */
export interface Budget {
  window: WindowKind;
  limitUsdMicros: number;
  label?: string;
}

export const MAX_BUDGETS = 10;
export const MAX_BUDGET_LIMIT = 1_000_000_000_000_000; // 10^15 micro-USD

const BUDGET_FIELDS = ['window', 'limitUsdMicros', 'label'];
const WIRE: Record<string, string> = { limitUsdMicros: 'limit_usd_micros' };

/**
 * Parses a list of budgets (PUT org / PUT app): INVALID_REQUEST for shapes, INVALID_CONFIG for two
 * budgets with the same window and label. Problems are added to `p`; the caller throws them.
 */
export function parseBudgets(p: FieldProblems, field: string, raw: unknown): Budget[] | undefined {
  if (!Array.isArray(raw) || raw.length > MAX_BUDGETS) {
    p.add(field, `must be a list of at most ${MAX_BUDGETS} budgets`);
    return undefined;
  }
  const out: Budget[] = [];
  for (const [i, b] of raw.entries()) {
    const at = `${field}[${i}]`;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) {
      p.add(at, 'must be an object { window, limit_usd_micros, label? }');
      continue;
    }
    const o = b as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!BUDGET_FIELDS.includes(k))
        p.add(`${at}.${Object.hasOwn(WIRE, k) ? WIRE[k] : k}`, 'is not a known field');
    const window = o.window;
    const limit = o.limitUsdMicros;
    const label = o.label;
    let ok = true;
    if (!WINDOW_KINDS.includes(window as WindowKind)) {
      p.add(`${at}.window`, `must be one of ${WINDOW_KINDS.join(', ')}`);
      ok = false;
    }
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > MAX_BUDGET_LIMIT) {
      p.add(`${at}.limit_usd_micros`, `must be an integer from 0 to ${MAX_BUDGET_LIMIT} (micro-USD)`);
      ok = false;
    }
    if (
      label !== undefined &&
      (typeof label !== 'string' || !PROFILE_LABEL_PATTERN.test(label) || isPrototypeKey(label))
    ) {
      p.add(`${at}.label`, 'must be a label name');
      ok = false;
    }
    if (!ok) continue;
    const budget: Budget = { window: window as WindowKind, limitUsdMicros: limit as number };
    if (label !== undefined) budget.label = label as string;
    out.push(budget);
  }
  return out;
}

/** Two budgets with the same window and label cannot both hold: INVALID_CONFIG. */
export function checkBudgetsDistinct(budgets: readonly Budget[], field: string): void {
  const seen = new Set<string>();
  for (const b of budgets) {
    const key = `${b.window}|${b.label ?? ''}`;
    if (seen.has(key)) {
      throw new InvalidConfigError(
        `Two budgets in ${field} have window ${b.window} and ${b.label ? `label '${b.label}'` : 'no label (all labels)'}`,
        { field, window: b.window, label: b.label ?? null },
      );
    }
    seen.add(key);
  }
}
