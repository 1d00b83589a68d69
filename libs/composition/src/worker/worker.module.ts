import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import {
  CLOCK,
  RefreshPricing,
  STORAGE_ADAPTERS,
  type Clock,
  type ServiceConfig,
  type StorageAdapters,
} from '#core-domain';
import { SERVICE_CONFIG } from '../persistence.module.js';
import { WORKER_OPTIONS, WorkerJobs, type WorkerOptions } from './worker-jobs.js';

/**
 * The worker's jobs (aggregation passes, the daily pricing refresh), on the PersistenceModule's
 * storage, clock and config. Imported by apps/worker, and by the HTTP app when WORKER=in-process.
 */
@Module({})
export class WorkerModule {
  static register(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ScheduleModule.forRoot()],
      providers: [
        { provide: WORKER_OPTIONS, useValue: options },
        {
          provide: RefreshPricing,
          inject: [STORAGE_ADAPTERS, SERVICE_CONFIG, CLOCK],
          useFactory: (storage: StorageAdapters, config: ServiceConfig, clock: Clock) =>
            new RefreshPricing(storage.pricing, options.pricingSource, config, clock),
        },
        WorkerJobs,
      ],
      exports: [WorkerJobs],
    };
  }
}
