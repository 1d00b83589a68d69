// The soak's traffic: provisioning through the API, then N usage events (a share of them duplicates
// that reuse an earlier request_id with the same body) with bounded concurrency, alternating between
// the HTTP processes; and the aggregates the worker computes from them.
import { randomUUID } from 'node:crypto';

/** Far beyond what the soak spends: every label stays NORMAL (the steady hot path). */
const QUOTAS = { premium: 1e12, standard: 1e12, economy: 1e12 };
const MODELS: Record<string, string> = {
  premium: 'amazon.nova-pro-v1:0',
  standard: 'amazon.nova-2-lite-v1:0',
  economy: 'amazon.nova-micro-v1:0',
};
const LABELS = Object.keys(MODELS);
export const SOAK_APP = 'soak';

export interface Tenant {
  orgId: string;
  appId: string;
  /** A Bearer header for the app, renewed before the access token expires. */
  auth(): Promise<string>;
}

async function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
  want: number,
): Promise<Record<string, unknown>> {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** PUT org (ORG scope), PUT app, and the app's client-credentials token (renewed after 40 minutes). */
export async function provision(base: string, adminKey: string): Promise<Tenant> {
  const orgId = randomUUID();
  const admin = { 'x-api-key': adminKey };
  const org = { org_name: 'Soak', timezone: 'UTC', quota_scope: 'ORG', quotas: QUOTAS };
  await call(base, 'PUT', `/api/v1/orgs/${orgId}`, admin, org, 201);
  const app = await call(
    base,
    'PUT',
    `/api/v1/orgs/${orgId}/apps/${SOAK_APP}`,
    admin,
    { app_name: 'Soak' },
    201,
  );
  const cred = app.credentials as { client_id: string; client_secret: string };
  let token: { header: string; at: number } | undefined;
  let pending: Promise<string> | undefined;
  const issue = async () => {
    const t = await call(base, 'POST', '/auth/token', {}, { grant_type: 'client_credentials', ...cred }, 200);
    token = { header: `Bearer ${t.access_token as string}`, at: Date.now() };
    return token.header;
  };
  return {
    orgId,
    appId: SOAK_APP,
    auth() {
      if (token && Date.now() - token.at < 40 * 60_000) return Promise.resolve(token.header);
      pending ??= issue().finally(() => (pending = undefined));
      return pending;
    },
  };
}

/** A small seeded PRNG (mulberry32): the same event mix every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LoadOptions {
  events: number;
  /** Every `1 / duplicateShare`-th send reuses an earlier request_id (0.1: exactly 10 %). */
  duplicateShare: number;
  concurrency: number;
  bases: string[];
  tenant: Tenant;
  /** Called every `progressEverySecs` with the sends completed so far. */
  progress?: (done: number, elapsedSecs: number, errors: number) => void;
  progressEverySecs?: number;
  /** Called after each answered (or failed) send with the count so far. */
  onSent?: (sent: number) => void;
  /** Checked before each send: true stops the load early (Ctrl-C). */
  stopped?: () => boolean;
}

export interface LoadResult {
  sent: number;
  /** 202 with duplicate=false / duplicate=true; anything else by status (0: no response). */
  accepted: number;
  duplicates: number;
  errors: Map<number, { count: number; example: string }>;
  /** Sends planned as duplicates (reusing an earlier request_id). */
  plannedDuplicates: number;
  /** Distinct request_ids with at least one 202. */
  distinctAnswered: number;
  /** Sum of the server-returned cost of every accepted (not duplicate) event, micro-USD. */
  acceptedCostUsdMicros: number;
  /** request_ids answered `accepted` more than once (must be 0), or a duplicate with another cost. */
  doubleAccepted: number;
  costMismatches: number;
  /** Org days (UTC) of the events' timestamps. */
  days: Set<string>;
  durationSecs: number;
  /** Sends per HTTP process. */
  perBase: number[];
  /** Seconds from the start at which 25, 50, 75 and 100 % of the sends were answered. */
  quarterSecs: number[];
}

interface Tracked {
  accepted: number;
  cost?: number;
  answered: boolean;
}

