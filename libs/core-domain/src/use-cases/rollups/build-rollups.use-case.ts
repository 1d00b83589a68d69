import { type Clock } from '../../ports/clock.port.js';
import { type UsageRecords } from '../../ports/usage-records.port.js';
import { type UsageRollups } from '../../ports/usage-rollups.port.js';
import { type WorkerLease } from '../../ports/worker-lease.port.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';
import {
  applyRecords,
  compareForRollup,
  emptyRollup,
  rollupSetsOf,
  rollupWindowId,
  type DayRollup,
  type RollupCheckpoint,
  type RollupSet,
} from '../../model/usage/rollup.js';
import { type UsageRecord } from '../../model/usage/usage.entity.js';
import { mapLimit } from '../shared/map-limit.js';

export interface BuildRollupsOptions {
  lease: WorkerLease;
  records: UsageRecords;
  rollups: UsageRollups;
  configs: TenantConfigCache;
  clock: Clock;
  owner: string;
  leaseName?: string;
  leaseTtlSecs?: number;
  /** A pass reads records written up to this long ago (GSI propagation): default 5 s. */
  lagSecs?: number;
  /** The first pass ever starts this long ago (default 35 days, the default record retention). */
  initialLookbackDays?: number;
  /** At most this long a window (a long outage is caught up over several passes): default 1 day. */
  maxWindowSecs?: number;
  /**
   * About this many records a pass applies (default 5,000): a window holding more is cut short at a
   * record's recordedAt and the rest goes to the next pass, so no pass adds up an unbounded number of
   * records in one synchronous step (docs/performance.md, the 1.3 s stall of the lean comparison).
   */
  maxRecordsPerPass?: number;
}

export type RollupPassReport =
  | { ran: false; reason: 'lease-held-elsewhere' | 'nothing-new' }
  | {
      ran: true;
      window: { from: string; to: string };
      records: number;
      rollupsWritten: number;
      rollupsSkipped: number;
    };

const FEED_PAGE = 1000;

/** A record's recordedAt as the feed compares it (ISO 8601 with milliseconds). */
const isoMs = (at: string) => new Date(at).toISOString();

/**
 * The worker's daily rollups (analytics.md, "Summary (from rollups)"). A pass takes the window
 * [checkpoint, now - lag), persists it as pending before reading anything, reads the records written
 * in it (UsageRecords.recordedBetween: cost O(new records), no scan), and for each (org, day, set)
 * touched adds them to the stored rollup with a write conditional on the window the rollup last
 * applied. A rollup that already carries this window is skipped, so a crashed pass re-run over the
 * same window counts nothing twice. The checkpoint then moves to the window's end (the summary's
 * `as_of`).
 */
export class BuildRollups {
  private readonly o: Required<
    Omit<BuildRollupsOptions, 'lease' | 'records' | 'rollups' | 'configs' | 'clock' | 'owner'>
  > &
    BuildRollupsOptions;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(o: BuildRollupsOptions) {
    this.o = {
      leaseName: 'rollups',
      leaseTtlSecs: 120,
      lagSecs: 5,
      initialLookbackDays: 35,
      maxWindowSecs: 86400,
      maxRecordsPerPass: 5000,
      ...o,
    };
  }

  /** One pass (passes and rebuilds of this instance run one at a time). */
  runPass(): Promise<RollupPassReport> {
    return this.serial(() => this.pass());
  }

  /**
   * Passes until the rollups are current (a window cut short by maxWindowSecs, after an outage or on
   * the first run, is followed by the next at once), at most `maxPasses`. Reports every pass that ran.
   */
  async catchUp(maxPasses = 100): Promise<RollupPassReport[]> {
    const out: RollupPassReport[] = [];
    for (let i = 0; i < maxPasses; i++) {
      const r = await this.runPass();
      if (!r.ran) break;
      out.push(r);
    }
    return out;
  }

  /**
   * Rebuilds one org day from that day's records (every set), giving the figures the passes gave:
   * the records recorded before the end of the window the rollups last applied (a pending window's
   * end when a pass crashed), applied in the same order. Records past their retention are gone, so a
   * day older than the retention cannot be rebuilt. Runs under the rollup lease; false without it.
   */
  rebuildDay(orgId: string, day: string): Promise<boolean> {
    return this.serial(() => this.rebuild(orgId, day));
  }

