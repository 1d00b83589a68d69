import { type SpendQuery, type SpendReader, type SpendSnapshot } from '../../ports/spend-reader.port.js';
import { type PeriodTotal } from '../../model/usage/period-total.js';
import { type KnownTotal, observeTotal, unaggregatedBound } from '../../model/quota/live-spend.js';

export interface UsageSpendRead {
  query: Omit<SpendQuery, 'liveFor' | 'totalsFor'>;
  label: string;
  /** What this event adds to the label's spend (0 for a duplicate). */
  addedUsdMicros: number;
  now: Date;
  /**
   * Whether the label is near a limit with `daySpend` as its day spend, of which `dayDelta` is not in
   * the aggregated total (nearLimit of live-spend.ts on the binding line).
   */
  near: (daySpend: number, dayDelta: number, periods: ReadonlyMap<string, PeriodTotal>) => boolean;
}

/**
 * The spend read of a usage response. Far from every limit it reads the label's day total (and the
 * period totals of its budgets) only, one item whatever the shard count; the live shard sums are read
 * when the label is near a limit by the total, this event and an upper bound of the spend not yet
 * aggregated (the burn this process saw between two totals). What it learns per (scope, label, day)
 * decides the next read: a label that was near reads totals and shards in one round trip, one that
 * was far reads the total first and the shards only if it turned out near.
 */
export class UsageSpend {
  private readonly known = new Map<string, { total: KnownTotal | undefined; near: boolean }>();

  constructor(
    private readonly spend: SpendReader,
    private readonly aggregationIntervalSecs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The snapshot holds live spend for the label only when it was read. */
  async read(r: UsageSpendRead): Promise<SpendSnapshot> {
    const key = `${r.query.scopeKey}\u0000${r.label}\u0000${r.query.day}`;
    const before = this.known.get(key);
    const readLive = before?.near ?? true;
    // Queries written field by field: on Node 20 a spread followed by more properties costs
    // microseconds per object (docs/performance.md, "Lean comparison").
    const q = r.query;
    const query: SpendQuery = {
      scopeKey: q.scopeKey,
      day: q.day,
      totalsFor: [r.label],
      liveFor: readLive ? [r.label] : [],
      shardCount: q.shardCount,
      withSticky: q.withSticky,
    };
    if (q.periods !== undefined) query.periods = q.periods;
    const snap = await this.spend.read(query, r.now);
    const stored = snap.totals.get(r.label);
    const total = observeTotal(
      before?.total,
      stored && { costUsdMicros: stored.costUsdMicros, updatedAtMs: Date.parse(stored.updatedAt) },
    );
    const bound = unaggregatedBound(total, r.now.getTime(), this.aggregationIntervalSecs);
    const delta = r.addedUsdMicros + (bound ?? 0);
    const near = bound === undefined || r.near((stored?.costUsdMicros ?? 0) + delta, delta, snap.periods);
    this.remember(key, { total, near });
    if (near && !readLive) {
      const live = await this.spend.read(
        {
          scopeKey: q.scopeKey,
          day: q.day,
          totalsFor: [],
          liveFor: [r.label],
          shardCount: q.shardCount,
          withSticky: false,
          periods: [],
        },
        r.now,
      );
      snap.live = live.live;
    }
    return snap;
  }

  private remember(key: string, value: { total: KnownTotal | undefined; near: boolean }): void {
    this.known.delete(key); // re-inserted last: the oldest entries go first past maxEntries
    if (this.known.size >= this.maxEntries) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
    this.known.set(key, value);
  }
}
