// Two worker processes on DynamoDB Local deliver every alert event exactly once to a real local
// receiver (claims by conditional write), with valid Standard Webhooks signatures.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { uniqueId, testCostKeeper } from '#core-domain/testing';
import { createDynamoAdapters, createTableIfMissing } from '#adapters-dynamo';
import { systemClock } from '#adapters-node';
import { testDynamoClient, uniqueTableName } from '../dynamo/dynamo-test-client.js';
import { buildOnce, type Running } from '../../apps/http/test/process.js';
import { startWorkerOn, until } from './worker-process.js';

describe('alert delivery with two worker processes', () => {
  let client: DynamoDBClient;
  let tableName = '';
  let server: Server;
  let url = '';
  const got: Array<{ id: string; ts: string; sig: string; body: string }> = [];
  const workers: Running[] = [];
  beforeAll(async () => {
    buildOnce();
    client = testDynamoClient();
    tableName = uniqueTableName('alerts');
    await createTableIfMissing(client, tableName);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({
          id: String(req.headers['webhook-id']),
          ts: String(req.headers['webhook-timestamp']),
          sig: String(req.headers['webhook-signature']),
          body,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }, 240_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await new Promise<void>((r) => server.close(() => r()));
    client.destroy();
  });

  const startWorker = () => {
    const w = startWorkerOn(tableName, { WEBHOOK_ALLOW_PRIVATE: 'true' });
    workers.push(w);
    return w;
  };

  it('each event arrives once, signed, although both workers run delivery passes', async () => {
    const keeper = testCostKeeper({
      storage: createDynamoAdapters({ client, tableName }),
      clock: systemClock,
      alerts: { allowPrivate: true },
    });
    const orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'Acme',
      timezone: 'UTC',
      quotaScope: 'ORG',
      quotas: { premium: 10_000, standard: 1_000_000, economy: 1_000_000 },
      alertThresholdsPct: [50, 80, 100],
    });
    await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
    const hook = await keeper.webhooks.create(orgId, {
      url,
      eventTypes: ['budget.threshold_crossed', 'budget.exhausted'],
    });
    startWorker();
    startWorker();
    for (let i = 0; i < 3; i++) {
      await keeper.recordUsage.execute(orgId, 'chat', {
        requestId: uniqueId(),
        modelLabel: 'premium',
        bedrockModelId: 'amazon.nova-pro-v1:0',
        inputTokens: 1500,
        outputTokens: 800,
        status: 'OK',
        timestamp: new Date().toISOString(),
      });
    }
    // 11,280 of 10,000: 50, 80, 100 and exhausted.
    await until('four events delivered', () => new Set(got.map((g) => g.id)).size >= 4, 60_000);
    // Several more delivery passes of both workers: nothing arrives twice.
    await new Promise((r) => setTimeout(r, 5000));
    const ids = got.map((g) => g.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toHaveLength(4);
    const key = Buffer.from(hook.secret.slice('whsec_'.length), 'base64');
    for (const g of got) {
      const expected = createHmac('sha256', key).update(`${g.id}.${g.ts}.${g.body}`).digest('base64');
      expect(g.sig.split(' ')).toContain(`v1,${expected}`);
    }
    expect(got.map((g) => JSON.parse(g.body).type).sort()).toEqual([
      'budget.exhausted',
      'budget.threshold_crossed',
      'budget.threshold_crossed',
      'budget.threshold_crossed',
    ]);
  }, 120_000);
});
