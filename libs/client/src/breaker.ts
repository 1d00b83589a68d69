// A circuit breaker, pure (time passed in): closed -> open after `failureThreshold` consecutive
// failures -> after `cooldownMs` one probe call is let through (half-open) -> closed on its success,
// open again on its failure.
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open it (default 5). */
  failureThreshold?: number;
  /** How long it stays open before a probe (ms, default 30,000). */
  cooldownMs?: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private st: BreakerState = 'closed';
  readonly failureThreshold: number;
  readonly cooldownMs: number;

  constructor(o: BreakerOptions = {}) {
    this.failureThreshold = o.failureThreshold ?? 5;
    this.cooldownMs = o.cooldownMs ?? 30_000;
  }

  get state(): BreakerState {
    return this.st;
  }

  /** When an open breaker lets a probe through (epoch ms). */
  get reopensAt(): number {
    return this.openedAt + this.cooldownMs;
  }

  /** May a call go out at `now`? In half-open state only one (the probe) until it settles. */
  allow(now: number): boolean {
    if (this.st === 'closed') return true;
    if (this.st === 'open') {
      if (now < this.reopensAt) return false;
      this.st = 'half-open';
      this.probing = false;
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.st = 'closed';
    this.failures = 0;
    this.probing = false;
  }

  failure(now: number): void {
    this.probing = false;
    if (this.st === 'half-open') {
      this.st = 'open';
      this.openedAt = now;
      return;
    }
    this.failures++;
    if (this.st === 'closed' && this.failures >= this.failureThreshold) {
      this.st = 'open';
      this.openedAt = now;
    }
  }
}
