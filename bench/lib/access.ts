// DynamoDB calls and consumed capacity per request, measured in process: the real HTTP app
// (createHttpApp) on createDynamoAdapters over a client wrapped by countCommands and the capacity
// meter, driven sequentially through Fastify's inject (the full request path without a socket).
import { randomUUID } from 'node:crypto';
import { StaticProfileResolver } from '#core-domain/testing';
import {
  countCommands,
  createDynamoAdapters,
  createDynamoClient,
  createTableIfMissing,
} from '#adapters-dynamo';
import { type ServiceConfig } from '#core-domain';
import { createHttpApp } from '../../apps/http/src/http-app.js';
import { provisionTenant, selectionPath, usageBody, usagePath, type Send, type Tenant } from './api.js';
import { meterCapacity } from './dynamo.js';
import { type AccessRow } from './report.js';

export interface AccessOptions {
  endpoint: string;
  config: ServiceConfig;
  adminKey: string;
  jwtSecret: string;
  /** Measured requests per route (after the warm-up ones). */
  requests: number;
  warmup: number;
  /** Requests in flight for the second measurement (transaction conflicts show up here). */
  concurrency: number;
}

export async function measureAccess(o: AccessOptions): Promise<AccessRow[]> {
  const client = createDynamoClient({ endpoint: o.endpoint, region: 'us-east-1', maxAttempts: 3 });
  const tableName = `bench-access-${randomUUID()}`;
  await createTableIfMissing(client, tableName);
  const counter = countCommands(client);
  const meter = meterCapacity(client);
  const app = await createHttpApp({
    storage: createDynamoAdapters({ client, tableName }),
    config: o.config,
    provisioningApiKey: o.adminKey,
    jwtSecret: o.jwtSecret,
    rateLimits: false,
    logLevel: 'silent',
    profileResolver: new StaticProfileResolver(),
  });
  const fastify = app.getHttpAdapter().getInstance();
  const send: Send = async (method, url, headers, payload) => {
    const r = await fastify.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    });
    return { status: r.statusCode, body: r.body };
  };
  try {
    // One fresh tenant per route, so that "cold" means cold caches for that route.
    const bearer = (t: Tenant) => ({ authorization: `Bearer ${t.accessToken}` });
    const routes = [
      {
        route: 'POST /usage',
        want: 202,
        call: (t: Tenant) =>
          send('POST', usagePath(t), { ...bearer(t), 'content-type': 'application/json' }, usageBody()),
      },
      {
        route: 'GET model-selection',
        want: 200,
        call: (t: Tenant) => send('GET', selectionPath(t), bearer(t)),
      },
    ];
    const rows: AccessRow[] = [];
    for (const route of routes) {
      const tenant = await provisionTenant(send, o.adminKey);
      const call = () => route.call(tenant);
      // The first request of a route on this tenant: what a cold config/auth cache costs.
      counter.reset();
      const first = await call();
      if (first.status !== route.want)
        throw new Error(`${route.route}: ${first.status} ${first.body.slice(0, 300)}`);
      const coldCalls = counter.total();
      for (let i = 1; i < o.warmup; i++) await call();
      for (const inFlight of [1, o.concurrency]) {
        counter.reset();
        meter.reset();
        let failed = 0;
        let next = 0;
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (next < o.requests) {
              next++;
              const res = await call();
              if (res.status !== route.want) failed++;
            }
          }),
        );
        const { rcu, wcu } = meter.totals();
        if (meter.unreported() > 0) {
          process.stderr.write(`warning: ${meter.unreported()} commands reported no ConsumedCapacity\n`);
        }
        rows.push({
          route: route.route,
          inFlight,
          requests: o.requests,
          failed,
          callsPerRequest: counter.total() / o.requests,
          byCommand: counter.byCommand(),
          rcuPerRequest: rcu / o.requests,
          wcuPerRequest: wcu / o.requests,
          coldCalls,
        });
      }
    }
    return rows;
  } finally {
    await app.close();
    meter.detach();
    counter.detach();
    client.destroy();
  }
}
