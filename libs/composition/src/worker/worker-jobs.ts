import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type Logger } from 'pino';
import {
  CLOCK,
  type Clock,
  type CostKeeper,
  type DeliveryPassReport,
  type PassReport,
  type PricingRefreshReport,
  type PricingSource,
  RefreshPricing,
  type RollupPassReport,
} from '#core-domain';
import { COST_KEEPER } from '../persistence.module.js';
import { type EmfWriter } from '../metrics/emf.js';
import { type PromMetrics } from '../metrics/prom-metrics.js';

export const WORKER_OPTIONS = Symbol('WorkerOptions');

export interface WorkerOptions {
  /** Seconds between aggregation passes (AGGREGATION_INTERVAL_SECS). */
  intervalSecs: number;
  /** Where the daily pricing refresh reads prices (pricingSourceFor: config or AWS Price List). */
  pricingSource: PricingSource;
  logger: Logger;
  /** Start the intervals (false in tests that call the jobs by hand). */
  schedule: boolean;
  /** Seconds between webhook delivery passes (default 2). */
  deliveryIntervalSecs?: number;
  /** Told every pass and delivery pass (Prometheus metrics, spend series). */
  metrics?: PromMetrics;
  /** METRICS_EMF=on: an EMF line per aggregation pass. */
  emf?: EmfWriter;
}

/** How often the spend series are checked for apps that are gone. */
const APP_CHECK_INTERVAL_MS = 10 * 60 * 1000;

/**
 * The worker's jobs: an aggregation pass every interval (under the lease, so one worker does the work;
 * it also creates the alert events), a webhook delivery pass every few seconds, and the daily pricing
 * refresh. One JSON log line per pass. On shutdown the running pass is abandoned
 * between counter groups (totals written so far are correct; the next pass redoes the rest) and the
 * lease is released.
 */
