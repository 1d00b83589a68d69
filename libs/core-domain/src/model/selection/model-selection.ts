import { assessLabels, type LabelAssessment, type LineState } from '../quota/budget-lines.js';
import { type LabelStatus } from '../quota/quota-status.js';
import { epochSecs, nextLocalMidnight } from '../time/org-time.js';
import { type StickyState } from './sticky-state.js';

/** Where a fallback moves the sticky state: the recommended label and the one before it. */
export interface StickyAdvance {
  index: number;
  label: string;
  previousLabel: string;
}

export type SelectionReason =
  'NORMAL' | 'STICKY_FALLBACK' | `QUOTA_EXCEEDED_${string}` | `BUDGET_EXCEEDED_${string}`;

export type SelectionDecision =
  | {
      kind: 'recommend';
      index: number;
      label: string;
      reason: SelectionReason;
      /** A sticky state to record (forward-only) because a label before the recommendation is EXCEEDED. */
      advanceStickyTo?: StickyAdvance;
      stickyActive: boolean;
    }
  | { kind: 'all-exceeded' };

/**
 * The position selection starts from: the sticky label's, or 0. The state names a label; its
 * position in the current ordering wins over the stored index (the ordering may have changed). A
 * label no longer in the ordering keeps the stored index, clamped to the last label of a shortened
 * ordering (never back to an earlier model).
 */
function stickyStart(ordering: readonly string[], sticky: Pick<StickyState, 'label' | 'index'> | undefined) {
  if (!sticky) return 0;
  const pos = ordering.indexOf(sticky.label);
  return pos >= 0 ? pos : Math.min(sticky.index, ordering.length - 1);
}

/**
 * Why a label is out, as a fallback reason: `QUOTA_EXCEEDED_<LABEL>` for its daily quota, or
 * `BUDGET_EXCEEDED_<WINDOW>_<LABEL|ALL>` for the budget line that rules it out (its binding
 * exhausted line). Without assessments (statuses only) every exhaustion is the daily quota's.
 */
export function exhaustionReason(label: string, assessment: LabelAssessment | undefined): SelectionReason {
  const line = assessment?.exhausted[0];
  if (!line || line.source === 'QUOTA') return `QUOTA_EXCEEDED_${label.toUpperCase()}`;
  return `BUDGET_EXCEEDED_${line.window}_${line.label === null ? 'ALL' : line.label.toUpperCase()}`;
}

/**
 * The selection rule (pure):
 * 1. with stickiness on and a sticky state for the day, start at its label's position, else at 0;
 * 2. recommend the first label from there that is not EXCEEDED;
 * 3. when a label skipped on the way is out for the day (a DAY line exhausted) and stickiness is on,
 *    advance the sticky state; a label out only by a week or month line needs none (its spend keeps
 *    it out until that period ends);
 * 4. every label EXCEEDED -> no recommendation;
 * 5. reason: NORMAL; the reason of the label just before the recommendation (QUOTA_EXCEEDED_<LABEL>
 *    or BUDGET_EXCEEDED_<WINDOW>_<LABEL|ALL>); STICKY_FALLBACK when it came from an earlier sticky
 *    decision, unless the label before it is still ruled out by a budget line (that reason is kept).
 */
