import { type LabelStatus } from '../quota/quota-status.js';
import { epochSecs, nextLocalMidnight } from '../time/org-time.js';
import { type StickyState } from './sticky-state.js';

/** Where a fallback moves the sticky state: the recommended label and the one before it. */
export interface StickyAdvance {
  index: number;
  label: string;
  previousLabel: string;
}

export type SelectionReason = 'NORMAL' | 'STICKY_FALLBACK' | `QUOTA_EXCEEDED_${string}`;

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
 * The selection rule (pure):
 * 1. with stickiness on and a sticky state for the day, start at its label's position, else at 0;
 * 2. recommend the first label from there that is not EXCEEDED;
 * 3. when a label before the recommendation is EXCEEDED (and stickiness is on), advance the sticky state;
 * 4. every label EXCEEDED -> no recommendation;
 * 5. reason: NORMAL, QUOTA_EXCEEDED_<LABEL> (the label just before), or STICKY_FALLBACK.
 */
export function decideModel(input: {
  ordering: string[];
  statuses: Record<string, LabelStatus>;
  stickyEnabled: boolean;
  sticky?: Pick<StickyState, 'label' | 'index'>;
}): SelectionDecision {
  const { ordering, statuses, stickyEnabled } = input;
  let start = 0;
  if (stickyEnabled && input.sticky) {
    // The state names a label; its position in the current ordering wins over the stored index
    // (the ordering may have changed). A label no longer in the ordering keeps the stored index,
    // clamped to the last label of a shortened ordering (never back to an earlier model).
    const pos = ordering.indexOf(input.sticky.label);
    start = pos >= 0 ? pos : Math.min(input.sticky.index, ordering.length - 1);
  }
  for (let i = start; i < ordering.length; i++) {
    const label = ordering[i]!;
    if (statuses[label] === 'EXCEEDED') continue;
    const fellBack = i > start;
    if (fellBack) {
      const previousLabel = ordering[i - 1]!;
      return {
        kind: 'recommend',
        index: i,
        label,
        reason: `QUOTA_EXCEEDED_${previousLabel.toUpperCase()}`,
        advanceStickyTo: stickyEnabled ? { index: i, label, previousLabel } : undefined,
        stickyActive: stickyEnabled,
      };
    }
    if (start > 0)
      return { kind: 'recommend', index: i, label, reason: 'STICKY_FALLBACK', stickyActive: true };
    return { kind: 'recommend', index: i, label, reason: 'NORMAL', stickyActive: false };
  }
  return { kind: 'all-exceeded' };
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