  /** Gives the lease up (on shutdown). */
  async release(): Promise<void> {
    await this.o.lease.release(this.o.leaseName, this.o.owner);
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async pass(): Promise<RollupPassReport> {
    const now = this.o.clock.now();
    const grant = await this.o.lease.tryAcquire(this.o.leaseName, this.o.owner, now, this.o.leaseTtlSecs);
    if (!grant.acquired) return { ran: false, reason: 'lease-held-elsewhere' };
    let cp = await this.o.rollups.readCheckpoint();
    let from: Date;
    let to: Date;
    // A pending window of a pass that stopped part-way may have been applied to some rollups: it is
    // re-run whole. A window this pass chose has been applied nowhere yet, so it may be cut short.
    const resumed = cp?.pending !== undefined;
    if (cp?.pending) {
      from = new Date(cp.pending.from);
      to = new Date(cp.pending.to);
    } else {
      from = cp ? new Date(cp.appliedTo) : new Date(now.getTime() - this.o.initialLookbackDays * 86400_000);
      const end = now.getTime() - this.o.lagSecs * 1000;
      to = new Date(Math.min(end, from.getTime() + this.o.maxWindowSecs * 1000));
      if (to.getTime() <= from.getTime()) return { ran: false, reason: 'nothing-new' };
      cp = {
        ...(cp ?? { appliedTo: from.toISOString() }),
        pending: { from: from.toISOString(), to: to.toISOString() },
      };
      await this.o.rollups.writeCheckpoint(cp);
    }
    // The window's records, in feed order (recordedAt, then scope and request id: compareForRollup's).
    const all: UsageRecord[] = [];
    const pageSize = Math.min(FEED_PAGE, this.o.maxRecordsPerPass);
    let cursor: string | undefined;
    do {
      const page = await this.o.records.recordedBetween(from, to, cursor, pageSize);
      for (const r of page.records) all.push(r);
      cursor = page.next;
    } while (cursor !== undefined && (resumed || all.length < this.o.maxRecordsPerPass));
    if (cursor !== undefined) {
      // More than maxRecordsPerPass: the window ends at the last record's millisecond, whose records
      // (and the rest) go to the next pass, unless they are all of the window's first millisecond.
      const cut = isoMs(all[all.length - 1]!.recordedAt);
      if (cut > from.toISOString()) {
        let keep = all.length;
        while (keep > 0 && isoMs(all[keep - 1]!.recordedAt) >= cut) keep--;
        all.length = keep;
        to = new Date(cut);
        cp = { ...cp!, pending: { from: from.toISOString(), to: cut } };
        await this.o.rollups.writeCheckpoint(cp);
      } else {
        do {
          const page = await this.o.records.recordedBetween(from, to, cursor, pageSize);
          for (const r of page.records) all.push(r);
          cursor = page.next;
        } while (cursor !== undefined);
      }
    }
    const window = rollupWindowId(from, to);
    // Group the window's records by (org, day).
    const byDay = new Map<string, UsageRecord[]>();
    for (const r of all) {
      const key = `${r.orgId}\u0000${r.day}`;
      const list = byDay.get(key) ?? [];
      list.push(r);
      byDay.set(key, list);
    }
    const count = all.length;
    let written = 0;
    let skipped = 0;
    await mapLimit([...byDay.values()], 4, async (records) => {
      const { orgId, day } = records[0]!;
      records.sort(compareForRollup);
      for (const set of await this.setsOf(orgId)) {
        if (await this.applyTo(orgId, set, day, records, window)) written++;
        else skipped++;
      }
    });
    const done: RollupCheckpoint = {
      appliedTo: to.toISOString(),
      lastWindow: window,
      passAt: this.o.clock.now().toISOString(),
    };
    await this.o.rollups.writeCheckpoint(done);
    return {
      ran: true,
      window: { from: from.toISOString(), to: to.toISOString() },
      records: count,
      rollupsWritten: written,
      rollupsSkipped: skipped,
    };
  }

  private async setsOf(orgId: string): Promise<RollupSet[]> {
    const org = await this.o.configs.org(orgId);
    return rollupSetsOf(org?.settings.rollupTagKeys ?? []);
  }

  /** Adds `records` to one rollup unless it already applied `window`; retries when another write came first. */
  private async applyTo(
    orgId: string,
    set: RollupSet,
    day: string,
    records: UsageRecord[],
    window: string,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const [stored] = await this.o.rollups.readRange(orgId, set, day, day);
      if (stored?.window === window) return false;
      const next = applyRecords(stored ?? emptyRollup(orgId, set, day), records, window);
      if (await this.o.rollups.write(next, stored?.window)) return true;
    }
    throw new Error(`The rollup ${orgId} ${set} ${day} kept changing under the pass`);
  }

  private async rebuild(orgId: string, day: string): Promise<boolean> {
    const now = this.o.clock.now();
    const grant = await this.o.lease.tryAcquire(this.o.leaseName, this.o.owner, now, this.o.leaseTtlSecs);
    if (!grant.acquired) return false;
    const cp = await this.o.rollups.readCheckpoint();
    if (!cp) return false; // no pass yet: the first pass will include the day
    // All the day's records (timestamp order; re-sorted into pass order below).
    const all: UsageRecord[] = [];
    let after: string | undefined;
    do {
      const page = await this.o.records.readDay({
        orgId,
        day,
        from: '0000-01-01T00:00:00.000Z',
        to: '9999-12-31T23:59:59.999Z',
        limit: 1000,
        now,
        ...(after !== undefined ? { after } : {}),
      });
      all.push(...page.records);
      after = page.next;
    } while (after !== undefined);
    all.sort(compareForRollup);
    for (const set of await this.setsOf(orgId)) {
      for (let attempt = 0; ; attempt++) {
        const [stored] = await this.o.rollups.readRange(orgId, set, day, day);
        // The state to reproduce: everything recorded before the end of the window the rollup carries
        // (or, for a rollup never written, before the checkpoint or its pending window's start).
        const window = stored?.window ?? cp.lastWindow;
        const bound = stored?.window ? stored.window.split('/')[1]! : (cp.pending?.from ?? cp.appliedTo);
        const records = all.filter((r) => new Date(r.recordedAt).toISOString() < bound);
        if (!window || (records.length === 0 && !stored)) break;
        const fresh: DayRollup = applyRecords(emptyRollup(orgId, set, day), records, window);
        if (await this.o.rollups.write(fresh, stored?.window)) break;
        if (attempt >= 4)
          throw new Error(`The rollup ${orgId} ${set} ${day} kept changing under the rebuild`);
      }
    }
    return true;
  }
}
