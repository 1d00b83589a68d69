import 'reflect-metadata';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createLogger,
  loadServiceConfig,
  loadSettings,
  PersistenceModule,
  PinoNestLogger,
  pricingSourceFor,
  runMain,
  SettingsError,
  stopGracefullyOnSignals,
  storageFor,
  WorkerModule,
} from '#composition';

@Module({})
class WorkerAppModule {
  static forRoot(imports: DynamicModule[]): DynamicModule {
    return { module: WorkerAppModule, imports };
  }
}

async function main(): Promise<void> {
  const settings = loadSettings(process.env, { requireSecrets: false });
  if (settings.storage === 'memory') {
    throw new SettingsError(
      'STORAGE',
      'must be dynamodb for a separate worker (with STORAGE=memory use WORKER=in-process in the HTTP app)',
    );
  }
  const config = loadServiceConfig(settings.configFile);
  const logger = createLogger(settings.logLevel).child({ process: 'worker' });
  const storage = await storageFor(settings);
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const app = await NestFactory.createApplicationContext(
    WorkerAppModule.forRoot([
      PersistenceModule.register({
        storage,
        config,
        aggregationIntervalSecs: settings.aggregationIntervalSecs,
        aggregationOwner: owner,
        webhookAllowPrivate: settings.webhookAllowPrivate,
        awsRegion: settings.awsRegion,
      }),
      WorkerModule.register({
        intervalSecs: settings.aggregationIntervalSecs,
        pricingSource: pricingSourceFor(settings, config),
        logger,
        schedule: true,
      }),
    ]),
    { logger: new PinoNestLogger(logger) },
  );
  logger.info({ owner, interval_secs: settings.aggregationIntervalSecs }, 'worker started');
  stopGracefullyOnSignals(
    () => app.close(),
    (signal) => logger.info({ signal }, 'worker stopping: finishing or abandoning the current pass'),
  );
}

await runMain(main);