/** Sends the events as fast as `concurrency` allows and counts the answers. */
export async function sendUsage(o: LoadOptions): Promise<LoadResult> {
  const random = rng(0x50a4);
  const every = Math.round(1 / o.duplicateShare);
  const tracked = new Map<string, Tracked>();
  /** The last 1,000 distinct events sent: a duplicate is one of them (some still in flight). */
  const recent: Array<{ id: string; body: string }> = [];
  const res: LoadResult = {
    sent: 0,
    accepted: 0,
    duplicates: 0,
    errors: new Map(),
    plannedDuplicates: 0,
    distinctAnswered: 0,
    acceptedCostUsdMicros: 0,
    doubleAccepted: 0,
    costMismatches: 0,
    days: new Set(),
    durationSecs: 0,
    perBase: o.bases.map(() => 0),
    quarterSecs: [],
  };
  const paths = `/api/v1/orgs/${o.tenant.orgId}/apps/${o.tenant.appId}/usage`;
  const started = performance.now();
  let next = 0;
  let errors = 0;
  const fail = (status: number, example: string) => {
    errors++;
    const e = res.errors.get(status) ?? { count: 0, example };
    e.count++;
    res.errors.set(status, e);
  };

  const one = async (i: number): Promise<void> => {
    let ev: { id: string; body: string };
    const duplicate = i % every === every - 1 && recent.length > 0;
    if (duplicate) {
      ev = recent[Math.floor(random() * recent.length)]!;
      res.plannedDuplicates++;
    } else {
      const label = LABELS[Math.floor(random() * LABELS.length)]!;
      const id = randomUUID();
      const timestamp = new Date().toISOString();
      res.days.add(timestamp.slice(0, 10));
      ev = {
        id,
        body: JSON.stringify({
          request_id: id,
          model_label: label,
          bedrock_model_id: MODELS[label],
          input_tokens: 50 + Math.floor(random() * 5000),
          output_tokens: 10 + Math.floor(random() * 1500),
          status: 'OK',
          timestamp,
        }),
      };
      tracked.set(id, { accepted: 0, answered: false });
      recent.push(ev);
      if (recent.length > 1000) recent.shift();
    }
    // Fresh events alternate between the processes; a duplicate goes to either one at random.
    const b = duplicate ? Math.floor(random() * o.bases.length) : i % o.bases.length;
    res.perBase[b]!++;
    let status: number;
    let text: string;
    try {
      const r = await fetch(o.bases[b] + paths, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await o.tenant.auth() },
        body: ev.body,
        signal: AbortSignal.timeout(30_000),
      });
      status = r.status;
      text = await r.text();
    } catch (e) {
      fail(0, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      return;
    }
    if (status !== 202) {
      fail(status, text.slice(0, 300));
      return;
    }
    const body = JSON.parse(text) as { duplicate: boolean; processing: { cost_usd_micros: number } };
    const cost = body.processing.cost_usd_micros;
    const t = tracked.get(ev.id)!;
    t.answered = true;
    if (body.duplicate) {
      res.duplicates++;
    } else {
      res.accepted++;
      res.acceptedCostUsdMicros += cost;
      t.accepted++;
      if (t.accepted > 1) res.doubleAccepted++;
    }
    if (t.cost === undefined) t.cost = cost;
    else if (t.cost !== cost) res.costMismatches++;
  };

  const progressEvery = (o.progressEverySecs ?? 10) * 1000;
  const ticker = o.progress
    ? setInterval(() => o.progress!(res.sent, (performance.now() - started) / 1000, errors), progressEvery)
    : undefined;
  try {
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        for (let i = next++; i < o.events && !o.stopped?.(); i = next++) {
          await one(i);
          res.sent++;
          if (res.sent >= (o.events * (res.quarterSecs.length + 1)) / 4) {
            res.quarterSecs.push((performance.now() - started) / 1000);
          }
          o.onSent?.(res.sent);
        }
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  res.durationSecs = (performance.now() - started) / 1000;
  for (const t of tracked.values()) if (t.answered) res.distinctAnswered++;
  return res;
}

export interface Totals {
  requests: number;
  costUsdMicros: number;
  /** The latest aggregation time of the totals (null: none yet). */
  updatedAt: string | null;
}

/** The app's aggregated totals over the given org days (the aggregates route, app token). */
export async function appTotals(base: string, tenant: Tenant, days: Iterable<string>): Promise<Totals> {
  const out: Totals = { requests: 0, costUsdMicros: 0, updatedAt: null };
  for (const day of days) {
    const r = await fetch(`${base}/api/v1/orgs/${tenant.orgId}/apps/${tenant.appId}/aggregates/${day}`, {
      headers: { authorization: await tenant.auth() },
      signal: AbortSignal.timeout(30_000),
    });
    if (r.status === 404) continue; // nothing aggregated for that day yet
    if (r.status !== 200) throw new Error(`aggregates ${day}: ${r.status} ${(await r.text()).slice(0, 300)}`);
    const a = (await r.json()) as {
      models: Record<string, { requests: number; cost_usd_micros: number }>;
      updated_at: string | null;
    };
    for (const m of Object.values(a.models)) {
      out.requests += m.requests;
      out.costUsdMicros += m.cost_usd_micros;
    }
    if (a.updated_at && (!out.updatedAt || a.updated_at > out.updatedAt)) out.updatedAt = a.updated_at;
  }
  return out;
}

/**
 * Polls the totals every `everySecs` until they have not changed for `stableSecs` (at least a few
 * aggregation intervals), or `timeoutSecs` passes. Returns the last totals and how long it took.
 */
export async function waitForAggregation(
  read: () => Promise<Totals>,
  opts: { everySecs: number; stableSecs: number; timeoutSecs: number },
): Promise<{ totals: Totals; waitedSecs: number; stable: boolean }> {
  const started = performance.now();
  let last = await read();
  let since = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, opts.everySecs * 1000));
    const now = await read();
    const waited = (performance.now() - started) / 1000;
    if (now.requests !== last.requests || now.costUsdMicros !== last.costUsdMicros) {
      last = now;
      since = performance.now();
    } else if ((performance.now() - since) / 1000 >= opts.stableSecs && now.requests > 0) {
      return { totals: now, waitedSecs: waited, stable: true };
    }
    if (waited >= opts.timeoutSecs) return { totals: now, waitedSecs: waited, stable: false };
  }
}
