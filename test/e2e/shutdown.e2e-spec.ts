// Graceful stops: the HTTP app drains in-flight requests; a second worker takes over the aggregation
// once the lease of a killed holder expires.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type StorageAdapters } from '#core-domain';
import { uniqueId } from '#core-domain/testing';
import { createMemoryAdapters } from '#adapters-memory';
import { createTableIfMissing } from '#adapters-dynamo';
import { testDynamoClient, uniqueTableName } from '../dynamo/dynamo-test-client.js';
import { provision, startApp, tokens } from '../../apps/http/test/harness.js';
import { buildOnce, type Running } from '../../apps/http/test/process.js';
import { startWorkerOn, until } from './worker-process.js';

describe('draining', () => {
  it('a request in flight when the app closes still completes', async () => {
    const memory = createMemoryAdapters();
    let enter: () => void = () => undefined;
    let release: () => void = () => undefined;
    const entered = new Promise<void>((r) => (enter = r));
    const gate = new Promise<void>((r) => (release = r));
    let gated = false;
    const storage: StorageAdapters = {
      ...memory,
      counters: {
        ...memory.counters,
        recordOnce: async (record) => {
          if (gated) {
            enter();
            await gate;
          }
          return memory.counters.recordOnce(record);
        },
      },
    };
    const h = await startApp('memory', { storage });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.getHttpServer().address() as { port: number };
    const p = await provision(h);
    const t = await tokens(h, p.apps.chat!);
    gated = true;
    const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/orgs/${p.orgId}/apps/chat/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.access}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        request_id: uniqueId(),
        model_label: 'premium',
        bedrock_model_id: 'm',
        input_tokens: 1,
        output_tokens: 1,
        status: 'OK',
        timestamp: h.clock.now().toISOString(),
      }),
    });
    await entered;
    const closing = h.app.close(); // what SIGTERM does (apps/http/src/main.ts)
    release();
    const r = await inFlight;
    expect(r.status).toBe(202);
    await closing;
  });
});

describe('worker takeover', () => {
  let client: DynamoDBClient;
  let tableName = '';
  const workers: Running[] = [];
  beforeAll(async () => {
    buildOnce();
    client = testDynamoClient();
    tableName = uniqueTableName('takeover');
    await createTableIfMissing(client, tableName);
  }, 240_000);
  afterAll(async () => {
    for (const w of workers) await w.stop();
    client.destroy();
  });

  const startWorker = () => {
    const w = startWorkerOn(tableName);
    workers.push(w);
    return w;
  };
  const passes = (w: Running) =>
    w
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"msg":"aggregation pass"')).length;
  it('a second worker takes over after the lease holder is killed, and SIGTERM stops a worker cleanly', async () => {
    const first = startWorker();
    await until('the first pass', () => passes(first) > 0, 30_000);
    const second = startWorker();
    await until('the second worker to start', () => second.stdout().includes('worker started'), 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(passes(second)).toBe(0); // the lease is held
    first.proc.kill('SIGKILL'); // dies holding the lease
    const killedAt = Date.now();
    await until('the takeover', () => passes(second) > 0, 40_000);
    expect(Date.now() - killedAt).toBeLessThan(40_000);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(second.stdout()).toContain('worker stopping');
  }, 120_000);
});
