import { type LineState } from '../model/quota/budget-lines.js';

/** What became of one usage event: counted, already counted, refused as invalid, or not stored. */
export type UsageEventResult = 'accepted' | 'duplicate' | 'rejected' | 'failed';

export const USAGE_EVENT_RESULTS: readonly UsageEventResult[] = [
  'accepted',
  'duplicate',
  'rejected',
  'failed',
];

/** What went wrong with a failed storage call (storage_errors_total{kind}): a short, fixed list. */
export type StorageErrorKind =
  'throttled' | 'conflict' | 'timeout' | 'network' | 'server' | 'missing_table' | 'credentials' | 'other';

export const STORAGE_ERROR_KINDS: readonly StorageErrorKind[] = [
  'throttled',
  'conflict',
  'timeout',
  'network',
  'server',
  'missing_table',
  'credentials',
  'other',
];

/** The scope whose lines were evaluated: the org's, or one app's (APP quota scope). */
export interface ObservedScope {
  orgId: string;
  appId: string | undefined;
}

/**
 * What the domain tells whoever watches the service (the metrics adapter in libs/composition).
 * Calls are synchronous, cheap and never throw; `usageEvents` runs on the request path, so an
 * implementation does no more than count.
 */
export interface ServiceObserver {
  /** `count` usage events ended with `result` (a batch reports each item). */
  usageEvents(result: UsageEventResult, count: number): void;
  /**
   * The aggregator has just evaluated every line of a scope (its daily quotas and the budgets
   * governing it) with the aggregated spend of their current periods.
   */
  linesEvaluated(scope: ObservedScope, lines: readonly LineState[]): void;
}

/** Observes nothing (the default). */
export const NO_OBSERVER: ServiceObserver = {
  usageEvents() {},
  linesEvaluated() {},
};
