import { type ChangeFeed } from '../../ports/change-feed.port.js';
import { type Clock } from '../../ports/clock.port.js';
import { type DailyTotals } from '../../ports/daily-totals.port.js';
import { type SpendReader } from '../../ports/spend-reader.port.js';
import { type StickyStates } from '../../ports/sticky-states.port.js';
import { type UsageCounters } from '../../ports/usage-counters.port.js';
import { type WorkerLease } from '../../ports/worker-lease.port.js';
import { labelStatus } from '../../model/quota/quota-status.js';
import { linesFor } from '../../model/quota/budget-lines.js';
import { type PeriodTotals } from '../../ports/period-totals.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';
import { lineStatesFrom, periodKeysFor } from '../shared/line-spend.js';
import { RollUpPeriods } from './roll-up-periods.use-case.js';
import { type EvaluateAlerts } from '../alerts/evaluate-alerts.use-case.js';
import { assessSelection, stickyStateFor } from '../../model/selection/model-selection.js';
import { mapLimit } from '../shared/map-limit.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';
import {
  parseScopeKey,
  resolveEffectiveConfig,
  type EffectiveConfig,
} from '../../model/tenants/tenant.entity.js';
import { candidateOrgDays, epochSecs, nextLocalMidnight, orgDay } from '../../model/time/org-time.js';
import { COUNTER_TTL_DAYS, type CounterGroup, type DailyTotal } from '../../model/usage/usage.entity.js';

export interface AggregationOptions {
  /** Who this worker is (lease owner). */
  owner: string;
  leaseName?: string;
  /** Lease lifetime; another worker takes over this long after a holder dies. */
  leaseTtlSecs?: number;
  /** The change feed is read from this long before the last pass began (clock skew, slow commits). */
  cursorOverlapSecs?: number;
}

export type PassReport =
  | { ran: false; reason: 'lease-held-elsewhere' }
  | {
      ran: true;
      groupsAggregated: number;
      /** Period totals (day, week, month; per label and all labels; org roll-ups) recomputed. */
      periodTotalsWritten: number;
      stickyAdvanced: number;
      /** Alert events this pass created. */
      eventsCreated: number;
      durationMs: number;
      /** Seconds between the oldest change this pass could include and the pass start. */
      maxLagSecs: number;
      startedAt: string;
    };

/**
 * One aggregation pass: take (or renew) the lease, find the counter groups written since the last pass
 * (change feed, no scan), sum their shards, overwrite the day totals (idempotent) and advance sticky
 * state for labels that became exhausted today. The holder keeps the lease between passes; another
 * worker waits as a standby and takes over once the lease expires (a killed holder) or is released
 * (a clean shutdown, which leaves the cursor for it).
 *
 * Late events: every changed group is re-aggregated whatever its day, so events for the previous org
 * day (accepted up to 24 h late) land in that day's total, including during the two hours after local
 * midnight when the previous day is still open (see daysOpenForAggregation).
 */
export interface AggregateUsageOptions {
  lease: WorkerLease;
  feed: ChangeFeed;
  counters: UsageCounters;
  totals: DailyTotals;
  periodTotals: PeriodTotals;
  spend: SpendReader;
  sticky: StickyStates;
  tenants: TenantDirectory;
  configs: TenantConfigCache;
  clock: Clock;
  aggregation: AggregationOptions;
  /** Alert events from the totals a pass wrote (after the period roll-up and sticky advance). */
  alerts?: EvaluateAlerts;
}

export class AggregateUsage {
  private readonly leaseName: string;
  private readonly leaseTtlSecs: number;
  private readonly overlapMs: number;
  private readonly lease: WorkerLease;
  private readonly feed: ChangeFeed;
  private readonly counters: UsageCounters;
  private readonly totals: DailyTotals;
  private readonly spend: SpendReader;
  private readonly sticky: StickyStates;
  private readonly configs: TenantConfigCache;
  private readonly clock: Clock;
  private readonly opts: AggregationOptions;
  private readonly periods: RollUpPeriods;
  private readonly alerts: EvaluateAlerts | undefined;
  /** The start of this worker's last finished pass, while it holds the lease. */
  private cursor: string | undefined;

  constructor(o: AggregateUsageOptions) {
    this.lease = o.lease;
    this.feed = o.feed;
    this.counters = o.counters;
    this.totals = o.totals;
    this.spend = o.spend;
    this.sticky = o.sticky;
    this.configs = o.configs;
    this.clock = o.clock;
    this.opts = o.aggregation;
    this.alerts = o.alerts;
    this.periods = new RollUpPeriods({
      periodTotals: o.periodTotals,
      totals: o.totals,
      tenants: o.tenants,
      clock: o.clock,
    });
    this.leaseName = this.opts.leaseName ?? 'aggregator';
    this.leaseTtlSecs = this.opts.leaseTtlSecs ?? 120;
    this.overlapMs = (this.opts.cursorOverlapSecs ?? 120) * 1000;
  }

