import { AggregateUsage, type AggregationOptions } from './use-cases/aggregation/aggregate-usage.use-case.js';
import { GetDailyAggregates } from './use-cases/aggregation/daily-aggregates.use-case.js';
import { type ServiceConfig } from './model/config/service-config.js';
import { Authentication } from './use-cases/credentials/authentication.use-case.js';
import { type Clock } from './ports/clock.port.js';
import { type IdGenerator } from './ports/id-generator.port.js';
import { type InferenceProfileResolver } from './ports/inference-profile-resolver.port.js';
import { type SecretHasher } from './ports/secret-hasher.port.js';
import { type StorageAdapters } from './ports/storage.port.js';
import { PriceBook } from './use-cases/pricing/price-book.js';
import { ManageInferenceProfiles } from './use-cases/profiles/inference-profiles.use-case.js';
import { SelectModel } from './use-cases/selection/select-model.use-case.js';
import { TenantConfigCache } from './use-cases/tenants/tenant-config.js';
import { Provisioning } from './use-cases/tenants/provisioning.use-case.js';
import { RecordUsage } from './use-cases/usage/record-usage.use-case.js';

export interface CostKeeperDeps {
  storage: StorageAdapters;
  clock: Clock;
  config: ServiceConfig;
  ids: IdGenerator;
  hasher: SecretHasher;
  /** Finds the model behind an inference profile; without it, profile labels use their fallback price. */
  profileResolver?: InferenceProfileResolver;
  aggregation?: Partial<AggregationOptions> & { intervalSecs?: number };
}

/** Every use case of the product, wired to one storage. What the apps and embedders use. */
export interface CostKeeper {
  provisioning: Provisioning;
  auth: Authentication;
  selectModel: SelectModel;
  recordUsage: RecordUsage;
  profiles: ManageInferenceProfiles;
  aggregator: AggregateUsage;
  aggregates: GetDailyAggregates;
  configs: TenantConfigCache;
  prices: PriceBook;
}

/**
 * Builds the domain core. For tests of your own code:
 * `createCostKeeper({ storage: createMemoryAdapters(), clock, config, ids, hasher })`.
 */
export function createCostKeeper(deps: CostKeeperDeps): CostKeeper {
  const { storage: s, clock, config } = deps;
  const configs = new TenantConfigCache(s.tenants, s.profiles, clock);
  const prices = new PriceBook(s.pricing, config, clock);
  const auth = new Authentication(s.credentials, s.revocations, deps.hasher, deps.ids, clock);
  const provisioning = new Provisioning(
    s.tenants,
    s.credentials,
    s.profiles,
    deps.hasher,
    deps.ids,
    clock,
    config,
    configs,
    (id) => auth.forgetCredential(id),
  );
  return {
    provisioning,
    auth,
    selectModel: new SelectModel(configs, s.spend, s.sticky, prices, clock, config),
    recordUsage: new RecordUsage(
      configs,
      s.counters,
      s.spend,
      prices,
      deps.profileResolver,
      clock,
      config,
      deps.aggregation?.intervalSecs ?? 60,
    ),
    profiles: new ManageInferenceProfiles(s.profiles, configs, clock, config),
    aggregator: new AggregateUsage(
      s.lease,
      s.changeFeed,
      s.counters,
      s.totals,
      s.spend,
      s.sticky,
      configs,
      clock,
      {
        owner: deps.aggregation?.owner ?? 'aggregator',
        ...deps.aggregation,
      },
    ),
    aggregates: new GetDailyAggregates(configs, s.tenants, s.spend, s.totals, clock, config),
    configs,
    prices,
  };
}
