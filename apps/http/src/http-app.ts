import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { type DestinationStream } from 'pino';
import { NotFoundError, UnauthorizedError, type Clock, type CostKeeper } from '#core-domain';
import { systemClock } from '#adapters-node';
import {
  bearerMatches,
  COST_KEEPER,
  createLogger,
  PinoNestLogger,
  PromMetrics,
  UNMATCHED_ROUTE,
} from '#composition';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { AllExceptionsFilter, sendError } from './common/all-exceptions.filter.js';
import { ErrorBodyDto } from './common/error-body.dto.js';
import { AppCostDto, LabelAggregateDto, ModelStatusDto } from './runtime/runtime.dto.js';
import { AuditChangeDto } from './audit/audit.dto.js';
import { ApiError } from './common/error-body.js';
import { StrictValidationPipe } from './common/validation.pipe.js';
import { lazyChildLoggerFactory } from './common/lazy-logger.js';
import { SERVICE_VERSION } from './version.js';
import { loadDashboard, registerDashboard } from './dashboard/dashboard.routes.js';
import { BearerGuard } from './auth/guards.js';
import { VerifiedTokens } from './auth/verified-tokens.js';
import { RateLimitGuard } from './common/rate-limit.js';
import { installFastRoutes, type FastRouteDeps } from './runtime/runtime.fast-routes.js';

export const BODY_LIMIT_BYTES = 256 * 1024;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echo a sane X-Request-Id, else a new UUID. Also set on the raw request for the pino-http logger. */
function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

export function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('Bedrock Cost Keeper')
    .setDescription(
      'Quota-aware model selection and usage metering for Amazon Bedrock. Money is integer micro-USD; times are ISO 8601 UTC. ' +
        'Every error has the ErrorBody schema.',
    )
    .setVersion(SERVICE_VERSION)
    .setLicense('UNLICENSED', 'https://example.invalid/license')
    .addServer('/', 'This service: the origin serving these docs (any port, behind the load balancer)')
    .addServer('http://localhost:8080', 'Local (npm start)')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token from POST /auth/token',
      },
      'bearer',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Provisioning (admin) key' },
      'admin',
    )
    .addTag('auth', 'Client credentials and tokens')
    .addTag('provisioning', 'Orgs, apps and credentials (admin)')
    .addTag('runtime', 'Model selection and usage')
    .addTag('aggregates', 'Daily totals')
    .addTag('inference-profiles', 'Bedrock inference profiles of an app')
    .addTag('audit', 'Who changed what, and failed authentication attempts')
    .addTag('health', 'Health and discovery')
    .build();
}

export function createOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  // Schemas referenced by hand (maps of label -> object) must be registered as extra models.
  const doc = SwaggerModule.createDocument(app, openApiConfig(), {
    extraModels: [ErrorBodyDto, ModelStatusDto, LabelAggregateDto, AppCostDto, AuditChangeDto],
  });
  // Operations without a security requirement are public: say so explicitly (security: []).
  for (const item of Object.values(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (op && !op.security) op.security = [];
    }
  }
  return doc;
}

export interface HttpAppOptions extends AppModuleOptions {
  clock?: Clock;
  logLevel: string;
  /** Where JSON logs go (default stdout). */
  logDestination?: DestinationStream;
  /**
   * What GET /metrics exports (default: new metrics of this app, with the worker's when it runs
   * in-process). The app reports its requests and usage events to it.
   */
  metrics?: PromMetrics;
  /** METRICS_TOKEN: the bearer token GET /metrics requires; unset = open. */
  metricsToken?: string;
  /** The built dashboard (scripts/build-dashboard.mjs output); unset or unbuilt: /dashboard answers 404. */
  dashboardDir?: string;
  /**
   * Serve POST usage and GET model-selection from the fast handlers of runtime.fast-routes.ts
   * (default true). false: Nest's pipeline serves them, as the equivalence e2e spec compares.
   */
  fastRoutes?: boolean;
}

