/** Sticky fallback state for one (scope, org day): only ever moves forward within the day. */
export interface StickyState {
  scopeKey: string;
  day: string; // YYYY-MM-DD org day
  label: string;
  index: number;
  previousLabel: string;
  reason: 'QUOTA_EXCEEDED';
  updatedAt: string;
  /** Epoch seconds: one hour after the next local midnight. */
  expiresAt: number;
}