  /** `signal` lets a shutdown abandon the pass between groups; totals already written stay correct. */
  async runPass(signal?: { aborted: boolean }): Promise<PassReport> {
    const started = this.clock.now();
    const grant = await this.lease.tryAcquire(this.leaseName, this.opts.owner, started, this.leaseTtlSecs);
    if (!grant.acquired) return { ran: false, reason: 'lease-held-elsewhere' };
    // The holder keeps the lease between passes (renewing it at each pass) and knows its own cursor;
    // a standby reads the cursor the last holder left on release.
    const cursor = this.cursor ?? grant.cursor;
    try {
      const since = cursor ? new Date(Date.parse(cursor) - this.overlapMs) : undefined;
      const groups = await this.feed.changedGroups(candidateOrgDays(started), since);
      const written: Array<{ total: DailyTotal; eff: EffectiveConfig }> = [];
      await mapLimit(groups, 8, async (group) => {
        if (signal?.aborted) return;
        const eff = await this.configFor(group);
        if (!eff) return;
        const sum = await this.counters.sumShards(group, eff.aggShardCount);
        const total: DailyTotal = {
          ...group,
          ...sum,
          updatedAt: this.clock.now().toISOString(),
          expiresAt: epochSecs(started) + COUNTER_TTL_DAYS * 86400,
        };
        await this.totals.put([total]);
        written.push({ total, eff });
      });
      let stickyAdvanced = 0;
      let periodTotalsWritten = 0;
      let eventsCreated = 0;
      if (!signal?.aborted) {
        // Budgets read week, month and all-label totals: recompute the ones these days belong to.
        periodTotalsWritten = await this.periods.run(written);
        for (const { total, eff } of written) {
          if (await this.advanceStickyIfExhausted(total, eff)) stickyAdvanced++;
        }
        // Alert events of the lines these totals feed (each created once ever, by its derived id).
        if (this.alerts) eventsCreated = (await this.alerts.run(written)).eventsCreated;
        // Only a finished pass moves the cursor; an abandoned one is redone by the next pass.
        this.cursor = started.toISOString();
      }
      return {
        ran: true,
        groupsAggregated: written.length,
        periodTotalsWritten,
        stickyAdvanced,
        eventsCreated,
        durationMs: this.clock.now().getTime() - started.getTime(),
        maxLagSecs: since ? Math.round((started.getTime() - since.getTime()) / 1000) : 0,
        startedAt: started.toISOString(),
      };
    } catch (e) {
      // A failed pass gives the lease up (with the last good cursor) so that a healthy worker can go on.
      await this.release().catch(() => undefined);
      throw e;
    }
  }

  /** Gives the lease up, leaving the cursor of the last finished pass for the next holder (on shutdown). */
  async release(): Promise<void> {
    await this.lease.release(this.leaseName, this.opts.owner, this.cursor);
  }

  /** The configuration that governs a counter group: the org's (ORG scope) or the app's (APP scope). */
  private async configFor(group: CounterGroup): Promise<EffectiveConfig | undefined> {
    const { orgId, appId } = parseScopeKey(group.scopeKey);
    const org = await this.configs.org(orgId);
    if (!org) return undefined;
    if (appId === undefined) return resolveEffectiveConfig(org);
    const app = await this.configs.app(orgId, appId);
    return app ? resolveEffectiveConfig(org, app) : undefined;
  }

  /**
   * When a label of today's ordering is out for the day (its daily quota or a DAY budget exhausted),
   * move the sticky state forward (never back), by the same rule selection uses.
   */
  private async advanceStickyIfExhausted(total: DailyTotal, eff: EffectiveConfig): Promise<boolean> {
    if (!eff.stickyFallbackEnabled || !eff.modelOrdering.includes(total.label)) return false;
    const now = this.clock.now();
    if (total.day !== orgDay(now, eff.timezone)) return false;
    const quota = eff.quotas[total.label] ?? 0;
    const dayBudgets = [...eff.orgBudgets, ...eff.appBudgets].some((b) => b.window === 'DAY');
    if (!dayBudgets && labelStatus(total.costUsdMicros, quota, eff.tightModeThresholdPct) !== 'EXCEEDED')
      return false;
    const defs = linesFor(eff);
    const snap = await this.spend.read(
      {
        scopeKey: eff.scopeKey,
        day: total.day,
        totalsFor: eff.modelOrdering,
        liveFor: [],
        shardCount: eff.aggShardCount,
        withSticky: true,
        periods: periodKeysFor(defs, eff, now),
      },
      now,
    );
    const daySpend = new Map<string, number>();
    for (const label of eff.modelOrdering) {
      daySpend.set(
        label,
        label === total.label ? total.costUsdMicros : (snap.totals.get(label)?.costUsdMicros ?? 0),
      );
    }
    const { decision } = assessSelection({
      ordering: eff.modelOrdering,
      lines: lineStatesFrom({ eff, defs, now, daySpend, dayDelta: new Map(), periods: snap.periods }),
      stickyEnabled: true,
      sticky: snap.sticky,
      dayEnd: nextLocalMidnight(now, eff.timezone),
    });
    if (decision.kind !== 'recommend' || !decision.advanceStickyTo) return false;
    return this.sticky.advance(
      stickyStateFor(eff.scopeKey, total.day, decision.advanceStickyTo, now, eff.timezone),
      now,
    );
  }
}
