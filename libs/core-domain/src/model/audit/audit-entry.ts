import { type App, type Org } from '../tenants/tenant.entity.js';
import { type WebhookEndpoint } from '../alerts/webhook.entity.js';

/** What an audit item records (analytics.md, "Audit trail"). */
export const AUDIT_ACTIONS = [
  'org.created',
  'org.updated',
  'app.created',
  'app.updated',
  'credentials.rotated',
  'token.revoked',
  'profile.registered',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'alerts.updated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Change items are kept 400 days; failed attempts 7 days, apart from them. */
export const AUDIT_TTL_DAYS = 400;
export const AUDIT_FAILURE_TTL_DAYS = 7;

/** Who made a change: the admin (its key's fingerprint) or a client (its client_id). */
export interface AuditActor {
  kind: 'admin' | 'client';
  /** Admin: the first 12 hex digits of the SHA-256 of the key (computed at the edge). Client: client_id. */
  id: string;
  sourceIp?: string;
  userAgent?: string;
}

/** What the edge knows of a request that changes something: passed into the use cases. */
export interface AuditContext {
  actor: AuditActor;
  requestId?: string;
}

/** The context of a call made without one (an embedder calling the core directly). */
export const EMBEDDED_AUDIT_CONTEXT: AuditContext = { actor: { kind: 'admin', id: 'embedded' } };

/** A changed field: JSON values, `null` when absent on that side. */
export interface AuditChange {
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  eventId: string;
  occurredAt: string;
  orgId: string;
  actor: AuditActor;
  action: AuditAction;
  target: { type: string; id: string };
  /** Field -> before/after. Never a secret, a hash or a token. */
  changes: Record<string, AuditChange>;
  requestId?: string;
  outcome: 'success';
  /** TTL, epoch seconds. */
  expiresAt: number;
}

/** A failed admin-key or token-endpoint attempt: at most one per source and minute. */
export interface AuditFailure {
  /** The source address (the key, with the minute). */
  sourceIp: string;
  /** UTC minute `YYYY-MM-DDTHH:mm`. */
  minute: string;
  /** The first failed attempt of that minute from that source. */
  occurredAt: string;
  attempt: 'admin_key' | 'token';
  userAgent?: string;
  /** Token attempts: the client_id tried, when it is one of ours in form. */
  clientId?: string;
  orgId?: string;
  requestId?: string;
  outcome: 'failure';
  expiresAt: number;
}

export interface AuditQuery {
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  actions?: readonly AuditAction[];
  /** An actor id (admin key fingerprint or client_id). */
  actor?: string;
  /** A storage position from a previous page (the use case seals and opens it). */
  after?: string;
  limit: number;
}

export interface AuditPage<T> {
  items: T[];
  /** The storage position of the next page, when there is one. */
  next?: string;
}

const SECRET_FIELDS = new Set([
  'secret',
  'previousSecret',
  'secretHash',
  'previousSecretHash',
  'clientSecret',
  'token',
]);

function json(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * The fields of `after` that differ from `before` (absent before: everything, from null). Secret
 * fields are dropped whatever the caller passed.
 */
export function diffFields(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): Record<string, AuditChange> {
  const out: Record<string, AuditChange> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const k of [...keys].sort()) {
    if (SECRET_FIELDS.has(k)) continue;
    const b = json(before?.[k]);
    const a = json(after[k]);
    if (JSON.stringify(b) !== JSON.stringify(a)) out[k] = { before: b, after: a };
  }
  return out;
}

/** The alert settings of orgs and apps: their changes are `alerts.updated` items. */
export const ALERT_SETTING_FIELDS: readonly string[] = ['alertThresholdsPct', 'anomalyFactor'];

/** An org's audited fields, flat (settings inline), without timestamps. */
export function orgAuditView(org: Org): Record<string, unknown> {
  return {
    orgName: org.orgName,
    timezone: org.timezone,
    quotaScope: org.quotaScope,
    modelOrdering: org.modelOrdering,
    quotas: org.quotas,
    budgets: org.budgets,
    ...org.settings,
  };
}

/** An app's audited fields, flat (overrides inline), without timestamps. */
export function appAuditView(app: App): Record<string, unknown> {
  return { appName: app.appName, ...app.overrides };
}

/** A webhook's audited fields: never its secrets. */
export function webhookAuditView(w: WebhookEndpoint): Record<string, unknown> {
  return {
    kind: w.kind,
    url: w.url,
    topicArn: w.topicArn,
    description: w.description,
    eventTypes: w.eventTypes,
    format: w.format,
    enabled: w.enabled,
    disabledReason: w.disabledReason,
  };
}

/** Splits changes into the alert settings and the rest. */
export function splitAlertChanges(changes: Record<string, AuditChange>): {
  alerts: Record<string, AuditChange>;
  rest: Record<string, AuditChange>;
} {
  const alerts: Record<string, AuditChange> = {};
  const rest: Record<string, AuditChange> = {};
  for (const [k, v] of Object.entries(changes)) (ALERT_SETTING_FIELDS.includes(k) ? alerts : rest)[k] = v;
  return { alerts, rest };
}

/** The UTC minute `YYYY-MM-DDTHH:mm` of an instant. */
export function auditMinute(instant: Date): string {
  return instant.toISOString().slice(0, 16);
}
