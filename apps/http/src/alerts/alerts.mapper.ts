import {
  eventBody,
  FieldProblems,
  normalizeOrgId,
  authorize,
  type AlertEvent,
  type Delivery,
  type Principal,
  type WebhookEndpoint,
  type WebhookInput,
} from '#core-domain';
import { type AlertEventDto, type DeliveryDto, type WebhookDto } from './alerts.dto.js';

const WIRE_TO_DOMAIN: Record<string, keyof WebhookInput> = {
  type: 'type',
  url: 'url',
  topic_arn: 'topicArn',
  description: 'description',
  event_types: 'eventTypes',
  format: 'format',
  enabled: 'enabled',
};

/** Wire body -> domain input; unknown fields are kept under their wire name so the domain refuses them. */
export function toWebhookInput(body: Record<string, unknown>): WebhookInput {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body))
    out[Object.hasOwn(WIRE_TO_DOMAIN, k) ? WIRE_TO_DOMAIN[k]! : k] = v;
  return out as WebhookInput;
}

/** The org of the path: an org token of that org, or the admin key (app tokens: 403). */
export function authorizeAlerts(caller: Principal | undefined, admin: boolean, rawOrgId: string): string {
  const orgId = normalizeOrgId(rawOrgId);
  if (!orgId) {
    const p = new FieldProblems();
    p.add('org_id', 'must be a UUID');
    p.throwIfAny();
  }
  if (!admin) authorize(caller!, { orgId: orgId!, orgOnly: true });
  return orgId!;
}

export function webhookDto(w: WebhookEndpoint): WebhookDto {
  const out: WebhookDto = {
    webhook_id: w.webhookId,
    type: w.kind,
    event_types: w.eventTypes,
    format: w.format,
    enabled: w.enabled,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
  if (w.url !== undefined) out.url = w.url;
  if (w.topicArn !== undefined) out.topic_arn = w.topicArn;
  if (w.description !== undefined) out.description = w.description;
  if (w.disabledReason !== undefined) out.disabled_reason = w.disabledReason;
  return out;
}

export function deliveryDto(d: Delivery): DeliveryDto {
  const last = d.attempts[d.attempts.length - 1];
  const out: DeliveryDto = {
    delivery_id: d.deliveryId,
    event_id: d.eventId,
    webhook_id: d.webhookId,
    attempt: d.attempts.length,
    attempted_at: last?.attemptedAt ?? null,
    status_code: last?.statusCode ?? null,
    duration_ms: last?.durationMs ?? null,
    outcome: d.status,
    next_attempt_at: d.status === 'pending' ? (d.nextAttemptAt ?? null) : null,
    attempts: d.attempts.map((a) => {
      const x: DeliveryDto['attempts'][number] = {
        attempt: a.attempt,
        attempted_at: a.attemptedAt,
        status_code: a.statusCode,
        duration_ms: a.durationMs,
        outcome: a.outcome,
      };
      if (a.error !== undefined) x.error = a.error;
      if (a.responseBody !== undefined) x.response_body = a.responseBody;
      return x;
    }),
  };
  if (last?.error !== undefined) out.error = last.error;
  return out;
}

export function eventDto(e: AlertEvent): AlertEventDto {
  return eventBody(e) as unknown as AlertEventDto;
}
