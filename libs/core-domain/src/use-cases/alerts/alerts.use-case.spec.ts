import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, RecordingSnsPublisher, testCostKeeper, uniqueId } from '#core-domain/testing';
import {
  InvalidConfigError,
  InvalidRequestError,
  NotFoundError,
  type AlertEvent,
  type SendResult,
  type UsageInput,
  type WebhookSender,
} from '#core-domain';

/** A receiver the test scripts: it records every request and answers what it is told. */
class FakeReceiver implements WebhookSender {
  readonly requests: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  answer: (url: string) => SendResult = () => ({ statusCode: 200, durationMs: 3 });
  async send(r: { url: string; headers: Record<string, string>; body: string; timeoutMs: number }) {
    this.requests.push({ url: r.url, headers: r.headers, body: r.body });
    return this.answer(r.url);
  }
  events(): AlertEvent[] {
    return this.requests.map((r) => JSON.parse(r.body) as AlertEvent);
  }
}

async function setup(over: { quotas?: Record<string, number>; thresholds?: number[] } = {}) {
  const clock = new FakeClock('2026-12-16T15:00:00Z');
  const storage = createMemoryAdapters();
  const receiver = new FakeReceiver();
  const sns = new RecordingSnsPublisher();
  const signed: string[] = [];
  const keeper = testCostKeeper({
    storage,
    clock,
    aggregation: { owner: 'w1' },
    alerts: {
      sender: receiver,
      signer: {
        sign: (id, ts, body, secrets) => (
          signed.push(`${id}.${ts}`),
          secrets.map((s) => `v1,${s.slice(-4)}`).join(' ')
        ),
      },
      allowPrivate: false,
      serviceVersion: '9.9.9',
      owner: 'w1',
      sns,
    },
  });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'Acme',
    timezone: 'UTC',
    quotaScope: 'ORG',
    quotas: over.quotas ?? { premium: 10_000, standard: 1_000_000, economy: 1_000_000 },
    ...(over.thresholds ? { alertThresholdsPct: over.thresholds } : {}),
  });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  const spend = async (n: number, label = 'premium') => {
    for (let i = 0; i < n; i++) {
      const e: UsageInput = {
        requestId: uniqueId(),
        modelLabel: label,
        bedrockModelId: 'amazon.nova-pro-v1:0',
        inputTokens: 1500,
        outputTokens: 800, // 3,760
        status: 'OK',
        timestamp: clock.now().toISOString(),
      };
      await keeper.recordUsage.execute(orgId, 'chat', e);
    }
    clock.advanceSecs(1);
    return keeper.aggregator.runPass();
  };
  return { clock, storage, receiver, keeper, orgId, spend, signed, sns };
}

const typesOf = (events: AlertEvent[]) =>
  events.map((e) => `${e.type}${e.data.threshold_pct ? `:${e.data.threshold_pct}` : ''}`);

