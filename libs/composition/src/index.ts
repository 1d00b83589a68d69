// What both apps compose the service from: settings, storage selection, the persistence module (the
// CostKeeper behind COST_KEEPER), the worker's jobs module, pricing sources, logging and the process
// lifecycle. apps/http and apps/worker import this and never each other.
export { loadServiceConfig, loadSettings, SettingsError, type Settings } from './settings.js';
export { storageFor } from './storage.js';
export {
  COST_KEEPER,
  PersistenceModule,
  SERVICE_CONFIG,
  type PersistenceOptions,
} from './persistence.module.js';
export { WorkerModule } from './worker/worker.module.js';
export { WORKER_OPTIONS, WorkerJobs, type WorkerOptions } from './worker/worker-jobs.js';
export { pricingSourceFor } from './pricing/pricing-source.js';
export { ConfigPricingSource } from './pricing/config-pricing.source.js';
export { AwsPriceListSource } from './pricing/aws-price-list.source.js';
export { createLogger, PinoNestLogger, REDACTED_PATHS } from './logger.js';
export { runMain, stopGracefullyOnSignals } from './process-lifecycle.js';
export { SERVICE_VERSION } from './version.js';
export { awsSnsPublisher, snsPublisherForRegion } from './alerts/sns-publisher.js';
export { PromMetrics, UNMATCHED_ROUTE, type PromMetricsOptions } from './metrics/prom-metrics.js';
export { SpendSeriesStore, type SpendSeries } from './metrics/spend-series.js';
export { EmfWriter, EMF_NAMESPACE, emfPassRecord } from './metrics/emf.js';
export { bearerMatches } from './metrics/bearer.js';
export {
  startMetricsServer,
  type MetricsServer,
  type MetricsServerOptions,
} from './metrics/metrics-server.js';
