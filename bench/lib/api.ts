// Provisioning through the product's own API (admin key), and the app's access token.
import { randomUUID } from 'node:crypto';

/** Quotas far beyond what a run spends, so that every label stays NORMAL (the steady hot path). */
export const BENCH_QUOTAS = { premium: 1e12, standard: 1e12, economy: 1e12 };
export const BENCH_APP = 'bench';

export interface Tenant {
  orgId: string;
  appId: string;
  accessToken: string;
}

/** A minimal HTTP client: real HTTP (fetch) or Fastify's inject, same shape. */
export type Send = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) => Promise<{ status: number; body: string }>;

export function fetchSender(baseUrl: string): Send {
  return async (method, path, headers, body) => {
    const r = await fetch(baseUrl + path, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: r.status, body: await r.text() };
  };
}

async function expectStatus(
  send: Send,
  want: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<Record<string, unknown>> {
  const r = await send(
    method,
    path,
    { 'content-type': 'application/json', ...headers },
    body === undefined ? undefined : JSON.stringify(body),
  );
  if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 500)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

/** PUT org (ORG scope, big quotas), PUT app, POST /auth/token with the app's credentials. */
export async function provisionTenant(send: Send, adminKey: string): Promise<Tenant> {
  const orgId = randomUUID();
  const admin = { 'x-api-key': adminKey };
  await expectStatus(send, 201, 'PUT', `/api/v1/orgs/${orgId}`, admin, {
    org_name: 'Bench',
    timezone: 'UTC',
    quota_scope: 'ORG',
    model_ordering: ['premium', 'standard', 'economy'],
    quotas: BENCH_QUOTAS,
  });
  const app = await expectStatus(send, 201, 'PUT', `/api/v1/orgs/${orgId}/apps/${BENCH_APP}`, admin, {
    app_name: 'Bench',
  });
  const cred = app.credentials as { client_id: string; client_secret: string };
  const tok = await expectStatus(
    send,
    200,
    'POST',
    '/auth/token',
    {},
    { grant_type: 'client_credentials', ...cred },
  );
  return { orgId, appId: BENCH_APP, accessToken: tok.access_token as string };
}

export function usagePath(t: Tenant): string {
  return `/api/v1/orgs/${t.orgId}/apps/${t.appId}/usage`;
}

export function selectionPath(t: Tenant): string {
  return `/api/v1/orgs/${t.orgId}/apps/${t.appId}/model-selection`;
}

/** A fresh usage event (unique request_id): 1,500 in / 800 out on premium = 3,760 micro-USD. */
export function usageBody(): string {
  return JSON.stringify({
    request_id: randomUUID(),
    model_label: 'premium',
    bedrock_model_id: 'amazon.nova-pro-v1:0',
    input_tokens: 1500,
    output_tokens: 800,
    status: 'OK',
    timestamp: new Date().toISOString(),
  });
}
