import { AggregateUsage, type AggregationOptions } from './use-cases/aggregation/aggregate-usage.use-case.js';
import { GetDailyAggregates } from './use-cases/aggregation/daily-aggregates.use-case.js';
import { GetPeriodAggregates } from './use-cases/aggregation/period-aggregates.use-case.js';
import { AuditTrail } from './use-cases/audit/audit-trail.use-case.js';
import { GetBudgets } from './use-cases/budgets/get-budgets.use-case.js';
import { type ServiceConfig } from './model/config/service-config.js';
import { Authentication } from './use-cases/credentials/authentication.use-case.js';
import { type Clock } from './ports/clock.port.js';
import { type CursorSealer } from './ports/cursor-sealer.port.js';
import { type IdGenerator } from './ports/id-generator.port.js';
import { type InferenceProfileResolver } from './ports/inference-profile-resolver.port.js';
import { type SecretHasher } from './ports/secret-hasher.port.js';
import { type StorageAdapters } from './ports/storage.port.js';
import { NO_OBSERVER, type ServiceObserver } from './ports/service-observer.port.js';
import { type SnsPublisher, type WebhookSender, type WebhookSigner } from './ports/alert-channels.port.js';
import { DeliverWebhooks } from './use-cases/alerts/deliver-webhooks.use-case.js';
import { EvaluateAlerts } from './use-cases/alerts/evaluate-alerts.use-case.js';
import { ManageWebhooks } from './use-cases/alerts/manage-webhooks.use-case.js';
import { PriceBook } from './use-cases/pricing/price-book.js';
import { inProcessCursorSealer } from './use-cases/shared/page-cursor.js';
import { ManageInferenceProfiles } from './use-cases/profiles/inference-profiles.use-case.js';
import { SelectModel } from './use-cases/selection/select-model.use-case.js';
import { TenantConfigCache } from './use-cases/tenants/tenant-config.js';
import { Provisioning } from './use-cases/tenants/provisioning.use-case.js';
import { RecordUsage } from './use-cases/usage/record-usage.use-case.js';
import { UsageRecordsQuery } from './use-cases/usage/usage-records.use-case.js';
import { CallFlow } from './use-cases/shared/call-flow.js';
import { BuildRollups, type BuildRollupsOptions } from './use-cases/rollups/build-rollups.use-case.js';
import { GetUsageSummary } from './use-cases/rollups/usage-summary.use-case.js';

export interface CostKeeperDeps {
  storage: StorageAdapters;
  clock: Clock;
  config: ServiceConfig;
  ids: IdGenerator;
  hasher: SecretHasher;
  /** Seals paging cursors (records, audit). Without one, cursors only work inside this process. */
  cursors?: CursorSealer;
  /** Finds the model behind an inference profile; without it, profile labels use their fallback price. */
  profileResolver?: InferenceProfileResolver;
  aggregation?: Partial<AggregationOptions> & { intervalSecs?: number };
  /** The rollup passes (lag, first lookback, window cap). */
  rollups?: Partial<
    Pick<
      BuildRollupsOptions,
      'lagSecs' | 'initialLookbackDays' | 'maxWindowSecs' | 'leaseTtlSecs' | 'maxRecordsPerPass'
    >
  >;
  /** Alert channels. Without a sender, deliveries fail with "webhooks are not configured". */
  alerts?: {
    sender?: WebhookSender;
    signer?: WebhookSigner;
    sns?: SnsPublisher;
    /** WEBHOOK_ALLOW_PRIVATE=true: local http(s) receivers allowed (npm start, tests). */
    allowPrivate?: boolean;
    /** In the deliveries' user-agent. */
    serviceVersion?: string;
    /** Who claims deliveries (the worker's id). */
    owner?: string;
    retryDelaysSecs?: readonly number[];
  };
  /** Told the outcome of metered usage events and the lines the aggregator evaluates (metrics). */
  observer?: ServiceObserver;
}

const NO_SENDER: WebhookSender = {
  async send() {
    return { statusCode: null, durationMs: 0, error: 'webhooks are not configured' };
  },
};
const NO_SIGNER: WebhookSigner = { sign: () => '' };

/** Every use case of the product, wired to one storage. What the apps and embedders use. */
export interface CostKeeper {
  provisioning: Provisioning;
  auth: Authentication;
  selectModel: SelectModel;
  recordUsage: RecordUsage;
  /** Usage records for drill-down (paged) and export (streamed). */
  usageRecords: UsageRecordsQuery;
  profiles: ManageInferenceProfiles;
  aggregator: AggregateUsage;
  aggregates: GetDailyAggregates;
  periodAggregates: GetPeriodAggregates;
  budgets: GetBudgets;
  /** The worker's daily rollups (passes, rebuild of a day). */
  rollups: BuildRollups;
  /** GET .../usage/summary, from the rollups. */
  usageSummary: GetUsageSummary;
  /** Webhook and SNS channels, events, deliveries, redelivery. */
  webhooks: ManageWebhooks;
  /** Turns written totals into alert events (the aggregator runs it after each pass). */
  alerts: EvaluateAlerts;
  /** Sends due deliveries (the worker runs it every few seconds). */
  deliveries: DeliverWebhooks;
  configs: TenantConfigCache;
  prices: PriceBook;
  /** The audit trail of each org, and failed admin-key and token attempts. */
  audit: AuditTrail;
}

