import 'reflect-metadata';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { systemClock } from '#adapters-node';
import {
  createLogger,
  EmfWriter,
  loadServiceConfig,
  loadSettings,
  PersistenceModule,
  PinoNestLogger,
  pricingSourceFor,
  PromMetrics,
  runMain,
  SettingsError,
  startMetricsServer,
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
  const metrics = new PromMetrics({
    http: false,
    worker: { maxSeries: settings.metricsMaxSeries, clock: systemClock },
  });
  const storage = await storageFor(settings, { onStorageError: (kind) => metrics.storageError(kind) });
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
        observer: metrics,
      }),
      WorkerModule.register({
        intervalSecs: settings.aggregationIntervalSecs,
        pricingSource: pricingSourceFor(settings, config),
        logger,
        schedule: true,
        metrics,
        ...(settings.metricsEmf ? { emf: new EmfWriter(settings.metricsEnvironment) } : {}),
      }),
    ]),
    { logger: new PinoNestLogger(logger) },
  );
  logger.info({ owner, interval_secs: settings.aggregationIntervalSecs }, 'worker started');
  // GET /metrics on METRICS_HOST:METRICS_PORT. A busy port is logged, not fatal: the worker's jobs
  // matter more than its metrics.
  const server = await startMetricsServer({
    metrics,
    host: settings.metricsHost,
    port: settings.metricsPort,
    ...(settings.metricsToken ? { token: settings.metricsToken } : {}),
    clock: systemClock,
  }).catch((err: unknown) => {
    logger.error(
      { err, metrics_host: settings.metricsHost, metrics_port: settings.metricsPort },
      'metrics server not started',
    );
    return undefined;
  });
  if (server)
    logger.info({ metrics_host: settings.metricsHost, metrics_port: server.port }, 'metrics listening');
  stopGracefullyOnSignals(
    async () => {
      await server?.close();
      await app.close();
    },
    (signal) => logger.info({ signal }, 'worker stopping: finishing or abandoning the current pass'),
  );
}

await runMain(main);
