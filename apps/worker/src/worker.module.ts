import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { WORKER_OPTIONS, WorkerJobs, type WorkerOptions } from './worker-jobs.js';

/** The worker's jobs. Imported by apps/worker, and by the HTTP app when WORKER=in-process. */
@Module({})
export class WorkerModule {
  static register(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ScheduleModule.forRoot()],
      providers: [{ provide: WORKER_OPTIONS, useValue: options }, WorkerJobs],
      exports: [WorkerJobs],
    };
  }
}
