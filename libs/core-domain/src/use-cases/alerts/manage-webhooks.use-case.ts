import {
  ALERT_EVENT_TTL_DAYS,
  ALERT_EVENT_TYPES,
  type AlertEvent,
  type AlertEventType,
} from '../../model/alerts/alert-event.js';
import {
  diffFields,
  webhookAuditView,
  type AuditAction,
  type AuditContext,
} from '../../model/audit/audit-entry.js';
import { webhookUrlProblem } from '../../model/alerts/webhook-address.js';
import {
  MAX_WEBHOOKS_PER_ORG,
  SECRET_OVERLAP_MS,
  type Delivery,
  type WebhookEndpoint,
} from '../../model/alerts/webhook.entity.js';
import { FieldProblems, InvalidConfigError, InvalidRequestError, NotFoundError } from '../../model/errors.js';
import { type AlertEventQuery, type AlertEvents } from '../../ports/alert-events.port.js';
import { type Clock } from '../../ports/clock.port.js';
import { type Deliveries } from '../../ports/deliveries.port.js';
import { type IdGenerator } from '../../ports/id-generator.port.js';
import { type WebhookEndpoints } from '../../ports/webhook-endpoints.port.js';
import { AuditStamp } from '../audit/audit-trail.use-case.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';
import { type DeliverWebhooks } from './deliver-webhooks.use-case.js';
import { fanOut } from './evaluate-alerts.use-case.js';

/** What PUT/PATCH take, in domain names (the HTTP edge maps the wire names). */
export interface WebhookInput {
  type?: unknown; // 'webhook' (default) | 'sns'
  url?: unknown;
  topicArn?: unknown;
  description?: unknown;
  eventTypes?: unknown;
  format?: unknown;
  enabled?: unknown;
}

export interface ManageWebhooksOptions {
  webhooks: WebhookEndpoints;
  events: AlertEvents;
  deliveries: Deliveries;
  ids: IdGenerator;
  configs: TenantConfigCache;
  clock: Clock;
  deliver: DeliverWebhooks;
  /** WEBHOOK_ALLOW_PRIVATE=true: local and private http(s) receivers are allowed (npm start, tests). */
  allowPrivate: boolean;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const FIELDS = ['type', 'url', 'topicArn', 'description', 'eventTypes', 'format', 'enabled'];
const WIRE: Record<string, string> = { topicArn: 'topic_arn', eventTypes: 'event_types' };

/** `whsec_` + base64 of 32 random bytes (the IdGenerator's secret). */
function newWebhookSecret(ids: IdGenerator): string {
  return `whsec_${ids.newSecret()}`;
}

/** Webhooks and SNS channels of an org, its events, deliveries and redelivery. */
export class ManageWebhooks {
  private readonly stamp: AuditStamp;

  constructor(private readonly o: ManageWebhooksOptions) {
    this.stamp = new AuditStamp(o.ids, o.clock);
  }

  private audit(
    context: AuditContext | undefined,
    action: AuditAction,
    before: WebhookEndpoint | undefined,
    after: WebhookEndpoint | undefined,
    extra: Record<string, { before: unknown; after: unknown }> = {},
  ) {
    const w = (after ?? before)!;
    const changes = {
      ...diffFields(before && webhookAuditView(before), after ? webhookAuditView(after) : {}),
      ...extra,
    };
    return [this.stamp.entry(context, w.orgId, action, { type: 'webhook', id: w.webhookId }, changes)];
  }

  async create(orgId: string, input: WebhookInput, context?: AuditContext): Promise<WebhookEndpoint> {
    await this.org(orgId);
    const now = this.o.clock.now().toISOString();
    const parsed = this.parse(input, undefined);
    if ((await this.o.webhooks.list(orgId)).length >= MAX_WEBHOOKS_PER_ORG) {
      throw new InvalidConfigError(`An org has at most ${MAX_WEBHOOKS_PER_ORG} webhooks`, {
        max_webhooks: MAX_WEBHOOKS_PER_ORG,
      });
    }
    const endpoint: WebhookEndpoint = {
      orgId,
      webhookId: `wh_${this.o.ids.newId().replaceAll('-', '')}`,
      ...parsed,
      secret: newWebhookSecret(this.o.ids),
      createdAt: now,
      updatedAt: now,
    };
    await this.o.webhooks.create(endpoint, this.audit(context, 'webhook.created', undefined, endpoint));
    return endpoint;
  }

