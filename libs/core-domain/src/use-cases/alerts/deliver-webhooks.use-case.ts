import {
  alertEventId,
  ALERT_EVENT_TTL_DAYS,
  eventBody,
  type AlertEvent,
} from '../../model/alerts/alert-event.js';
import { nextAttemptAt, RETRY_DELAYS_SECS, shouldDisable } from '../../model/alerts/alert-rules.js';
import { slackMessage } from '../../model/alerts/slack-message.js';
import {
  signingSecrets,
  type Delivery,
  type DeliveryAttempt,
  type WebhookEndpoint,
} from '../../model/alerts/webhook.entity.js';
import { type AlertEvents } from '../../ports/alert-events.port.js';
import {
  type SendResult,
  type SnsPublisher,
  type WebhookSender,
  type WebhookSigner,
} from '../../ports/alert-channels.port.js';
import { type Clock } from '../../ports/clock.port.js';
import { type Deliveries } from '../../ports/deliveries.port.js';
import { type WebhookEndpoints } from '../../ports/webhook-endpoints.port.js';
import { mapLimit } from '../shared/map-limit.js';
import { type TenantConfigCache } from '../tenants/tenant-config.js';
import { fanOut } from './evaluate-alerts.use-case.js';

export interface DeliverWebhooksOptions {
  deliveries: Deliveries;
  webhooks: WebhookEndpoints;
  events: AlertEvents;
  sender: WebhookSender;
  signer: WebhookSigner;
  sns?: SnsPublisher;
  configs: TenantConfigCache;
  clock: Clock;
  /** Who claims deliveries (the worker's id). */
  owner: string;
  /** `bedrock-cost-keeper/<version>` goes in user-agent. */
  serviceVersion: string;
  retryDelaysSecs?: readonly number[];
  timeoutMs?: number;
  /** How long a claim holds before another worker may take the delivery over (a crashed worker). */
  claimSecs?: number;
}

export interface DeliveryPassReport {
  attempted: number;
  succeeded: number;
  failed: number;
  disabled: number;
}

const MAX_BODY = 1024;

/**
 * Delivers due events (at least once): each due delivery is claimed by a conditional write (two
 * workers never send the same attempt), sent with a 10 s timeout and Standard Webhooks signatures
 * (standard or Slack body) or published to SNS, and recorded: success on a 2xx; otherwise the next
 * attempt after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then `failed`. `410 Gone` disables the
 * endpoint at once, five days of failures too; then a `webhook.disabled` event goes to the org's
 * other endpoints. Endpoints are independent: deliveries run in parallel per endpoint.
 */
export class DeliverWebhooks {
  private readonly delays: readonly number[];
  private readonly timeoutMs: number;
  private readonly claimMs: number;

  constructor(private readonly o: DeliverWebhooksOptions) {
    this.delays = o.retryDelaysSecs ?? RETRY_DELAYS_SECS;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.claimMs = (o.claimSecs ?? 60) * 1000;
  }

  async runPass(limit = 100): Promise<DeliveryPassReport> {
    const now = this.o.clock.now();
    const due = await this.o.deliveries.due(now, limit);
    const byEndpoint = new Map<string, Delivery[]>();
    for (const d of due) {
      const k = `${d.orgId}|${d.webhookId}`;
      byEndpoint.set(k, [...(byEndpoint.get(k) ?? []), d]);
    }
    const report: DeliveryPassReport = { attempted: 0, succeeded: 0, failed: 0, disabled: 0 };
    await mapLimit([...byEndpoint.values()], 16, async (list) => {
      for (const d of list) {
        const r = await this.deliver(d);
        if (!r) continue;
        report.attempted++;
        if (r.outcome === 'succeeded') report.succeeded++;
        else report.failed++;
        if (r.disabled) report.disabled++;
      }
    });
    return report;
  }