describe('EvaluateAlerts and DeliverWebhooks (use cases)', () => {
  it('rule: 40 % -> 120 % in one pass fires 50, 80 and 100, then exhausted, each once ever', async () => {
    const { keeper, orgId, spend, receiver, storage } = await setup();
    await keeper.webhooks.create(orgId, { url: 'https://hooks.example.com/a' });
    await spend(1); // 3,760 of 10,000 = 37.6 %: nothing
    expect((await storage.alertEvents.list(orgId, { limit: 50 }, new Date())).events).toHaveLength(0);
    const pass = await spend(2); // 11,280 = 112.8 %
    expect(pass).toMatchObject({ ran: true });
    const { events } = await storage.alertEvents.list(
      orgId,
      { limit: 50 },
      keeper.configs && new Date('2026-12-16T16:00:00Z'),
    );
    const premium = events.filter(
      (e) => (e.data.line as { label: string | null } | undefined)?.label === 'premium',
    );
    expect(typesOf(premium).sort()).toEqual(
      [
        'budget.exhausted',
        'budget.threshold_crossed:100',
        'budget.threshold_crossed:50',
        'budget.threshold_crossed:80',
      ].sort(),
    );
    // The same pass again, a restart (a new keeper on the same storage), more spend: nothing new.
    const budgetEvents = events.filter((e) => e.type.startsWith('budget.')).length;
    await spend(1);
    await keeper.aggregator.runPass();
    const again = await storage.alertEvents.list(orgId, { limit: 50 }, new Date('2026-12-16T16:00:00Z'));
    expect(again.events.filter((e) => e.type.startsWith('budget.'))).toHaveLength(budgetEvents);
    expect(again.events.filter((e) => e.type === 'budget.threshold_crossed')).toHaveLength(3);
    // Delivered once each, in order of creation, with the Standard Webhooks headers.
    const report = await keeper.deliveries.runPass();
    expect(report.failed).toBe(0);
    const sent = receiver.events().filter((e) => e.type.startsWith('budget.'));
    expect(sent.map((e) => e.id).sort()).toEqual(premium.map((e) => e.id).sort());
    const r = receiver.requests[0]!;
    expect(r.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'bedrock-cost-keeper/9.9.9',
      'webhook-id': expect.stringMatching(/^evt_/),
      'webhook-timestamp': expect.stringMatching(/^\d+$/),
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
    expect(JSON.parse(r.body)).toMatchObject({ api_version: '2026-12-01', org_id: orgId });
    expect((await keeper.deliveries.runPass()).attempted).toBe(0); // nothing due twice
  });

  it('rule: a limit lowered then raised again does not re-arm a threshold fired in the period', async () => {
    const { keeper, orgId, spend, storage } = await setup({ thresholds: [50] });
    await spend(2); // 7,520 of 10,000
    const count = async () =>
      (
        await storage.alertEvents.list(
          orgId,
          { limit: 100, types: ['budget.threshold_crossed'] },
          new Date('2027-01-01T00:00:00Z'),
        )
      ).events.length;
    const first = await count();
    expect(first).toBeGreaterThan(0);
    const input = { orgName: 'Acme', timezone: 'UTC', quotaScope: 'ORG' as const };
    await keeper.provisioning.putOrg(orgId, {
      ...input,
      quotas: { premium: 1_000_000, standard: 1_000_000, economy: 1_000_000 },
      alertThresholdsPct: [50],
    });
    await spend(1);
    await keeper.provisioning.putOrg(orgId, {
      ...input,
      quotas: { premium: 10_000, standard: 1_000_000, economy: 1_000_000 },
      alertThresholdsPct: [50],
    });
    await spend(1);
    expect(await count()).toBe(first);
  });

  it('rule: the fallback of the day and every label out are events too', async () => {
    const { orgId, spend, storage } = await setup({
      quotas: { premium: 3_000, standard: 2_000, economy: 100 }, // one event exhausts each
    });
    await spend(1); // premium exhausted -> sticky advance to standard
    const types = (
      await storage.alertEvents.list(orgId, { limit: 100 }, new Date('2027-01-01T00:00:00Z'))
    ).events.map((e) => e.type);
    expect(types).toContain('model.fallback_activated');
    const fallback = (
      await storage.alertEvents.list(
        orgId,
        { limit: 100, types: ['model.fallback_activated'] },
        new Date('2027-01-01T00:00:00Z'),
      )
    ).events[0]!;
    expect(fallback.data).toMatchObject({ from_label: 'premium', to_label: 'standard', day: '2026-12-16' });
    expect(types).not.toContain('quota.all_exhausted');
    await spend(1, 'standard');
    await spend(1, 'economy');
    const all = await storage.alertEvents.list(
      orgId,
      { limit: 100, types: ['quota.all_exhausted'] },
      new Date('2027-01-01T00:00:00Z'),
    );
    expect(all.events).toHaveLength(1);
    expect(all.events[0]!.data).toMatchObject({ scope: 'ORG', day: '2026-12-16' });
    // The fallback moved on to economy: one more fallback event (once per day and label moved to).
    const fallbacks = await storage.alertEvents.list(
      orgId,
      { limit: 100, types: ['model.fallback_activated'] },
      new Date('2027-01-01T00:00:00Z'),
    );
    expect(fallbacks.events.map((e) => e.data.to_label).sort()).toEqual(['economy', 'standard']);
  });

  it('rule: a 500 is retried on the schedule with the same webhook-id; 410 disables the endpoint and tells the others', async () => {
    const { keeper, orgId, spend, receiver, clock, storage } = await setup({ thresholds: [50] });
    const failing = await keeper.webhooks.create(orgId, { url: 'https://failing.example.com/' });
    const other = await keeper.webhooks.create(orgId, {
      url: 'https://other.example.com/',
      eventTypes: ['webhook.disabled'],
    });
    receiver.answer = (url) =>
      url.includes('failing')
        ? { statusCode: 500, durationMs: 1, body: 'oops' }
        : { statusCode: 204, durationMs: 1 };
    await spend(2);
    await keeper.deliveries.runPass();
    const firstIds = receiver.requests
      .filter((r) => r.url.includes('failing'))
      .map((r) => r.headers['webhook-id']);
    expect(firstIds.length).toBeGreaterThan(0);
    expect((await keeper.deliveries.runPass()).attempted).toBe(0); // not due before 5 s
    clock.advanceSecs(5);
    await keeper.deliveries.runPass();
    const retried = receiver.requests
      .filter((r) => r.url.includes('failing'))
      .map((r) => r.headers['webhook-id']);
    expect(retried.slice(firstIds.length).sort()).toEqual([...firstIds].sort());
    const log = await keeper.webhooks.deliveries(orgId, failing.webhookId, undefined, 50);
    expect(log.deliveries[0]).toMatchObject({ status: 'pending' });
    expect(log.deliveries[0]!.attempts.map((a) => a.statusCode)).toEqual([500, 500]);
    expect(log.deliveries[0]!.attempts[0]!.responseBody).toBe('oops');
    // Next: 410 Gone disables it at once, and the other endpoint hears of it.
    receiver.answer = (url) =>
      url.includes('failing') ? { statusCode: 410, durationMs: 1 } : { statusCode: 204, durationMs: 1 };
    clock.advanceSecs(300);
    const report = await keeper.deliveries.runPass();
    expect(report.disabled).toBeGreaterThan(0);
    expect(await keeper.webhooks.get(orgId, failing.webhookId)).toMatchObject({
      enabled: false,
      disabledReason: expect.stringMatching(/410/),
    });
    await keeper.deliveries.runPass();
    expect(receiver.events().filter((e) => e.type === 'webhook.disabled')).toHaveLength(1);
    expect(receiver.requests.at(-1)!.url).toContain('other');
    void other;
    void storage;
  });

  it('rule: after the last retry a delivery is failed; five days of failures disable the endpoint', async () => {
    const { keeper, orgId, spend, receiver, clock } = await setup({ thresholds: [50] });
    const w = await keeper.webhooks.create(orgId, {
      url: 'https://down.example.com/',
      eventTypes: ['budget.threshold_crossed'],
    });
    receiver.answer = () => ({ statusCode: null, durationMs: 10_000, error: 'timed out' });
    await spend(2);
    for (const wait of [0, 5, 300, 1800, 7200, 18000, 36000, 36000]) {
      clock.advanceSecs(wait);
      await keeper.deliveries.runPass();
    }
    const log = await keeper.webhooks.deliveries(orgId, w.webhookId, undefined, 50);
    expect(log.deliveries[0]).toMatchObject({ status: 'failed' });
    expect(log.deliveries[0]!.attempts).toHaveLength(8);
    expect((await keeper.webhooks.get(orgId, w.webhookId)).enabled).toBe(true); // about 27 h of failures
    // Another event four days later still fails: past five days of failures the endpoint is disabled.
    clock.advanceSecs(4 * 86400);
    const t = await keeper.webhooks.test(orgId, w.webhookId).catch((e: unknown) => e);
    expect(t).toMatchObject({ status: 'pending' });
    expect(await keeper.webhooks.get(orgId, w.webhookId)).toMatchObject({
      enabled: false,
      disabledReason: 'every delivery failed for 5 days',
    });
  });

  it('rule: two workers never send the same attempt (claims by conditional write)', async () => {
    const { keeper, orgId, spend, receiver, storage, clock } = await setup({ thresholds: [50, 80] });
    await keeper.webhooks.create(orgId, { url: 'https://hooks.example.com/x' });
    await spend(3);
    const second = testCostKeeper({ storage, clock, alerts: { sender: receiver, owner: 'w2' } });
    await Promise.all([
      keeper.deliveries.runPass(),
      second.deliveries.runPass(),
      keeper.deliveries.runPass(),
    ]);
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(0);
  });
});

describe('spend anomaly', () => {
  it('rule: a burst at 3x the average hour of the previous 7 days fires once that day; a steady rate never', async () => {
    const clock = new FakeClock('2026-12-09T10:00:00Z');
    const storage = createMemoryAdapters();
    const keeper = testCostKeeper({ storage, clock, aggregation: { owner: 'w1' } });
    const orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'Acme',
      timezone: 'UTC',
      quotaScope: 'ORG',
      quotas: { premium: 1_000_000, standard: 1_000_000, economy: 1_000_000 },
      alertThresholdsPct: [1000],
    });
    await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
    const post = async (n: number) => {
      for (let i = 0; i < n; i++)
        await keeper.recordUsage.execute(orgId, 'chat', {
          requestId: uniqueId(),
          modelLabel: 'premium',
          bedrockModelId: 'amazon.nova-pro-v1:0',
          inputTokens: 1500,
          outputTokens: 800,
          status: 'OK',
          timestamp: clock.now().toISOString(),
        });
      await keeper.aggregator.runPass();
    };
    const anomalies = async () =>
      (await storage.alertEvents.list(orgId, { limit: 50, types: ['budget.spend_anomaly'] }, clock.now()))
        .events;
    // History: 3,760 a day for a week (an average hour of 3,760 x 7 / 168 = 157).
    for (let day = 0; day < 7; day++) {
      await post(1);
      clock.advanceSecs(24 * 3600);
    }
    expect(await anomalies()).toHaveLength(0);
    // Day 8: one event, then 4 every 10 minutes for an hour: 90,240 in the last hour.
    await post(1);
    for (let i = 0; i < 6; i++) {
      clock.advanceSecs(600);
      await post(4);
    }
    const found = await anomalies();
    expect(found).toHaveLength(1);
    expect(found[0]!.data).toMatchObject({
      line: { window: 'DAY', label: 'premium', kind: 'quota' },
      average_hourly_spend_usd_micros: 157,
      last_hour_spend_usd_micros: 90_240,
    });
    // The same burst going on later that day: no second anomaly for the line.
    for (let i = 0; i < 6; i++) {
      clock.advanceSecs(600);
      await post(4);
    }
    expect(await anomalies()).toHaveLength(1);
    // A quiet line (standard: nothing spent) never fires.
    expect(found.every((e) => (e.data.line as { label: string }).label === 'premium')).toBe(true);
  });
});

