import { type AlertEventType } from './alert-event.js';

/** A channel of an org: a webhook (standard or Slack body) or an SNS topic. */
export interface WebhookEndpoint {
  orgId: string;
  webhookId: string;
  kind: 'webhook' | 'sns';
  /** Webhooks: where events are POSTed. */
  url?: string;
  /** SNS: the topic events are published to. */
  topicArn?: string;
  description?: string;
  /** The event types it takes; null: all. */
  eventTypes: AlertEventType[] | null;
  format: 'standard' | 'slack';
  enabled: boolean;
  /** Set when the service disabled it (410 Gone, or every delivery failing for 5 days). */
  disabledReason?: string;
  /** `whsec_` + base64 of 32 random bytes: signs deliveries (kept, since signing needs it). */
  secret: string;
  /** After a rotation the old secret signs beside the new one until `previousSecretExpiresAt`. */
  previousSecret?: string;
  previousSecretExpiresAt?: string;
  /** The first failure since the last success (for the 5-day disablement). */
  failingSince?: string;
  createdAt: string;
  updatedAt: string;
}

export const MAX_WEBHOOKS_PER_ORG = 10;
/** The old secret keeps signing this long after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

/** Whether an endpoint takes an event of this type now. */
export function takesEvent(endpoint: WebhookEndpoint, type: AlertEventType): boolean {
  if (!endpoint.enabled) return false;
  if (type === 'webhook.test') return true;
  return endpoint.eventTypes === null || endpoint.eventTypes.includes(type);
}

/** The secrets that sign a delivery at `now`: the current one, and the previous one during its overlap. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  const out = [endpoint.secret];
  if (
    endpoint.previousSecret &&
    endpoint.previousSecretExpiresAt &&
    Date.parse(endpoint.previousSecretExpiresAt) > now.getTime()
  ) {
    out.push(endpoint.previousSecret);
  }
  return out;
}

/** One attempt of one delivery. */
export interface DeliveryAttempt {
  attempt: number;
  attemptedAt: string;
  /** null when there was no answer (timeout, refused, blocked address). */
  statusCode: number | null;
  durationMs: number;
  outcome: 'succeeded' | 'failed';
  error?: string;
  /** At most 1 KiB of the response body. */
  responseBody?: string;
}

/** One event to one endpoint, with its attempts. */
export interface Delivery {
  orgId: string;
  webhookId: string;
  deliveryId: string;
  eventId: string;
  status: 'pending' | 'succeeded' | 'failed';
  /** Attempts made so far. */
  attempts: DeliveryAttempt[];
  /** When the next attempt is due (pending only). */
  nextAttemptAt?: string;
  /** Who holds the delivery (a worker) and until when: a claim is a conditional update. */
  claimedBy?: string;
  claimedUntil?: string;
  /** Bumped by every write: the condition of claims and records. */
  version: number;
  createdAt: string;
  /** Epoch seconds (30 days). */
  expiresAt: number;
}
