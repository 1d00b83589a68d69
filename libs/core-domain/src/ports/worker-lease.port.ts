export interface LeaseGrant {
  acquired: boolean;
  /** What the last holder left on release (the aggregator's cursor), if anything. */
  cursor?: string;
}

/** A named lease so that one worker does the work; another takes over once it expires. */
export interface WorkerLease {
  /** Conditional put with expiry: granted when free, expired, or already held by `owner` (renewal). */
  tryAcquire(name: string, owner: string, now: Date, ttlSecs: number): Promise<LeaseGrant>;
  /** Releases the lease if `owner` holds it, storing `cursor` for the next holder. */
  release(name: string, owner: string, cursor?: string): Promise<void>;
}
export const WORKER_LEASE = Symbol('WorkerLease');
