// Exactly once across processes: two adapter instances on separate DynamoDBClients submit 600
// events (25% duplicates) concurrently; the shard sums must be exact.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type RecordOutcome, type StorageAdapters, type UsageRecord } from '#core-domain';
import { aUsageRecord, uniqueId } from '#core-domain/testing';
import { createTestTable, testDynamoClient } from '../../../test/dynamo/dynamo-test-client.js';
import { countCommands, createDynamoAdapters, fnv1a32 } from './index.js';

const EVENTS = 600; // the 2,000-event run goes through the use cases in test/int/use-cases-on-dynamo.int-spec.ts
const DUPLICATE_SHARE = 0.25;
const IN_FLIGHT = 50;
const SHARDS = 8;

let clients: DynamoDBClient[] = [];
let instances: StorageAdapters[] = [];

beforeAll(async () => {
  const { client, tableName } = await createTestTable('concurrency');
  const other = testDynamoClient();
  clients = [client, other];
  instances = clients.map((c) => createDynamoAdapters({ client: c, tableName }));
});

afterAll(() => {
  for (const c of clients) c.destroy();
});

/** Runs the tasks with at most `limit` in flight. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe('recordOnce under concurrency across two adapter instances', () => {
  it(`counts ${EVENTS} events with ${DUPLICATE_SHARE * 100}% duplicates exactly`, async () => {
    const scopes = Array.from({ length: 3 }, () => {
      const orgId = uniqueId();
      return { orgId, scopeKey: `ORG#${orgId}` };
    });
    const labels = ['premium', 'economy'];
    const uniqueCount = Math.round(EVENTS * (1 - DUPLICATE_SHARE));

    // Distinct events, then duplicates of random earlier ones carrying a different cost (a duplicate
    // must answer with the cost of whichever submission won, never its own).
    let seed = 42;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const originals: UsageRecord[] = Array.from({ length: uniqueCount }, (_, i) => {
      const scope = scopes[i % scopes.length]!;
      const requestId = uniqueId();
      return aUsageRecord({
        ...scope,
        requestId,
        label: labels[i % labels.length]!,
        shard: fnv1a32(requestId) % SHARDS,
        costUsdMicros: 1000 + rand(9000),
        inputTokens: rand(5000),
        outputTokens: rand(2000),
        cacheReadInputTokens: rand(100),
        cacheWriteInputTokens: rand(50),
      });
    });
    const submissions: UsageRecord[] = [...originals];
    for (let i = uniqueCount; i < EVENTS; i++) {
      const original = originals[rand(uniqueCount)]!;
      submissions.push({
        ...original,
        costUsdMicros: original.costUsdMicros + 1 + rand(100),
        inputTokens: 1,
      });
    }
    // Shuffle so duplicates race with their originals, and alternate the two instances.
    for (let i = submissions.length - 1; i > 0; i--) {
      const j = rand(i + 1);
      [submissions[i], submissions[j]] = [submissions[j]!, submissions[i]!];
    }
    const counters = clients.map((c) => countCommands(c));
    const outcomes: RecordOutcome[] = await pool(
      submissions.map((r, i) => () => instances[i % 2]!.counters.recordOnce(r)),
      IN_FLIGHT,
    );

    // Per request id: exactly one submission won; every other one is a duplicate carrying the winner's cost.
    const winners = new Map<string, UsageRecord>();
    submissions.forEach((r, i) => {
      if (!outcomes[i]!.duplicate) {
        expect(winners.has(r.requestId)).toBe(false);
        winners.set(r.requestId, r);
      }
    });
    expect(winners.size).toBe(uniqueCount);
    let duplicates = 0;
    submissions.forEach((r, i) => {
      const o = outcomes[i]!;
      if (!o.duplicate) return;
      duplicates++;
      const winner = winners.get(r.requestId)!;
      expect(o).toEqual({
        duplicate: true,
        costUsdMicros: winner.costUsdMicros,
        shard: winner.shard,
        label: winner.label,
        day: winner.day,
      });
    });
    expect(duplicates).toBe(EVENTS - uniqueCount);

    // The shard sums of every group equal the winners' totals exactly.
    for (const scope of scopes) {
      for (const label of labels) {
        const expected = {
          costUsdMicros: 0,
          inputTokens: 0,
          outputTokens: 0,
          cacheReadInputTokens: 0,
          cacheWriteInputTokens: 0,
          requests: 0,
        };
        for (const w of winners.values()) {
          if (w.scopeKey !== scope.scopeKey || w.label !== label) continue;
          expected.costUsdMicros += w.costUsdMicros;
          expected.inputTokens += w.inputTokens;
          expected.outputTokens += w.outputTokens;
          expected.cacheReadInputTokens += w.cacheReadInputTokens;
          expected.cacheWriteInputTokens += w.cacheWriteInputTokens;
          expected.requests += 1;
        }
        const sum = await instances[0]!.counters.sumShards(
          { scopeKey: scope.scopeKey, label, day: '2026-03-10' },
          SHARDS,
        );
        expect(sum).toEqual(expected);
      }
    }
    // At least one transaction per request id and instance (copies in flight in one instance share
    // one: single flight), at most one per submission unless conflicting transactions were retried.
    const transactions = counters.reduce((n, c) => n + (c.byCommand().TransactWriteItemsCommand ?? 0), 0);
    const perInstance = new Set(submissions.map((r, i) => `${i % 2} ${r.requestId}`)).size;
    expect(transactions).toBeGreaterThanOrEqual(perInstance);
    for (const c of counters) c.detach();
  }, 90_000);
});
