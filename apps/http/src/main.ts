import { fileURLToPath } from 'node:url';
import { systemClock } from '#adapters-node';
import {
  createLogger,
  EmfWriter,
  loadServiceConfig,
  loadSettings,
  pricingSourceFor,
  PromMetrics,
  runMain,
  stopGracefullyOnSignals,
  storageFor,
} from '#composition';
import { createHttpApp } from './http-app.js';
import { BedrockProfileResolver } from './adapters/bedrock-profile-resolver.js';

async function main(): Promise<void> {
  const settings = loadSettings();
  const config = loadServiceConfig(settings.configFile);
  if (settings.storage === 'memory') {
    process.stderr.write('WARNING: STORAGE=memory keeps everything in this process; nothing is persisted.\n');
  }
  const inProcess = settings.worker === 'in-process';
  // One registry for the process: the API's metrics, and the worker's when it runs in-process.
  const metrics = new PromMetrics({
    http: true,
    ...(inProcess ? { worker: { maxSeries: settings.metricsMaxSeries, clock: systemClock } } : {}),
  });
  const storage = await storageFor(settings, { onStorageError: (kind) => metrics.storageError(kind) });
  const worker = inProcess
    ? {
        intervalSecs: settings.aggregationIntervalSecs,
        pricingSource: pricingSourceFor(settings, config),
        logger: createLogger(settings.logLevel).child({ process: 'worker' }),
        schedule: true,
        metrics,
        ...(settings.metricsEmf ? { emf: new EmfWriter(settings.metricsEnvironment) } : {}),
      }
    : undefined;
  const app = await createHttpApp({
    storage,
    ...(worker ? { worker } : {}),
    config,
    provisioningApiKey: settings.provisioningApiKey,
    jwtSecret: settings.jwtSecret,
    rateLimits: settings.rateLimits,
    logLevel: settings.logLevel,
    aggregationIntervalSecs: settings.aggregationIntervalSecs,
    webhookAllowPrivate: settings.webhookAllowPrivate,
    awsRegion: settings.awsRegion,
    profileResolver: BedrockProfileResolver.forRegion(settings.awsRegion, systemClock),
    metrics,
    ...(settings.metricsToken ? { metricsToken: settings.metricsToken } : {}),
    // dist/apps/http/src/main.js -> dist/dashboard (npm run build writes it there).
    dashboardDir: fileURLToPath(new URL('../../../dashboard/', import.meta.url)),
  });
  await app.listen({ port: settings.port, host: '0.0.0.0' });
  // Stop accepting, let in-flight requests finish (Fastify's close drains them), run the shutdown hooks.
  stopGracefullyOnSignals(
    () => app.close(),
    (signal) => process.stderr.write(`${signal}: draining in-flight requests\n`),
  );
}

await runMain(main);