/** Builds the HTTP app (not listening). Used by main.ts, the e2e tests and `npm run openapi`. */
export async function createHttpApp(o: HttpAppOptions): Promise<NestFastifyApplication> {
  const clock = o.clock ?? systemClock;
  const logger = createLogger(o.logLevel, o.logDestination);
  const metrics =
    o.metrics ??
    new PromMetrics({ http: true, ...(o.worker ? { worker: { maxSeries: 10_000, clock } } : {}) });
  const worker = o.worker ? { ...o.worker, metrics: o.worker.metrics ?? metrics } : undefined;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestId,
    requestIdHeader: false,
    loggerInstance: logger,
    // Fastify's two lines per request are off; the onResponse hook below writes one.
    logController: new LogController({ disableRequestLogging: true }),
    // request.log becomes a pino child (with reqId) only when it writes a line.
    childLoggerFactory: lazyChildLoggerFactory,
    trustProxy: true,
    // No Nest middleware is used: without @fastify/middie, no middleware runner on every request.
    skipMiddie: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Errors Fastify raises before routing (a bad URL escape, say) get the same error body.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('X-Request-Id', request.id);
      sendError(error, request, reply, clock);
    },
  });
  const modules = AppModule.forRoot({ ...o, clock, observer: metrics, ...(worker ? { worker } : {}) });
  const app = await NestFactory.create<NestFastifyApplication>(modules, adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new AllExceptionsFilter(clock));
  app.useGlobalPipes(new StrictValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  // JSON everywhere (and form-encoded on /auth): Fastify's default text/plain parser goes.
  fastify.removeContentTypeParser('text/plain');
  // The hooks take callbacks rather than being async: Fastify then makes no promise per hook per
  // request (docs/performance.md).
  fastify.addHook('onRequest', (request, _reply, done) => {
    // Only the auth routes take form-encoded bodies (as OAuth2 clients send them); elsewhere JSON only.
    const type = request.headers['content-type'];
    if (
      typeof type === 'string' &&
      /^application\/x-www-form-urlencoded/i.test(type) &&
      !request.url.startsWith('/auth/')
    ) {
      done(new ApiError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be JSON'));
      return;
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('X-Request-Id', request.id);
    done(null, payload);
  });
  // One log line per request, when it is answered (Fastify's own request logging, off in the adapter,
  // writes two: "incoming request" and "request completed").
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template (never the raw URL): the series stay bounded.
    metrics.observeHttp(
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    if (logger.isLevelEnabled('info')) {
      request.log.info(
        // Flat fields: nothing here for the redaction paths (req.headers...) to copy.
        {
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 10) / 10,
          remoteAddress: request.ip,
        },
        'request completed',
      );
    }
    done();
  });
  // Prometheus text for operators (not part of the API document); the load balancer never routes it.
  fastify.get('/metrics', async (request, reply) => {
    // Only the plain path: Fastify decodes /%6detrics to /metrics, which a path rule may not match.
    const raw = request.raw.url ?? '';
    const q = raw.indexOf('?');
    if ((q < 0 ? raw : raw.slice(0, q)) !== '/metrics') {
      sendError(new NotFoundError('Not found'), request, reply, clock);
      return reply;
    }
    if (o.metricsToken !== undefined && !bearerMatches(request.headers.authorization, o.metricsToken)) {
      void reply.header('WWW-Authenticate', 'Bearer');
      sendError(
        new UnauthorizedError('A valid bearer token (METRICS_TOKEN) is required'),
        request,
        reply,
        clock,
      );
      return reply;
    }
    void reply.header('Cache-Control', 'no-store').type(metrics.contentType);
    return metrics.text();
  });
  registerDashboard(fastify, loadDashboard(o.dashboardDir), clock);
  // POST usage and model selection: served off Nest's pipeline (runtime.fast-routes.ts). The hook
  // must be in place before app.init() registers the routes; what it needs exists only after it.
  const fast: { deps?: FastRouteDeps } = {};
  if (o.fastRoutes !== false) {
    installFastRoutes(fastify, () => {
      if (!fast.deps) throw new Error('fast routes used before the app was initialized');
      return fast.deps;
    });
  }
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
  await app.init();
  fast.deps = {
    keeper: app.get<CostKeeper>(COST_KEEPER),
    clock,
    verified: app.get(VerifiedTokens),
    bearer: app.get(BearerGuard),
    limits: app.get(RateLimitGuard),
  };
  await fastify.ready();
  return app;
}
