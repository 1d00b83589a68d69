import { randomUUID } from 'node:crypto';
import { orgClientId, appClientId, type Credential } from '../model/credentials/credential.entity.js';
import { type InferenceProfile } from '../model/profiles/inference-profile.entity.js';
import { DEFAULT_ORG_SETTINGS, scopeKeyFor, type App, type Org } from '../model/tenants/tenant.entity.js';
import { type StickyState } from '../model/selection/sticky-state.js';
import { type DailyTotal, type UsageRecord } from '../model/usage/usage.entity.js';
import { type PricingEntry } from '../model/money/pricing.js';
import { type PeriodTotal } from '../model/usage/period-total.js';
import { type AlertEvent } from '../model/alerts/alert-event.js';
import { type Delivery, type WebhookEndpoint } from '../model/alerts/webhook.entity.js';
import { type IdGenerator } from '../ports/id-generator.port.js';
import { type SecretHasher } from '../ports/secret-hasher.port.js';

/** A fresh id per test: tests never need to empty tables. */
export const uniqueId = (): string => randomUUID();
export const uniqueAppId = (): string => `app-${randomUUID().slice(0, 8)}`;

const T0 = '2026-03-10T12:00:00.000Z';

export function anOrg(over: Partial<Org> = {}): Org {
  return {
    orgId: uniqueId(),
    orgName: 'Acme',
    timezone: 'UTC',
    quotaScope: 'ORG',
    modelOrdering: ['premium', 'standard', 'economy'],
    quotas: { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 },
    budgets: [],
    settings: { ...DEFAULT_ORG_SETTINGS },
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function anApp(orgId: string, over: Partial<App> = {}): App {
  return {
    orgId,
    appId: uniqueAppId(),
    appName: 'Chat',
    overrides: {},
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function aCredential(orgId: string, appId?: string, over: Partial<Credential> = {}): Credential {
  const c: Credential = {
    clientId: appId ? appClientId(orgId, appId) : orgClientId(orgId),
    orgId,
    secretHash: 'hash-v1',
    secretVersion: 1,
    secretIssuedAt: T0,
    ...over,
  };
  if (appId) c.appId = appId;
  return c;
}

export function aProfile(
  orgId: string,
  appId: string,
  over: Partial<InferenceProfile> = {},
): InferenceProfile {
  return {
    orgId,
    appId,
    profileLabel: 'claude-prod',
    inferenceProfileArn: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123',
    description: 'Production profile',
    createdAt: T0,
    ...over,
  };
}

export function aUsageRecord(over: Partial<UsageRecord> = {}): UsageRecord {
  const orgId = over.orgId ?? uniqueId();
  return {
    scopeKey: scopeKeyFor('ORG', orgId, 'app1'),
    requestId: uniqueId(),
    orgId,
    appId: 'app1',
    label: 'premium',
    bedrockModelId: 'amazon.nova-pro-v1:0',
    day: '2026-03-10',
    shard: 0,
    status: 'OK',
    timestamp: T0,
    recordedAt: T0,
    costUsdMicros: 3760,
    inputTokens: 1500,
    outputTokens: 800,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
    requests: 1,
    priceSource: 'CONFIG_FALLBACK',
    priceVersion: 'config',
    retainUntil: Math.floor(Date.parse(T0) / 1000) + 35 * 86400,
    expiresAt: Math.floor(Date.parse(T0) / 1000) + 35 * 86400,
    counterExpiresAt: Math.floor(Date.parse(T0) / 1000) + 400 * 86400,
    ...over,
  };
}

export function aStickyState(over: Partial<StickyState> = {}): StickyState {
  return {
    scopeKey: `ORG#${uniqueId()}`,
    day: '2026-03-10',
    label: 'standard',
    index: 1,
    previousLabel: 'premium',
    reason: 'QUOTA_EXCEEDED',
    updatedAt: T0,
    expiresAt: Math.floor(Date.parse('2026-03-11T01:00:00Z') / 1000),
    ...over,
  };
}

export function aDailyTotal(over: Partial<DailyTotal> = {}): DailyTotal {
  return {
    scopeKey: `ORG#${uniqueId()}`,
    label: 'premium',
    day: '2026-03-10',
    costUsdMicros: 1000,
    inputTokens: 10,
    outputTokens: 20,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
    requests: 1,
    updatedAt: T0,
    expiresAt: Math.floor(Date.parse(T0) / 1000) + 400 * 86400,
    ...over,
  };
}

export function aPeriodTotal(over: Partial<PeriodTotal> = {}): PeriodTotal {
  return {
    scopeKey: `ORG#${uniqueId()}`,
    periodKey: 'W#2026-03-09',
    label: 'premium',
    costUsdMicros: 7000,
    inputTokens: 70,
    outputTokens: 140,
    cacheReadInputTokens: 1,
    cacheWriteInputTokens: 2,
    requests: 7,
    updatedAt: T0,
    expiresAt: Math.floor(Date.parse(T0) / 1000) + 400 * 86400,
    ...over,
  };
}

export function aPricingEntry(over: Partial<PricingEntry> = {}): PricingEntry {
  return {
    day: '2026-03-10',
    bedrockModelId: `model-${uniqueId()}`,
    price: { inputPerMillion: 1000, outputPerMillion: 2000 },
    origin: 'PRICING_API',
    version: 'v1',
    expiresAt: Math.floor(Date.parse(T0) / 1000) + 3 * 86400,
    ...over,
  };
}

/**
 * Epoch seconds far in the future (2100-01-01): alert items that must stay readable. DynamoDB Local
 * deletes items whose TTL is past on the real clock, so contract data does not expire relative to T0.
 */
export const FAR_EXPIRY = Math.floor(Date.parse('2100-01-01T00:00:00Z') / 1000);

export function anAlertEvent(orgId: string, over: Partial<AlertEvent> = {}): AlertEvent {
  return {
    id: `evt_${uniqueId().replaceAll('-', '')}`,
    type: 'budget.threshold_crossed',
    orgId,
    createdAt: T0,
    data: {
      scope: 'ORG',
      line: { window: 'DAY', label: null, kind: 'quota' },
      threshold_pct: 80,
      spend_usd_micros: 8_000_000,
      limit_usd_micros: 10_000_000,
      pct: 80,
      as_of: T0,
    },
    expiresAt: FAR_EXPIRY,
    ...over,
  };
}

export function aWebhook(orgId: string, over: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    orgId,
    webhookId: `wh_${uniqueId().slice(0, 8)}`,
    kind: 'webhook',
    url: 'https://hooks.example.com/bck',
    description: 'Ops channel',
    eventTypes: null,
    format: 'standard',
    enabled: true,
    secret: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function aDelivery(orgId: string, webhookId: string, over: Partial<Delivery> = {}): Delivery {
  return {
    orgId,
    webhookId,
    deliveryId: `dlv_${uniqueId().replaceAll('-', '')}`,
    eventId: `evt_${uniqueId().replaceAll('-', '')}`,
    status: 'pending',
    attempts: [],
    nextAttemptAt: '2026-03-10T12:00:05.000Z',
    version: 1,
    createdAt: T0,
    expiresAt: FAR_EXPIRY,
    ...over,
  };
}

/** Deterministic ids and secrets for tests. */
export class SequentialIds implements IdGenerator {
  private n = 0;
  constructor(private readonly prefix = '00000000-0000-4000-8000') {}
  newId(): string {
    this.n++;
    return `${this.prefix}-${this.n.toString(16).padStart(12, '0')}`;
  }
  newSecret(): string {
    this.n++;
    return Buffer.from(`secret-${this.n}`.padEnd(32, '.')).toString('base64');
  }
}

/** A fast, transparent hasher for unit tests (never for production). */
export class PlainTestHasher implements SecretHasher {
  async hash(secret: string): Promise<string> {
    return `plain:${secret}`;
  }
  async verify(secret: string, hash: string): Promise<boolean> {
    return hash === `plain:${secret}`;
  }
}
