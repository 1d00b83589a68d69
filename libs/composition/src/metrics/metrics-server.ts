import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Clock } from '#core-domain';
import { bearerMatches } from './bearer.js';
import { type PromMetrics } from './prom-metrics.js';

export interface MetricsServerOptions {
  metrics: PromMetrics;
  /** METRICS_HOST (default 127.0.0.1). */
  host: string;
  /** METRICS_PORT; 0 picks a free port (tests). */
  port: number;
  /** METRICS_TOKEN: when set, `Authorization: Bearer <token>` is required. */
  token?: string;
  clock: Clock;
}

export interface MetricsServer {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The worker's `GET /metrics` (Prometheus text), a plain node:http server: the worker has no HTTP
 * app. Anything else is 404, a missing or wrong token 401, both with the API's error body.
 */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => void answer(o, req, res));
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function answer(o: MetricsServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', requestId);
  res.setHeader('Cache-Control', 'no-store');
  const path = (req.url ?? '').split('?')[0];
  const error = (status: number, code: string, message: string) => {
    const body = JSON.stringify({
      error: code,
      message,
      timestamp: o.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      request_id: requestId,
    });
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
  };
  if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
    error(404, 'NOT_FOUND', 'Not found');
    return;
  }
  if (o.token !== undefined && !bearerMatches(req.headers.authorization, o.token)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    error(401, 'UNAUTHORIZED', 'A valid bearer token (METRICS_TOKEN) is required');
    return;
  }
  try {
    const text = await o.metrics.text();
    res.writeHead(200, { 'Content-Type': o.metrics.contentType });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch {
    error(500, 'INTERNAL_ERROR', 'The metrics could not be collected');
  }
}
