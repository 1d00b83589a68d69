// A demo org for the README screenshot (and handy by hand): three apps in APP scope with spend that
// shows every state (normal, TIGHT, a fallback), week and month budgets with enough history for a
// forecast, and tags. Days are written by moving the app's clock, as the worker would see them.
import { randomUUID } from 'node:crypto';

export interface DemoTarget {
  baseUrl: string;
  adminKey: string;
  /** The app's clock (a FakeClock): the demo writes past days by moving it forward. */
  clock: { set(iso: string | Date): void; now(): Date };
  /** One aggregation pass (the worker's job). */
  runPass(): Promise<void>;
}

const LABELS = {
  premium: { bedrock_model_id: 'amazon.nova-pro-v1:0' },
  standard: { bedrock_model_id: 'amazon.nova-2-lite-v1:0' },
  economy: { bedrock_model_id: 'amazon.nova-micro-v1:0' },
} as const;
type Label = keyof typeof LABELS;
const BUDGETS = [
  { window: 'WEEK', limit_usd_micros: 16_000_000 },
  { window: 'MONTH', limit_usd_micros: 60_000_000 },
  { window: 'MONTH', limit_usd_micros: 30_000_000, label: 'premium' },
];

async function call(
  t: DemoTarget,
  method: string,
  path: string,
  body: unknown,
  auth: Record<string, string>,
) {
  const res = await fetch(`${t.baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function token(
  t: DemoTarget,
  cred: { client_id: string; client_secret: string },
): Promise<string> {
  const r = await call(t, 'POST', '/auth/token', { grant_type: 'client_credentials', ...cred }, {});
  return r.access_token as string;
}

/** Posts `n` calls of `label` for an app (each about `outputTokens` output tokens) at the clock's now. */
export async function postUsage(
  t: DemoTarget,
  orgId: string,
  appId: string,
  appToken: string,
  label: Label,
  n: number,
  outputTokens = 1000,
  tags: Record<string, string> = {},
): Promise<void> {
  const requests = Array.from({ length: n }, () => ({
    request_id: randomUUID(),
    model_label: label,
    bedrock_model_id: LABELS[label].bedrock_model_id,
    input_tokens: outputTokens * 3,
    output_tokens: outputTokens,
    status: 'OK',
    timestamp: t.clock.now().toISOString(),
    tags,
  }));
  for (let i = 0; i < requests.length; i += 100) {
    await call(
      t,
      'POST',
      `/api/v1/orgs/${orgId}/apps/${appId}/usage/batch`,
      { requests: requests.slice(i, i + 100) },
      { Authorization: `Bearer ${appToken}` },
    );
  }
}

/**
 * Seeds the demo org. `today` is an ISO instant (the clock ends there); the 9 days before it get
 * history. Answers the org's id and credentials (to sign in to the dashboard).
 * `orgId`: a fixed one keeps the screenshot the same from run to run.
 */
export async function seedDemoOrg(
  t: DemoTarget,
  today: string,
  orgId: string = randomUUID(),
): Promise<{ orgId: string; org: { client_id: string; client_secret: string } }> {
  const end = Date.parse(today);
  t.clock.set(new Date(end - 9 * 86_400_000));
  const admin = { 'X-API-Key': t.adminKey };
  const org = await call(
    t,
    'PUT',
    `/api/v1/orgs/${orgId}`,
    {
      org_name: 'Acme Robotics',
      timezone: 'Europe/Berlin',
      quota_scope: 'APP',
      model_ordering: ['premium', 'standard', 'economy'],
      quotas: { premium: 2_000_000, standard: 1_500_000, economy: 500_000 },
      budgets: BUDGETS,
      rollup_tag_keys: ['team'],
    },
    admin,
  ).catch(async (e: unknown) => {
    // A service without the analytics settings yet: the same org without rollup_tag_keys.
    if (!String(e).includes('rollup_tag_keys')) throw e;
    return call(
      t,
      'PUT',
      `/api/v1/orgs/${orgId}`,
      {
        org_name: 'Acme Robotics',
        timezone: 'Europe/Berlin',
        quota_scope: 'APP',
        model_ordering: ['premium', 'standard', 'economy'],
        quotas: { premium: 2_000_000, standard: 1_500_000, economy: 500_000 },
        budgets: BUDGETS,
      },
      admin,
    );
  });
  const apps: Record<string, { client_id: string; client_secret: string }> = {};
  for (const [appId, name] of [
    ['support-chat', 'Support chat'],
    ['doc-search', 'Document search'],
    ['nightly-batch', 'Nightly batch'],
  ] as const) {
    const a = await call(t, 'PUT', `/api/v1/orgs/${orgId}/apps/${appId}`, { app_name: name }, admin);
    apps[appId] = a.credentials as { client_id: string; client_secret: string };
  }
  // Nine past days of steady, slightly growing spend; a premium call costs 5,600 µ$ at 1,000 output tokens.
  for (let d = 9; d >= 1; d--) {
    t.clock.set(new Date(end - d * 86_400_000));
    const grow = 10 - d;
    await postUsage(
      t,
      orgId,
      'support-chat',
      await token(t, apps['support-chat']!),
      'premium',
      120 + 8 * grow,
      1000,
      { team: 'support' },
    );
    await postUsage(
      t,
      orgId,
      'doc-search',
      await token(t, apps['doc-search']!),
      'standard',
      160 + 10 * grow,
      1000,
      { team: 'search' },
    );
    await postUsage(t, orgId, 'nightly-batch', await token(t, apps['nightly-batch']!), 'economy', 300, 1000, {
      team: 'data',
    });
    await t.runPass();
  }
  // Today: support-chat in the normal range, doc-search TIGHT on premium (96.6 %),
  // nightly-batch over premium (100.8 %: a fallback).
  t.clock.set(new Date(end - 3 * 3_600_000));
  await postUsage(t, orgId, 'support-chat', await token(t, apps['support-chat']!), 'premium', 140, 1000, {
    team: 'support',
  });
  await postUsage(t, orgId, 'doc-search', await token(t, apps['doc-search']!), 'premium', 345, 1000, {
    team: 'search',
  });
  await postUsage(t, orgId, 'doc-search', await token(t, apps['doc-search']!), 'standard', 90, 1000, {
    team: 'search',
  });
  await postUsage(t, orgId, 'nightly-batch', await token(t, apps['nightly-batch']!), 'premium', 360, 1000, {
    team: 'data',
  });
  await t.runPass();
  t.clock.set(new Date(end - 60_000));
  await postUsage(t, orgId, 'nightly-batch', await token(t, apps['nightly-batch']!), 'standard', 40, 1000, {
    team: 'data',
  });
  await t.runPass();
  t.clock.set(new Date(end));
  const nightly = await token(t, apps['nightly-batch']!);
  // The batch app asks once: the exhausted premium label moves it to standard, sticky for the day.
  await fetch(`${t.baseUrl}/api/v1/orgs/${orgId}/apps/nightly-batch/model-selection`, {
    headers: { Authorization: `Bearer ${nightly}` },
  });
  return { orgId, org: org.credentials as { client_id: string; client_secret: string } };
}