describe('forecast at risk', () => {
  it('rule: fires once when even the low end of a monthly forecast goes over the limit', async () => {
    const clock = new FakeClock('2026-12-09T10:00:00Z');
    const storage = createMemoryAdapters();
    const keeper = testCostKeeper({ storage, clock, aggregation: { owner: 'w1' } });
    const orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'Acme',
      timezone: 'UTC',
      quotaScope: 'ORG',
      quotas: { premium: 1_000_000, standard: 1_000_000, economy: 1_000_000 },
      budgets: [{ window: 'MONTH', limitUsdMicros: 40_000 }],
      alertThresholdsPct: [1000],
    });
    await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
    const atRisk = async () =>
      (await storage.alertEvents.list(orgId, { limit: 50, types: ['budget.forecast_at_risk'] }, clock.now()))
        .events;
    for (let day = 0; day < 8; day++) {
      await keeper.recordUsage.execute(orgId, 'chat', {
        requestId: uniqueId(),
        modelLabel: 'premium',
        bedrockModelId: 'amazon.nova-pro-v1:0',
        inputTokens: 1500,
        outputTokens: 800,
        status: 'OK',
        timestamp: clock.now().toISOString(),
      });
      await keeper.aggregator.runPass();
      // Fewer than 3 days of history: no forecast yet, so nothing at risk.
      if (day < 2) expect(await atRisk()).toHaveLength(0);
      clock.advanceSecs(86400);
    }
    const found = await atRisk();
    expect(found).toHaveLength(1);
    const data = found[0]!.data as { line: unknown; forecast: { low: number }; spend_usd_micros: number };
    expect(data.line).toEqual({ window: 'MONTH', label: null, kind: 'budget' });
    expect(data.forecast.low).toBeGreaterThan(40_000);
    expect(data.spend_usd_micros).toBeLessThan(40_000);
  });
});