  async list(orgId: string): Promise<WebhookEndpoint[]> {
    await this.org(orgId);
    return this.o.webhooks.list(orgId);
  }

  async get(orgId: string, webhookId: string): Promise<WebhookEndpoint> {
    const w = await this.o.webhooks.get(orgId, webhookId);
    if (!w) throw new NotFoundError(`Webhook ${webhookId} not found`);
    return w;
  }

  /** PATCH: only the fields sent change; enabling again clears the service's disabled reason. */
  async update(
    orgId: string,
    webhookId: string,
    input: WebhookInput,
    context?: AuditContext,
  ): Promise<WebhookEndpoint> {
    const current = await this.get(orgId, webhookId);
    const parsed = this.parse(input, current);
    const next: WebhookEndpoint = { ...current, ...parsed, updatedAt: this.o.clock.now().toISOString() };
    if (input.enabled === true) {
      delete next.disabledReason;
      delete next.failingSince;
    }
    if (
      (await this.o.webhooks.update(next, this.audit(context, 'webhook.updated', current, next))) ===
      'missing'
    )
      throw new NotFoundError(`Webhook ${webhookId} not found`);
    return next;
  }

  async delete(orgId: string, webhookId: string, context?: AuditContext): Promise<void> {
    const current = await this.get(orgId, webhookId);
    await this.o.webhooks.delete(
      orgId,
      webhookId,
      this.audit(context, 'webhook.deleted', current, undefined),
    );
  }

  /** A new secret; the old one keeps signing beside it for 24 h (two signatures). */
  async rotateSecret(
    orgId: string,
    webhookId: string,
    context?: AuditContext,
  ): Promise<{ secret: string; previousSecretExpiresAt: string }> {
    const current = await this.get(orgId, webhookId);
    const now = this.o.clock.now();
    const expires = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
    const next: WebhookEndpoint = {
      ...current,
      secret: newWebhookSecret(this.o.ids),
      previousSecret: current.secret,
      previousSecretExpiresAt: expires,
      updatedAt: now.toISOString(),
    };
    const changed = {
      previousSecretExpiresAt: {
        before: current.previousSecretExpiresAt ?? null,
        after: expires,
      },
    };
    await this.o.webhooks.update(next, this.audit(context, 'webhook.secret_rotated', current, next, changed));
    return { secret: next.secret, previousSecretExpiresAt: expires };
  }

  /** Sends a `webhook.test` event now and answers with its delivery. */
  async test(orgId: string, webhookId: string): Promise<Delivery> {
    const endpoint = await this.get(orgId, webhookId);
    const now = this.o.clock.now();
    const event: AlertEvent = {
      id: `evt_test_${this.o.ids.newId().replaceAll('-', '')}`,
      type: 'webhook.test',
      orgId,
      createdAt: now.toISOString(),
      data: { webhook_id: endpoint.webhookId, message: 'A test event from Bedrock Cost Keeper' },
      expiresAt: Math.floor(now.getTime() / 1000) + ALERT_EVENT_TTL_DAYS * 86400,
    };
    await this.o.events.createOnce(event);
    const [delivery] = await fanOut(this.o.webhooks, this.o.deliveries, event, now, {
      only: (id) => id === webhookId,
    });
    if (!delivery)
      throw new InvalidConfigError(`Webhook ${webhookId} is disabled`, { webhook_id: webhookId });
    const sent = await this.o.deliver.deliver(delivery);
    return sent?.delivery ?? delivery;
  }

  async deliveries(orgId: string, webhookId: string, cursor: string | undefined, limit: number) {
    await this.get(orgId, webhookId);
    return this.o.deliveries.listForWebhook(orgId, webhookId, cursor, limit);
  }

