import { Module, type DynamicModule } from '@nestjs/common';
import {
  CLOCK,
  createCostKeeper,
  STORAGE_ADAPTERS,
  type Clock,
  type CostKeeper,
  type InferenceProfileResolver,
  type ServiceConfig,
  type StorageAdapters,
} from '#core-domain';
import { BcryptSecretHasher, nodeIdGenerator, systemClock } from '#adapters-memory';

export const COST_KEEPER = Symbol('CostKeeper');
export const SERVICE_CONFIG = Symbol('ServiceConfig');

export interface PersistenceOptions {
  storage: StorageAdapters;
  config: ServiceConfig;
  clock?: Clock;
  profileResolver?: InferenceProfileResolver;
  aggregationIntervalSecs?: number;
  /** Who this process is, as a lease holder (the worker's aggregation). */
  aggregationOwner?: string;
  /** bcrypt cost; tests lower it. */
  bcryptCost?: number;
}

/** The one place where ports meet their implementations. */
@Module({})
export class PersistenceModule {
  static register(o: PersistenceOptions): DynamicModule {
    const clock = o.clock ?? systemClock;
    const keeper = createCostKeeper({
      storage: o.storage,
      clock,
      config: o.config,
      ids: nodeIdGenerator,
      hasher: new BcryptSecretHasher(o.bcryptCost ?? 10),
      ...(o.profileResolver ? { profileResolver: o.profileResolver } : {}),
      aggregation: {
        intervalSecs: o.aggregationIntervalSecs ?? 60,
        owner: o.aggregationOwner ?? 'aggregator',
        // Another worker takes over this long after a holder dies.
        leaseTtlSecs: Math.max(10, 3 * (o.aggregationIntervalSecs ?? 60)),
      },
    });
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: STORAGE_ADAPTERS, useValue: o.storage },
        { provide: CLOCK, useValue: clock },
        { provide: SERVICE_CONFIG, useValue: o.config },
        { provide: COST_KEEPER, useValue: keeper satisfies CostKeeper },
      ],
      exports: [STORAGE_ADAPTERS, CLOCK, SERVICE_CONFIG, COST_KEEPER],
    };
  }
}