describe('SNS channels', () => {
  it('rule: an SNS channel gets each event published once to its topic; an AWS error is a failed, retried attempt', async () => {
    const { keeper, orgId, spend, sns, clock } = await setup({ thresholds: [50] });
    const topic = 'arn:aws:sns:us-east-1:123456789012:bedrock-cost-keeper-alerts-acme';
    const ch = await keeper.webhooks.create(orgId, {
      type: 'sns',
      topicArn: topic,
      eventTypes: ['budget.threshold_crossed'],
    });
    sns.fail = new Error('AuthorizationError');
    await spend(2);
    await keeper.deliveries.runPass();
    const log = await keeper.webhooks.deliveries(orgId, ch.webhookId, undefined, 10);
    expect(log.deliveries[0]).toMatchObject({ status: 'pending' });
    expect(log.deliveries[0]!.attempts[0]).toMatchObject({ statusCode: null, error: 'AuthorizationError' });
    sns.fail = undefined;
    clock.advanceSecs(5);
    await keeper.deliveries.runPass();
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0]).toMatchObject({
      topicArn: topic,
      subject: 'Bedrock Cost Keeper: budget.threshold_crossed',
    });
    expect(JSON.parse(sns.published[0]!.message)).toMatchObject({
      type: 'budget.threshold_crossed',
      org_id: orgId,
    });
    clock.advanceSecs(600);
    await keeper.deliveries.runPass();
    expect(sns.published).toHaveLength(1);
  });
});