export function decideModel(input: {
  ordering: string[];
  statuses: Record<string, LabelStatus>;
  stickyEnabled: boolean;
  sticky?: Pick<StickyState, 'label' | 'index'>;
  /** What rules each label out (from assessLabels); without it every exhaustion counts as daily. */
  assessments?: Record<string, LabelAssessment>;
}): SelectionDecision {
  const { ordering, statuses, stickyEnabled, assessments } = input;
  const start = stickyEnabled ? stickyStart(ordering, input.sticky) : 0;
  const outForTheDay = (label: string) => assessments?.[label]?.exhaustedForTheDay ?? true;
  for (let i = start; i < ordering.length; i++) {
    const label = ordering[i]!;
    if (statuses[label] === 'EXCEEDED') continue;
    const fellBack = i > start;
    if (fellBack) {
      const previousLabel = ordering[i - 1]!;
      const sticks = stickyEnabled && ordering.slice(start, i).some(outForTheDay);
      return {
        kind: 'recommend',
        index: i,
        label,
        reason: exhaustionReason(previousLabel, assessments?.[previousLabel]),
        advanceStickyTo: sticks ? { index: i, label, previousLabel } : undefined,
        stickyActive: sticks || start > 0,
      };
    }
    if (start > 0) {
      const before = ordering[start - 1]!;
      const byBudget = assessments?.[before]?.exhausted[0]?.source === 'BUDGET';
      return {
        kind: 'recommend',
        index: i,
        label,
        reason: byBudget ? exhaustionReason(before, assessments[before]) : 'STICKY_FALLBACK',
        stickyActive: true,
      };
    }
    return { kind: 'recommend', index: i, label, reason: 'NORMAL', stickyActive: false };
  }
  return { kind: 'all-exceeded' };
}

/** What the lines of a scope say, and what selection decides from them: the one rule. */
export interface SelectionAssessment {
  labels: Record<string, LabelAssessment>;
  decision: SelectionDecision;
  /**
   * When every label is out: the earliest instant some label becomes usable again (for each label the
   * latest reset among its exhausted lines; a label skipped only by the sticky state, the day's end).
   */
  retryAfter?: Date;
}

/**
 * Turns the lines of a scope (daily quotas and budgets, with their spend) into label statuses and
 * the selection decision. Model selection, the aggregator's sticky advance and the aggregates read
 * all call this.
 */
export function assessSelection(input: {
  ordering: string[];
  lines: readonly LineState[];
  stickyEnabled: boolean;
  sticky?: Pick<StickyState, 'label' | 'index'>;
  /** The end of the org day (when a sticky state lapses). */
  dayEnd: Date;
}): SelectionAssessment {
  const labels = assessLabels(input.ordering, input.lines);
  const statuses: Record<string, LabelStatus> = {};
  for (const label of input.ordering) statuses[label] = labels[label]!.status;
  const decision = decideModel({
    ordering: input.ordering,
    statuses,
    stickyEnabled: input.stickyEnabled,
    sticky: input.sticky,
    assessments: labels,
  });
  if (decision.kind === 'recommend') return { labels, decision };
  const start = input.stickyEnabled ? stickyStart(input.ordering, input.sticky) : 0;
  let retryAfter: Date | undefined;
  input.ordering.forEach((label, i) => {
    const a = labels[label]!;
    const at = a.status === 'EXCEEDED' ? a.usableAgainAt : i < start ? input.dayEnd : undefined;
    if (at && (!retryAfter || at < retryAfter)) retryAfter = at;
  });
  return { labels, decision, retryAfter: retryAfter ?? input.dayEnd };
}

/** Forward-only rule for sticky writes: a state may replace none or one with a lower index. */
export function stickyMayAdvance(
  current: Pick<StickyState, 'index'> | undefined,
  next: { index: number },
): boolean {
  return current === undefined || current.index < next.index;
}

/** A sticky state expires one hour after the next local midnight of the org. */
export function stickyExpiry(now: Date, tz: string): number {
  return epochSecs(nextLocalMidnight(now, tz)) + 3600;
}

/** The sticky state a fallback records for a scope's org day (selection and aggregator alike). */
export function stickyStateFor(
  scopeKey: string,
  day: string,
  to: StickyAdvance,
  now: Date,
  tz: string,
): StickyState {
  return {
    scopeKey,
    day,
    label: to.label,
    index: to.index,
    previousLabel: to.previousLabel,
    reason: 'QUOTA_EXCEEDED',
    updatedAt: now.toISOString(),
    expiresAt: stickyExpiry(now, tz),
  };
}