/**
 * Builds the domain core. For tests of your own code:
 * `createCostKeeper({ storage: createMemoryAdapters(), clock, config, ids, hasher })`.
 */
export function createCostKeeper(deps: CostKeeperDeps): CostKeeper {
  const { storage: s, clock, config } = deps;
  const observer = deps.observer ?? NO_OBSERVER;
  const configs = new TenantConfigCache(s.tenants, s.profiles, clock);
  const cursors = deps.cursors ?? inProcessCursorSealer(() => deps.ids.newId());
  const prices = new PriceBook(s.pricing, config, clock);
  // What this process learns of call durations and burn rates: selection and usage share it.
  const flow = new CallFlow();
  const auth = new Authentication(s.credentials, s.revocations, deps.hasher, deps.ids, clock);
  const provisioning = new Provisioning({
    tenants: s.tenants,
    credentials: s.credentials,
    profiles: s.profiles,
    hasher: deps.hasher,
    ids: deps.ids,
    clock,
    config,
    cache: configs,
    onRotated: (id) => auth.forgetCredential(id),
  });
  const aggregates = new GetDailyAggregates({
    configs,
    tenants: s.tenants,
    spend: s.spend,
    totals: s.totals,
    clock,
    config,
  });
  const a = deps.alerts ?? {};
  const alerts = new EvaluateAlerts({
    periodTotals: s.periodTotals,
    events: s.alertEvents,
    webhooks: s.webhooks,
    deliveries: s.deliveries,
    sticky: s.sticky,
    configs,
    clock,
    observer,
  });
  const deliveries = new DeliverWebhooks({
    deliveries: s.deliveries,
    webhooks: s.webhooks,
    events: s.alertEvents,
    sender: a.sender ?? NO_SENDER,
    signer: a.signer ?? NO_SIGNER,
    ...(a.sns ? { sns: a.sns } : {}),
    configs,
    clock,
    owner: a.owner ?? deps.aggregation?.owner ?? 'worker',
    serviceVersion: a.serviceVersion ?? '0',
    ...(a.retryDelaysSecs ? { retryDelaysSecs: a.retryDelaysSecs } : {}),
  });
  return {
    provisioning,
    auth,
    selectModel: new SelectModel({ configs, spend: s.spend, sticky: s.sticky, prices, clock, config, flow }),
    recordUsage: new RecordUsage({
      flow,
      configs,
      counters: s.counters,
      spend: s.spend,
      prices,
      resolver: deps.profileResolver,
      clock,
      config,
      aggregationIntervalSecs: deps.aggregation?.intervalSecs ?? 60,
      observer,
    }),
    usageRecords: new UsageRecordsQuery({ records: s.records, configs, cursors, clock, config }),
    profiles: new ManageInferenceProfiles(s.profiles, configs, clock, config, deps.ids),
    aggregator: new AggregateUsage({
      lease: s.lease,
      feed: s.changeFeed,
      counters: s.counters,
      totals: s.totals,
      periodTotals: s.periodTotals,
      spend: s.spend,
      sticky: s.sticky,
      tenants: s.tenants,
      configs,
      clock,
      aggregation: { owner: deps.aggregation?.owner ?? 'aggregator', ...deps.aggregation },
      alerts,
    }),
    aggregates,
    periodAggregates: new GetPeriodAggregates({
      configs,
      tenants: s.tenants,
      periodTotals: s.periodTotals,
      daily: aggregates,
      clock,
      config,
    }),
    budgets: new GetBudgets({ configs, periodTotals: s.periodTotals, clock }),
    rollups: new BuildRollups({
      lease: s.lease,
      records: s.records,
      rollups: s.rollups,
      configs,
      clock,
      owner: deps.aggregation?.owner ?? 'aggregator',
      ...deps.rollups,
    }),
    usageSummary: new GetUsageSummary({ rollups: s.rollups, configs }),
    webhooks: new ManageWebhooks({
      webhooks: s.webhooks,
      events: s.alertEvents,
      deliveries: s.deliveries,
      ids: deps.ids,
      configs,
      clock,
      deliver: deliveries,
      allowPrivate: a.allowPrivate ?? false,
    }),
    alerts,
    deliveries,
    configs,
    prices,
    audit: new AuditTrail({
      audit: s.audit,
      tenants: s.tenants,
      sealer: cursors,
      clock,
    }),
  };
}
