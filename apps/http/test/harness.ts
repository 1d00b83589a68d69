// e2e harness: the real HTTP app on memory storage or on DynamoDB Local, with a clock the test moves.
import { createHmac } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ServiceConfig, type StorageAdapters } from '#core-domain';
import { FakeClock, StaticProfileResolver, testServiceConfig, uniqueId } from '#core-domain/testing';
import { createMemoryAdapters } from '#adapters-memory';
import { createDynamoAdapters } from '#adapters-dynamo';
import { createTestTable } from '../../../test/dynamo/dynamo-test-client.js';
import { createHttpApp } from '../src/http-app.js';
import { COST_KEEPER, type PromMetrics, type WorkerOptions } from '#composition';
import { type CostKeeper } from '#core-domain';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijklmnop';
export type StorageKind = 'memory' | 'dynamodb';
export const STORAGES: StorageKind[] = ['memory', 'dynamodb'];

export interface Harness {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  clock: FakeClock;
  storage: StorageAdapters;
  resolver: StaticProfileResolver;
  /** The use cases behind the app (to run aggregation passes as the worker would). */
  keeper: CostKeeper;
  close(): Promise<void>;
}

export async function startApp(
  kind: StorageKind,
  opts: {
    rateLimits?: boolean;
    config?: ServiceConfig;
    storage?: StorageAdapters;
    healthTimeoutMs?: number;
    /** Where the app's clock starts (default: the real now). */
    now?: string;
    /** METRICS_TOKEN for GET /metrics. */
    metricsToken?: string;
    /** What GET /metrics exports (default: the app's own). */
    metrics?: PromMetrics;
    /** WORKER=in-process: the worker's jobs in the app (tests call them by hand with schedule: false). */
    worker?: WorkerOptions;
    /** A built dashboard to serve at /dashboard (scripts/build-dashboard.mjs --out). */
    dashboardDir?: string;
    /** false: Nest's pipeline serves POST usage and model selection too (fast-routes.e2e-spec). */
    fastRoutes?: boolean;
  } = {},
): Promise<Harness> {
  const clock = new FakeClock(opts.now ?? new Date());
  let client: DynamoDBClient | undefined;
  let storage = opts.storage;
  if (!storage) {
    if (kind === 'memory') storage = createMemoryAdapters();
    else {
      const t = await createTestTable('e2e');
      client = t.client;
      storage = createDynamoAdapters({ client: t.client, tableName: t.tableName });
    }
  }
  const resolver = new StaticProfileResolver();
  const app = await createHttpApp({
    storage,
    config: opts.config ?? testServiceConfig(),
    clock,
    provisioningApiKey: ADMIN_KEY,
    jwtSecret: JWT_SECRET,
    rateLimits: opts.rateLimits ?? false,
    logLevel: 'silent',
    bcryptCost: 4,
    profileResolver: resolver,
    // Webhook receivers in tests are local http servers.
    webhookAllowPrivate: true,
    ...(opts.healthTimeoutMs ? { healthTimeoutMs: opts.healthTimeoutMs } : {}),
    ...(opts.metricsToken ? { metricsToken: opts.metricsToken } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.worker ? { worker: opts.worker } : {}),
    ...(opts.dashboardDir ? { dashboardDir: opts.dashboardDir } : {}),
    ...(opts.fastRoutes === false ? { fastRoutes: false } : {}),
  });
  return {
    app,
    http: request(app.getHttpServer()),
    clock,
    storage,
    resolver,
    keeper: app.get<CostKeeper>(COST_KEEPER),
    async close() {
      await app.close();
      client?.destroy();
    },
  };
}

/** Provisions an org (and optionally apps) through the API; returns ids and credentials. */
export async function provision(
  h: Harness,
  org: Record<string, unknown> = {},
  apps: string[] = ['chat'],
): Promise<{
  orgId: string;
  org: { client_id: string; client_secret: string };
  apps: Record<string, { client_id: string; client_secret: string }>;
}> {
  const orgId = uniqueId();
  const r = await h.http
    .put(`/api/v1/orgs/${orgId}`)
    .set('X-API-Key', ADMIN_KEY)
    .send({ org_name: 'Acme', timezone: 'UTC', quota_scope: 'ORG', ...org });
  if (r.status !== 201) throw new Error(`provision org: ${r.status} ${JSON.stringify(r.body)}`);
  const out = {
    orgId,
    org: r.body.credentials,
    apps: {} as Record<string, { client_id: string; client_secret: string }>,
  };
  for (const appId of apps) {
    const a = await h.http
      .put(`/api/v1/orgs/${orgId}/apps/${appId}`)
      .set('X-API-Key', ADMIN_KEY)
      .send({ app_name: appId });
    if (a.status !== 201) throw new Error(`provision app: ${a.status} ${JSON.stringify(a.body)}`);
    out.apps[appId] = a.body.credentials;
  }
  return out;
}

export async function tokens(
  h: Harness,
  cred: { client_id: string; client_secret: string },
): Promise<{ access: string; refresh: string }> {
  const r = await h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...cred });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return { access: r.body.access_token, refresh: r.body.refresh_token };
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** Signs arbitrary claims with any key and header: for forged, tampered and `alg: none` tokens. */
export function craftJwt(claims: Record<string, unknown>, opts: { key?: string; alg?: string } = {}): string {
  const alg = opts.alg ?? 'HS256';
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  if (alg === 'none') return `${head}.${body}.`;
  const sig = createHmac('sha256', opts.key ?? JWT_SECRET)
    .update(`${head}.${body}`)
    .digest('base64url');
  return `${head}.${body}.${sig}`;
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Asserts the error body (ErrorBodyDto in openapi/openapi.json). */
export function expectErrorBody(body: unknown, code: string): void {
  const b = body as Record<string, unknown>;
  if (
    b.error !== code ||
    typeof b.message !== 'string' ||
    typeof b.timestamp !== 'string' ||
    typeof b.request_id !== 'string'
  ) {
    throw new Error(`expected error body ${code}, got ${JSON.stringify(body)}`);
  }
  const allowed = new Set(['error', 'message', 'details', 'timestamp', 'request_id', 'retry_after']);
  for (const k of Object.keys(b)) if (!allowed.has(k)) throw new Error(`unexpected key ${k} in error body`);
}