describe('ManageWebhooks (use case)', () => {
  it('rule: create shows a whsec_ secret once; list/get never; patch, rotate (two signatures for 24 h), delete', async () => {
    const { keeper, orgId, receiver, clock, signed } = await setup();
    const w = await keeper.webhooks.create(orgId, {
      url: 'https://hooks.example.com/a',
      format: 'slack',
      description: 'Finance',
    });
    expect(w.secret).toMatch(/^whsec_/);
    expect(w).toMatchObject({ kind: 'webhook', format: 'slack', enabled: true, eventTypes: null });
    const patched = await keeper.webhooks.update(orgId, w.webhookId, {
      eventTypes: ['budget.exhausted'],
      enabled: false,
    });
    expect(patched).toMatchObject({
      eventTypes: ['budget.exhausted'],
      enabled: false,
      format: 'slack',
      description: 'Finance',
    });
    await keeper.webhooks.update(orgId, w.webhookId, { enabled: true });
    const rotated = await keeper.webhooks.rotateSecret(orgId, w.webhookId);
    expect(rotated.secret).not.toBe(w.secret);
    await keeper.webhooks.test(orgId, w.webhookId);
    expect(receiver.requests.at(-1)!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    const slack = JSON.parse(receiver.requests.at(-1)!.body);
    expect(slack.text).toContain('Test event');
    expect(Array.isArray(slack.blocks)).toBe(true);
    clock.advanceSecs(24 * 3600 + 1);
    await keeper.webhooks.test(orgId, w.webhookId);
    expect(receiver.requests.at(-1)!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(signed.length).toBe(2);
    await keeper.webhooks.delete(orgId, w.webhookId);
    await expect(keeper.webhooks.get(orgId, w.webhookId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rule: URL rules (https, no credentials, no private addresses), field checks, at most 10 per org', async () => {
    const { keeper, orgId } = await setup();
    const fields = async (input: Record<string, unknown>) => {
      const e = await keeper.webhooks.create(orgId, input).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InvalidRequestError);
      return (e as InvalidRequestError).fields.map((f) => f.field);
    };
    expect(await fields({ url: 'http://hooks.example.com/' })).toEqual(['url']);
    expect(await fields({ url: 'https://u:p@hooks.example.com/' })).toEqual(['url']);
    expect(await fields({ url: 'https://169.254.169.254/latest' })).toEqual(['url']);
    expect(await fields({ url: 'https://[::ffff:127.0.0.1]/' })).toEqual(['url']);
    expect(
      await fields({
        url: 'https://ok.example.com/',
        format: 'xml',
        eventTypes: ['nope'],
        enabled: 'yes',
        extra: 1,
      }),
    ).toEqual(['extra', 'event_types', 'format', 'enabled']);
    expect(await fields({ type: 'sns', topicArn: 'not-an-arn' })).toEqual(['topic_arn']);
    const sns = await keeper.webhooks.create(orgId, {
      type: 'sns',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
    });
    expect(sns).toMatchObject({ kind: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' });
    for (let i = 0; i < 9; i++) await keeper.webhooks.create(orgId, { url: `https://h${i}.example.com/` });
    await expect(
      keeper.webhooks.create(orgId, { url: 'https://one-too-many.example.com/' }),
    ).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(
      keeper.webhooks.create(uniqueId(), { url: 'https://x.example.com/' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rule: events list newest first; redeliver makes a new delivery to every enabled endpoint taking the type', async () => {
    const { keeper, orgId, spend, receiver } = await setup({ thresholds: [50] });
    await keeper.webhooks.create(orgId, { url: 'https://a.example.com/' });
    await keeper.webhooks.create(orgId, {
      url: 'https://b.example.com/',
      eventTypes: ['quota.all_exhausted'],
    });
    await spend(2);
    const page = await keeper.webhooks.events(orgId, { limit: 10, types: ['budget.threshold_crossed'] });
    const e = page.events[0]!;
    const redelivered = await keeper.webhooks.redeliver(orgId, e.id);
    expect(redelivered.map((d) => d.webhookId)).toHaveLength(1);
    expect((await keeper.deliveries.runPass()).succeeded).toBe(2);
    expect(receiver.requests.filter((r) => r.headers['webhook-id'] === e.id)).toHaveLength(2);
    await expect(keeper.webhooks.redeliver(orgId, 'evt_nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});