  /** Claims, sends and records one delivery; undefined when another worker holds it. */
  async deliver(
    d: Delivery,
  ): Promise<{ outcome: DeliveryAttempt['outcome']; delivery: Delivery; disabled: boolean } | undefined> {
    const now = this.o.clock.now();
    if (d.status !== 'pending') return undefined;
    if (d.claimedUntil && Date.parse(d.claimedUntil) > now.getTime()) return undefined;
    const claimed: Delivery = {
      ...d,
      claimedBy: this.o.owner,
      claimedUntil: new Date(now.getTime() + this.claimMs).toISOString(),
      version: d.version + 1,
    };
    if (!(await this.o.deliveries.replace(claimed, d.version))) return undefined;
    const endpoint = await this.o.webhooks.get(d.orgId, d.webhookId);
    const event = await this.o.events.get(d.orgId, d.eventId, now);
    let result: SendResult;
    if (!endpoint || !endpoint.enabled) {
      result = {
        statusCode: null,
        durationMs: 0,
        error: endpoint ? 'endpoint disabled' : 'endpoint deleted',
      };
    } else if (!event) {
      result = { statusCode: null, durationMs: 0, error: 'event expired' };
    } else {
      result = await this.send(endpoint, event, now);
    }
    const attemptNo = d.attempts.length + 1;
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const done = this.o.clock.now();
    const attempt: DeliveryAttempt = {
      attempt: attemptNo,
      attemptedAt: now.toISOString(),
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      outcome: ok ? 'succeeded' : 'failed',
    };
    if (result.error) attempt.error = result.error.slice(0, MAX_BODY);
    if (result.body) attempt.responseBody = result.body.slice(0, MAX_BODY);
    const gone = result.statusCode === 410;
    const giveUp = !endpoint || !endpoint.enabled || !event || gone;
    const next = ok || giveUp ? undefined : nextAttemptAt(attemptNo, done, this.delays);
    const recorded: Delivery = {
      ...claimed,
      attempts: [...d.attempts, attempt],
      status: ok ? 'succeeded' : next ? 'pending' : 'failed',
      version: claimed.version + 1,
    };
    delete recorded.claimedBy;
    delete recorded.claimedUntil;
    if (next) recorded.nextAttemptAt = next.toISOString();
    else delete recorded.nextAttemptAt;
    await this.o.deliveries.replace(recorded, claimed.version);
    const disabled = endpoint && endpoint.enabled ? await this.afterAttempt(endpoint, ok, gone, done) : false;
    return { outcome: attempt.outcome, delivery: recorded, disabled };
  }

  /** Keeps the endpoint's failure streak; disables it on 410 or after five days of failures. */
  private async afterAttempt(
    endpoint: WebhookEndpoint,
    ok: boolean,
    gone: boolean,
    now: Date,
  ): Promise<boolean> {
    if (ok) {
      if (endpoint.failingSince) {
        const next = { ...endpoint, updatedAt: now.toISOString() };
        delete next.failingSince;
        await this.o.webhooks.update(next);
      }
      return false;
    }
    const failingSince = endpoint.failingSince ?? now.toISOString();
    const reason = gone
      ? 'the endpoint answered 410 Gone'
      : shouldDisable(new Date(failingSince), now)
        ? 'every delivery failed for 5 days'
        : undefined;
    const next: WebhookEndpoint = { ...endpoint, failingSince, updatedAt: now.toISOString() };
    if (reason) {
      next.enabled = false;
      next.disabledReason = reason;
    }
    if (reason || !endpoint.failingSince) await this.o.webhooks.update(next);
    if (!reason) return false;
    const event: AlertEvent = {
      id: alertEventId(['webhook.disabled', endpoint.orgId, endpoint.webhookId, failingSince]),
      type: 'webhook.disabled',
      orgId: endpoint.orgId,
      createdAt: now.toISOString(),
      data: { webhook_id: endpoint.webhookId, reason },
      expiresAt: Math.floor(now.getTime() / 1000) + ALERT_EVENT_TTL_DAYS * 86400,
    };
    if ((await this.o.events.createOnce(event)) === 'created') {
      await fanOut(this.o.webhooks, this.o.deliveries, event, now, {
        only: (id) => id !== endpoint.webhookId,
      });
    }
    return true;
  }

  /** One attempt: SNS publish, or an HTTP POST with the Standard Webhooks headers. */
  private async send(endpoint: WebhookEndpoint, event: AlertEvent, now: Date): Promise<SendResult> {
    const wire = eventBody(event);
    if (endpoint.kind === 'sns') {
      if (!this.o.sns || !endpoint.topicArn)
        return { statusCode: null, durationMs: 0, error: 'SNS is not configured' };
      const started = this.o.clock.now().getTime();
      try {
        await this.o.sns.publish(
          endpoint.topicArn,
          `Bedrock Cost Keeper: ${event.type}`,
          JSON.stringify(wire),
        );
        return { statusCode: 200, durationMs: this.o.clock.now().getTime() - started };
      } catch (e) {
        return { statusCode: null, durationMs: this.o.clock.now().getTime() - started, error: errorText(e) };
      }
    }
    let payload: unknown = wire;
    if (endpoint.format === 'slack') {
      const org = await this.o.configs.org(event.orgId);
      payload = slackMessage(event, {
        orgName: org?.orgName ?? event.orgId,
        timezone: org?.timezone ?? 'UTC',
      });
    }
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(now.getTime() / 1000);
    return this.o.sender.send({
      url: endpoint.url!,
      body,
      timeoutMs: this.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': `bedrock-cost-keeper/${this.o.serviceVersion}`,
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': this.o.signer.sign(event.id, timestamp, body, signingSecrets(endpoint, now)),
      },
    });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
