// A client retry storm across processes: two real HTTP processes on one DynamoDB Local table get
// 450 concurrent POST usage (150 request ids, each sent 3 times, the copies of one id spread over
// both processes), 10 bursts in a row. Every answer must be 202, exactly one per id `duplicate:
// false`, every copy answered with the same cost, and the shard counters exactly the 150 events.
// The org's quotas are far above the spend (bench/lib/api.ts): the usage reads are the day total.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type StorageAdapters } from '#core-domain';
import { createDynamoAdapters, createTableIfMissing } from '#adapters-dynamo';
import { dynamoEndpoint, testDynamoClient, uniqueTableName } from '../dynamo/dynamo-test-client.js';
import { buildOnce, freePort, run, waitForHttp, type Running } from '../../apps/http/test/process.js';
import { fetchSender, provisionTenant, usagePath, type Tenant } from '../../bench/lib/api.js';

const IDS = 150;
const COPIES = 3;
const BURSTS = 10;
/** 1,500 in / 800 out on premium (config.yaml prices). */
const COST = 3760;
/** Distinct events sent first, 20 at a time, to warm DynamoDB Local's JVM (not a burst). */
const WARM_UP = 300;
const ADMIN_KEY = `burst-admin-${randomUUID()}`;
const JWT_SECRET = `burst-jwt-${randomUUID()}`;

interface Answer {
  status: number;
  duplicate?: boolean;
  cost?: number;
  code?: string;
}

describe('duplicate bursts across two HTTP processes on DynamoDB Local', () => {
  let client: DynamoDBClient;
  let storage: StorageAdapters;
  let tableName = '';
  const processes: Running[] = [];
  const bases: string[] = [];
  let tenant: Tenant;

  beforeAll(async () => {
    buildOnce();
    client = testDynamoClient();
    tableName = uniqueTableName('burst');
    await createTableIfMissing(client, tableName);
    storage = createDynamoAdapters({ client, tableName });
    for (let n = 0; n < 2; n++) {
      const port = await freePort();
      processes.push(
        run(['dist/apps/http/main.js'], {
          STORAGE: 'dynamodb',
          DYNAMODB_ENDPOINT: dynamoEndpoint(),
          TABLE_NAME: tableName,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          PROVISIONING_API_KEY: ADMIN_KEY,
          JWT_SECRET,
          WORKER: 'separate',
          RATE_LIMITS: 'off',
          LOG_LEVEL: 'warn',
          PORT: String(port),
        }),
      );
      bases.push(`http://127.0.0.1:${port}`);
    }
    for (const base of bases) await waitForHttp(`${base}/health`, 180_000);
    tenant = await provisionTenant(fetchSender(bases[0]!), ADMIN_KEY);
  }, 480_000);

  afterAll(async () => {
    for (const p of processes) await p.stop();
    client.destroy();
  });

  async function post(base: string, body: string): Promise<Answer> {
    const r = await fetch(base + usagePath(tenant), {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.accessToken}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await r.json()) as {
      duplicate?: boolean;
      processing?: { cost_usd_micros?: number };
      error?: { code?: string; message?: string };
    };
    return {
      status: r.status,
      duplicate: json.duplicate,
      cost: json.processing?.cost_usd_micros,
      code: json.error ? `${json.error.code} (${json.error.message})` : undefined,
    };
  }

  function eventBody(id: string, timestamp: string): string {
    return JSON.stringify({
      request_id: id,
      model_label: 'premium',
      bedrock_model_id: 'amazon.nova-pro-v1:0',
      input_tokens: 1500,
      output_tokens: 800,
      status: 'OK',
      timestamp,
    });
  }

  it(`${BURSTS} bursts of ${IDS * COPIES} concurrent events: all 202, ${IDS} new per burst, totals exact`, async () => {
    const summaries: string[] = [];
    // One event time for every burst: all of them land on one (scope, label, day) counter group.
    const timestamp = new Date().toISOString();
    let next = 0;
    const warm: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < WARM_UP) {
          const n = next++;
          warm.push((await post(bases[n % 2]!, eventBody(randomUUID(), timestamp))).status);
        }
      }),
    );
    expect(warm.filter((s) => s === 202)).toHaveLength(WARM_UP);
    for (let burst = 1; burst <= BURSTS; burst++) {
      const ids = Array.from({ length: IDS }, () => randomUUID());
      // Copy c of id i goes to process (i + c) % 2: every id reaches both processes, one of them twice.
      const sends: Array<{ id: string; base: string; body: string }> = [];
      for (let c = 0; c < COPIES; c++) {
        ids.forEach((id, i) =>
          sends.push({
            id,
            base: bases[(i + c) % 2]!,
            body: eventBody(id, timestamp),
          }),
        );
      }
      const answers = await Promise.all(sends.map((s) => post(s.base, s.body)));

      const statuses: Record<string, number> = {};
      for (const a of answers) {
        const k = a.status === 202 ? '202' : `${a.status} ${a.code ?? ''}`;
        statuses[k] = (statuses[k] ?? 0) + 1;
      }
      const fresh = new Map<string, number>();
      answers.forEach((a, i) => {
        if (a.status === 202 && a.duplicate === false)
          fresh.set(sends[i]!.id, (fresh.get(sends[i]!.id) ?? 0) + 1);
      });
      const summary = `burst ${burst}: ${JSON.stringify(statuses)}, ${fresh.size} ids accepted, ${[...fresh.values()].filter((n) => n > 1).length} accepted twice`;
      summaries.push(summary);
      expect(summary).toBe(`burst ${burst}: {"202":${IDS * COPIES}}, ${IDS} ids accepted, 0 accepted twice`);
      expect(answers.filter((a) => a.duplicate === false)).toHaveLength(IDS);
      expect(answers.every((a) => a.cost === COST)).toBe(true);

      // The shard counters (64: every shard an org may have) hold exactly the events accepted so far.
      const sum = await storage.counters.sumShards(
        { scopeKey: `ORG#${tenant.orgId}`, label: 'premium', day: timestamp.slice(0, 10) },
        64,
      );
      expect(sum).toMatchObject({
        requests: WARM_UP + burst * IDS,
        costUsdMicros: (WARM_UP + burst * IDS) * COST,
        inputTokens: (WARM_UP + burst * IDS) * 1500,
        outputTokens: (WARM_UP + burst * IDS) * 800,
      });
    }
    process.stdout.write(`${summaries.join('\n')}\n`);
  }, 600_000);
});
