import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  STORAGE_ERROR_KINDS,
  USAGE_EVENT_RESULTS,
  type Clock,
  type DeliveryPassReport,
  type LineState,
  type ObservedScope,
  type PassReport,
  type ServiceObserver,
  type StorageErrorKind,
  type UsageEventResult,
} from '#core-domain';
import { SpendSeriesStore } from './spend-series.js';

export interface PromMetricsOptions {
  /** This process serves the HTTP API: http_request_duration_seconds and usage_events_total. */
  http: boolean;
  /** This process runs the worker's jobs: aggregation, webhook and spend metrics. */
  worker?: {
    /** METRICS_MAX_SERIES: at most this many lines get spend and limit series. */
    maxSeries: number;
    /** Ends the series of periods that are over. */
    clock: Clock;
  };
}

/** Route label of requests no route matched (the raw URL never becomes a label). */
export const UNMATCHED_ROUTE = 'unmatched';

const SPEND_LABELS = ['org', 'app', 'label', 'window'] as const;

/**
 * The service's Prometheus metrics (prom-client), on a registry of their own, and the observer the
 * domain reports to. A process exports what it measures: the HTTP app its requests and usage events,
 * the worker its passes, deliveries and spend series; both their storage errors. Everything on the
 * request path is a counter increment or one histogram observe.
 */
export class PromMetrics implements ServiceObserver {
  readonly registry = new Registry();
  readonly spend: SpendSeriesStore | undefined;
  private readonly httpDuration: Histogram<'route' | 'method' | 'status'> | undefined;
  /** usage_events_total, counted in plain numbers and copied to the counter when scraped. */
  private readonly usage: Record<UsageEventResult, number> = {
    accepted: 0,
    duplicate: 0,
    rejected: 0,
    failed: 0,
  };
  private readonly storageErrors: Counter<'kind'>;
  private readonly passDuration: Histogram | undefined;
  private readonly lag: Gauge | undefined;
  private readonly deliveries: Counter<'result'> | undefined;

  constructor(o: PromMetricsOptions) {
    const registers = [this.registry];
    if (o.http) {
      this.httpDuration = new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP requests by route template, method and status: time to the response, in seconds.',
        labelNames: ['route', 'method', 'status'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      });
      const usage = this.usage;
      new Counter({
        name: 'usage_events_total',
        help: 'Usage events metered: accepted, duplicate (already counted), rejected (invalid) or failed (storage).',
        labelNames: ['result'],
        registers,
        collect() {
          this.reset();
          for (const result of USAGE_EVENT_RESULTS) this.inc({ result }, usage[result]);
        },
      });
    }
    this.storageErrors = new Counter({
      name: 'storage_errors_total',
      help: 'Failed storage calls (after the SDK retries) by kind.',
      labelNames: ['kind'],
      registers,
    });
    for (const kind of STORAGE_ERROR_KINDS) this.storageErrors.inc({ kind }, 0);
    if (o.worker) {
      this.passDuration = new Histogram({
        name: 'aggregation_pass_duration_seconds',
        help: 'Aggregation passes this worker ran (holding the lease): duration in seconds.',
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
        registers,
      });
      this.lag = new Gauge({
        name: 'aggregation_lag_seconds',
        help: 'How far the daily totals may trail the usage counters: max_lag_secs of the last pass.',
        registers,
      });
      this.deliveries = new Counter({
        name: 'webhook_deliveries_total',
        help: 'Webhook and SNS delivery attempts: succeeded or failed.',
        labelNames: ['result'],
        registers,
      });
      for (const result of ['succeeded', 'failed']) this.deliveries.inc({ result }, 0);
      const spend = new SpendSeriesStore(o.worker.maxSeries);
      this.spend = spend;
      const clock = o.worker.clock;
      const gauge = (name: string, help: string, value: (s: { spend: number; limit: number }) => number) =>
        new Gauge({
          name,
          help,
          labelNames: SPEND_LABELS,
          registers,
          collect() {
            spend.prune(clock.now().getTime());
            this.reset();
            for (const s of spend.all()) {
              this.set(
                { org: s.org, app: s.app, label: s.label, window: s.window },
                value({ spend: s.spendUsdMicros, limit: s.limitUsdMicros }),
              );
            }
          },
        });
      gauge(
        'bck_spend_usd_micros',
        'Aggregated spend of a line (daily quota or budget) in its current period, micro-USD. app is empty for org lines, label * for all labels.',
        (s) => s.spend,
      );
      gauge('bck_limit_usd_micros', 'The limit of the same line, micro-USD.', (s) => s.limit);
      new Gauge({
        name: 'bck_spend_series',
        help: 'Lines with spend series now (at most METRICS_MAX_SERIES).',
        registers,
        collect() {
          this.set(spend.size);
        },
      });
      new Counter({
        name: 'bck_spend_series_refused_total',
        help: 'Lines left without spend series because METRICS_MAX_SERIES was reached.',
        registers,
        collect() {
          this.reset();
          this.inc(spend.refused);
        },
      });
    }
  }

  /** One answered HTTP request (`route`: the route template, or UNMATCHED_ROUTE). */
  observeHttp(route: string, method: string, status: number, seconds: number): void {
    this.httpDuration?.observe({ route, method, status: String(status) }, seconds);
  }

  usageEvents(result: UsageEventResult, count: number): void {
    this.usage[result] += count;
  }

  storageError(kind: StorageErrorKind): void {
    this.storageErrors.inc({ kind });
  }

  linesEvaluated(scope: ObservedScope, lines: readonly LineState[]): void {
    this.spend?.update(scope, lines);
  }

  /** A finished aggregation pass of this worker (skipped passes of a standby are not passes). */
  aggregationPass(report: PassReport): void {
    if (!report.ran) {
      // A standby: the lease holder exports the spend series.
      this.spend?.clear();
      return;
    }
    this.passDuration?.observe(report.durationMs / 1000);
    this.lag?.set(report.maxLagSecs);
  }

  deliveryPass(report: DeliveryPassReport): void {
    if (report.succeeded) this.deliveries?.inc({ result: 'succeeded' }, report.succeeded);
    if (report.failed) this.deliveries?.inc({ result: 'failed' }, report.failed);
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
