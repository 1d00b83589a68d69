// The guidance loop as a pure state machine: no I/O, no timers, time passed in. CostKeeperClient
// drives it with HTTP answers; the overrun simulation (bench/simulation) drives the same class with
// its virtual clock, so the simulated client behaviour is the shipped behaviour.
import type { LabelStatus, SelectionMode } from './wire.js';

export interface GuidanceRules {
  /** On a usage answer that says EXCEEDED for the cached label: re-select with force_check (default true). */
  forceOnExceeded?: boolean;
  /** On a usage answer that says TIGHT while the cached answer was NORMAL: re-select now (default true). */
  reselectOnTight?: boolean;
  /** Re-select with force_check when the expiring cached answer was TIGHT (default false). */
  forceWhenTight?: boolean;
  /** Replaces the cache duration of TIGHT answers (seconds); the service's value when absent. */
  tightCacheSecs?: number;
}

/** A cached selection. */
export interface CachedSelection {
  label: string;
  bedrockModelId: string;
  mode: SelectionMode;
  /** Epoch ms after which the answer must be revalidated. */
  expiresAt: number;
  /** The cache duration the answer came with (seconds). */
  cacheDurationSecs: number;
  etag?: string;
}

export type Decision =
  /** The cached answer holds. */
  | { action: 'use'; selection: CachedSelection }
  /** Ask the service; `ifNoneMatch` is the ETag to revalidate with (absent when forced). */
  | { action: 'select'; force: boolean; ifNoneMatch?: string }
  /** Every label is exhausted until `until` (epoch ms): do not call Bedrock, do not ask again. */
  | { action: 'wait'; until: number };

export type Reaction =
  { action: 'none' } | { action: 'reselect'; force: boolean; cause: 'EXCEEDED' | 'TIGHT' };

export interface SelectedAnswer {
  label: string;
  bedrockModelId: string;
  mode: SelectionMode;
  cacheDurationSecs: number;
  etag?: string;
}

export class SelectionGuidance {
  private cached?: CachedSelection;
  private forceNext = false;
  private blockedUntil = 0;
  private readonly rules: Required<Omit<GuidanceRules, 'tightCacheSecs'>> & { tightCacheSecs?: number };

  constructor(rules: GuidanceRules = {}) {
    this.rules = {
      forceOnExceeded: rules.forceOnExceeded ?? true,
      reselectOnTight: rules.reselectOnTight ?? true,
      forceWhenTight: rules.forceWhenTight ?? false,
      ...(rules.tightCacheSecs !== undefined ? { tightCacheSecs: rules.tightCacheSecs } : {}),
    };
  }

  /** The last answer (expired or not); undefined before the first and while exhausted. */
  get current(): CachedSelection | undefined {
    return this.cached;
  }

  /** Epoch ms until which every label is exhausted (0: not exhausted). */
  get exhaustedUntil(): number {
    return this.blockedUntil;
  }

  /** What to do when a model is needed at `now`. */
  decide(now: number): Decision {
    if (this.forceNext) return { action: 'select', force: true };
    if (this.cached && now < this.cached.expiresAt) return { action: 'use', selection: this.cached };
    if (!this.cached && now < this.blockedUntil) return { action: 'wait', until: this.blockedUntil };
    const force = this.rules.forceWhenTight && this.cached?.mode === 'TIGHT';
    if (!force && this.cached?.etag) return { action: 'select', force, ifNoneMatch: this.cached.etag };
    return { action: 'select', force };
  }

  /** A 200 answer at `now`. */
  selected(answer: SelectedAnswer, now: number): CachedSelection {
    const secs =
      answer.mode === 'TIGHT' && this.rules.tightCacheSecs !== undefined
        ? this.rules.tightCacheSecs
        : answer.cacheDurationSecs;
    this.cached = {
      label: answer.label,
      bedrockModelId: answer.bedrockModelId,
      mode: answer.mode,
      cacheDurationSecs: secs,
      expiresAt: now + secs * 1000,
      ...(answer.etag !== undefined ? { etag: answer.etag } : {}),
    };
    this.forceNext = false;
    this.blockedUntil = 0;
    return this.cached;
  }

  /** A 304 at `now`: the cached answer holds for `maxAgeSecs` more (its own duration when absent). */
  notModified(now: number, maxAgeSecs?: number): CachedSelection | undefined {
    if (!this.cached) return undefined;
    this.cached.expiresAt = now + (maxAgeSecs ?? this.cached.cacheDurationSecs) * 1000;
    this.forceNext = false;
    return this.cached;
  }

  /** A 429 QUOTA_EXCEEDED: every label is exhausted until `retryAfter` (epoch ms). */
  exhausted(retryAfter: number): void {
    this.cached = undefined;
    this.forceNext = false;
    this.blockedUntil = retryAfter;
  }

  /** A usage answer's quota_status for `label`: whether (and how) to re-select at once. */
  usage(label: string, mode: LabelStatus): Reaction {
    const c = this.cached;
    if (!c || c.label !== label) return { action: 'none' };
    if (mode === 'EXCEEDED') {
      c.expiresAt = -Infinity;
      if (this.rules.forceOnExceeded) this.forceNext = true;
      return { action: 'reselect', force: this.rules.forceOnExceeded, cause: 'EXCEEDED' };
    }
    if (mode === 'TIGHT' && c.mode === 'NORMAL' && this.rules.reselectOnTight) {
      c.expiresAt = -Infinity;
      return { action: 'reselect', force: false, cause: 'TIGHT' };
    }
    return { action: 'none' };
  }
}