@Injectable()
export class WorkerJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private running: Promise<PassReport> | undefined;
  private readonly abort = { aborted: false };
  private pricedDay: string | undefined;
  private delivering = false;
  private appsCheckedAt = 0;
  private rollingUp: Promise<RollupPassReport | undefined> | undefined;

  constructor(
    @Inject(COST_KEEPER) private readonly keeper: CostKeeper,
    @Inject(WORKER_OPTIONS) private readonly opts: WorkerOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
    @Inject(RefreshPricing) private readonly pricing: RefreshPricing,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.opts.schedule) return;
    const tick = () =>
      void this.aggregate().catch((err: unknown) =>
        this.opts.logger.error({ err }, 'aggregation pass failed'),
      );
    this.scheduler.addInterval('aggregation', setInterval(tick, this.opts.intervalSecs * 1000));
    const pricing = () =>
      void this.refreshPricingIfDue().catch((err: unknown) =>
        this.opts.logger.error({ err }, 'pricing refresh failed'),
      );
    this.scheduler.addInterval('pricing', setInterval(pricing, 15 * 60 * 1000));
    // Webhook deliveries: every worker sends (claims keep each attempt to one worker).
    const deliver = () =>
      void this.deliver().catch((err: unknown) => this.opts.logger.error({ err }, 'delivery pass failed'));
    this.scheduler.addInterval(
      'deliveries',
      setInterval(deliver, (this.opts.deliveryIntervalSecs ?? 2) * 1000),
    );
    // Daily rollups (summary route): their own lease, after each aggregation interval.
    const rollup = () =>
      void this.rollUp().catch((err: unknown) => this.opts.logger.error({ err }, 'rollup pass failed'));
    this.scheduler.addInterval('rollups', setInterval(rollup, this.opts.intervalSecs * 1000));
    pricing();
    tick();
  }

  /**
   * Rollup passes (records written since the last one into the daily rollups) until current; not run
   * twice at once. Resolves with the last pass that ran.
   */
  async rollUp(): Promise<RollupPassReport | undefined> {
    if (this.abort.aborted) return undefined;
    if (this.rollingUp) return this.rollingUp;
    this.rollingUp = this.rollUpPasses().finally(() => (this.rollingUp = undefined));
    return this.rollingUp;
  }

  private async rollUpPasses(): Promise<RollupPassReport> {
    let report: RollupPassReport = { ran: false, reason: 'nothing-new' };
    for (let i = 0; i < 100 && !this.abort.aborted; i++) {
      const started = performance.now();
      const r = await this.keeper.rollups.runPass();
      if (!r.ran) break;
      report = r;
      this.logRollup(r);
      // Let the requests waiting on the event loop in between (a pass applies at most
      // maxRecordsPerPass records). On memory storage every await of the adapters is a microtask, so
      // without this a catch-up over many records ran as one synchronous block: the 1.3 s stalls of
      // POST usage in the lean comparison (docs/performance.md). Then rest as long as the pass took
      // (at most 1 s): a catch-up takes at most about half of the process, never all of it.
      await yieldToEventLoop();
      await sleep(Math.min(1000, performance.now() - started));
    }
    return report;
  }

  private logRollup(report: RollupPassReport): void {
    if (report.ran) {
      this.opts.logger.info(
        {
          job: 'rollups',
          window_from: report.window.from,
          window_to: report.window.to,
          records: report.records,
          rollups_written: report.rollupsWritten,
          rollups_skipped: report.rollupsSkipped,
        },
        'rollup pass',
      );
    }
  }

  /** One aggregation pass; a pass still running is not started twice. */
  async aggregate(): Promise<PassReport> {
    if (this.running) return this.running;
    this.running = this.keeper.aggregator.runPass(this.abort).finally(() => (this.running = undefined));
    const report = await this.running;
    this.opts.metrics?.aggregationPass(report);
    this.opts.emf?.aggregationPass(report, this.clock.now());
    if (report.ran) {
      this.opts.logger.info(
        {
          job: 'aggregation',
          groups_aggregated: report.groupsAggregated,
          sticky_advanced: report.stickyAdvanced,
          period_totals_written: report.periodTotalsWritten,
          events_created: report.eventsCreated,
          duration_ms: report.durationMs,
          max_lag_secs: report.maxLagSecs,
          aborted: this.abort.aborted,
        },
        'aggregation pass',
      );
      await this.forgetGoneApps().catch((err: unknown) =>
        this.opts.logger.warn({ err }, 'spend series: app check failed'),
      );
    } else {
      this.opts.logger.debug({ job: 'aggregation', reason: report.reason }, 'aggregation pass skipped');
    }
    return report;
  }

  /** Every few minutes: the spend series of apps that no longer exist go. */
  private async forgetGoneApps(): Promise<void> {
    const spend = this.opts.metrics?.spend;
    const now = this.clock.now().getTime();
    if (!spend || now - this.appsCheckedAt < APP_CHECK_INTERVAL_MS) return;
    this.appsCheckedAt = now;
    for (const { orgId, appId } of spend.apps()) {
      if (!(await this.keeper.configs.app(orgId, appId))) spend.forgetApp(orgId, appId);
    }
  }

  /** One webhook delivery pass; not started twice at once. */
  async deliver(): Promise<DeliveryPassReport | undefined> {
    if (this.delivering || this.abort.aborted) return undefined;
    this.delivering = true;
    try {
      const report = await this.keeper.deliveries.runPass();
      this.opts.metrics?.deliveryPass(report);
      if (report.attempted > 0) this.opts.logger.info({ job: 'deliveries', ...report }, 'delivery pass');
      return report;
    } finally {
      this.delivering = false;
    }
  }

  /** The day's prices, once per UTC day (and at start). */
  async refreshPricingIfDue(): Promise<PricingRefreshReport | undefined> {
    const today = this.clock.now().toISOString().slice(0, 10);
    if (this.pricedDay === today) return undefined;
    const report = await this.pricing.run();
    this.pricedDay = today;
    this.opts.logger.info({ job: 'pricing', ...report }, 'pricing refresh');
    return report;
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.aborted = true;
    await this.running?.catch(() => undefined);
    await this.rollingUp?.catch(() => undefined);
    await this.keeper.rollups
      .release()
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'rollup lease release failed'));
    // Hand the lease (and the cursor of the last finished pass) to a standby worker now.
    await this.keeper.aggregator
      .release()
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'lease release failed'));
  }
}
