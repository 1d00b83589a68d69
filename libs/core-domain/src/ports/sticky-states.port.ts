import { type StickyState } from '../model/selection/sticky-state.js';

export interface StickyStates {
  /** The state for (scope, day), ignoring one whose expiry has passed at `now`. */
  get(scopeKey: string, day: string, now: Date): Promise<StickyState | undefined>;
  /**
   * Conditional write, forward only: stored when no state exists (or it expired) or the stored index
   * is lower. Returns false, writing nothing, otherwise.
   */
  advance(state: StickyState, now: Date): Promise<boolean>;
}
export const STICKY_STATES = Symbol('StickyStates');