  async events(orgId: string, query: AlertEventQuery) {
    await this.org(orgId);
    return this.o.events.list(orgId, query, this.o.clock.now());
  }

  /** A new delivery of an event to every enabled endpoint that takes its type. */
  async redeliver(orgId: string, eventId: string): Promise<Delivery[]> {
    const now = this.o.clock.now();
    const event = await this.o.events.get(orgId, eventId, now);
    if (!event) throw new NotFoundError(`Event ${eventId} not found`);
    return fanOut(this.o.webhooks, this.o.deliveries, event, now, {
      suffix: `r${this.o.ids.newId().replaceAll('-', '').slice(0, 12)}`,
    });
  }

  private async org(orgId: string): Promise<void> {
    if (!(await this.o.configs.org(orgId))) throw new NotFoundError(`Org ${orgId} not found`);
  }

  /** Checks the fields sent; on create everything needed must be there. */
  private parse(
    input: WebhookInput,
    current: WebhookEndpoint | undefined,
  ): Pick<WebhookEndpoint, 'kind' | 'eventTypes' | 'format' | 'enabled'> &
    Partial<Pick<WebhookEndpoint, 'url' | 'topicArn' | 'description'>> {
    const p = new FieldProblems();
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new InvalidRequestError([{ field: '(body)', message: 'must be an object' }]);
    }
    for (const k of Object.keys(input))
      if (!FIELDS.includes(k)) p.add(Object.hasOwn(WIRE, k) ? WIRE[k]! : k, 'is not a known field');
    const kind = input.type === undefined ? (current?.kind ?? 'webhook') : input.type;
    if (kind !== 'webhook' && kind !== 'sns') p.add('type', "must be 'webhook' or 'sns'");
    if (current && input.type !== undefined && kind !== current.kind) p.add('type', 'cannot change');
    const out: ReturnType<ManageWebhooks['parse']> = {
      kind: kind === 'sns' ? 'sns' : 'webhook',
      eventTypes: current?.eventTypes ?? null,
      format: current?.format ?? 'standard',
      enabled: current?.enabled ?? true,
    };
    if (current?.url !== undefined) out.url = current.url;
    if (current?.topicArn !== undefined) out.topicArn = current.topicArn;
    if (current?.description !== undefined) out.description = current.description;
    if (out.kind === 'webhook') {
      if (input.url !== undefined || !current) {
        const problem = webhookUrlProblem(input.url, this.o.allowPrivate);
        if (problem) p.add('url', problem);
        else out.url = input.url as string;
      }
      if (input.topicArn !== undefined) p.add('topic_arn', 'is for SNS channels only');
    } else {
      if (input.topicArn !== undefined || !current) {
        if (typeof input.topicArn !== 'string' || !TOPIC_ARN.test(input.topicArn))
          p.add('topic_arn', 'must be an SNS topic ARN');
        else out.topicArn = input.topicArn;
      }
      if (input.url !== undefined) p.add('url', 'is for webhooks only');
    }
    if (input.description !== undefined) {
      if (typeof input.description !== 'string' || input.description.length > 256)
        p.add('description', 'must be a string of at most 256 characters');
      else out.description = input.description;
    }
    if (input.eventTypes !== undefined) {
      const ok =
        input.eventTypes === null ||
        (Array.isArray(input.eventTypes) &&
          input.eventTypes.length > 0 &&
          input.eventTypes.every((t) => ALERT_EVENT_TYPES.includes(t as AlertEventType)));
      if (!ok)
        p.add('event_types', `must be null (all) or a non-empty list of ${ALERT_EVENT_TYPES.join(', ')}`);
      else
        out.eventTypes =
          input.eventTypes === null ? null : [...new Set(input.eventTypes as AlertEventType[])];
    }
    if (input.format !== undefined) {
      if (input.format !== 'standard' && input.format !== 'slack')
        p.add('format', "must be 'standard' or 'slack'");
      else out.format = input.format;
    }
    if (input.enabled !== undefined) {
      if (typeof input.enabled !== 'boolean') p.add('enabled', 'must be true or false');
      else out.enabled = input.enabled;
    }
    p.throwIfAny();
    return out;
  }
}
