// TTL-expired items are ignored by reads; unavailability maps to StorageUnavailableError; the table
// bootstrap is idempotent.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { type StorageAdapters, StorageUnavailableError } from '#core-domain';
import {
  aDailyTotal,
  anAlertEvent,
  aPricingEntry,
  aStickyState,
  aUsageRecord,
  uniqueId,
} from '#core-domain/testing';
import {
  createTestTable,
  dynamoEndpoint,
  testDynamoClient,
  uniqueTableName,
} from '../../../test/dynamo/dynamo-test-client.js';
import {
  countCommands,
  createDynamoAdapters,
  createDynamoClient,
  createTableIfMissing,
  TABLE_DEFINITION,
} from './index.js';
import { isStorageUnavailable } from './errors.js';

let client: DynamoDBClient;
let tableName: string;
let s: StorageAdapters;

beforeAll(async () => {
  ({ client, tableName } = await createTestTable('ttl-errors'));
  s = createDynamoAdapters({ client, tableName });
});

afterAll(() => client?.destroy());

describe('TTL: reads ignore items whose expires_at has passed (DynamoDB deletes them lazily)', () => {
  const now = new Date();
  const nowSecs = Math.floor(now.getTime() / 1000);
  const earlier = new Date(now.getTime() - 3600_000);

  it('sticky state (get and the spend read)', async () => {
    const st = aStickyState({ expiresAt: nowSecs - 5 });
    expect(await s.sticky.advance(st, earlier)).toBe(true);
    expect(await s.sticky.get(st.scopeKey, st.day, earlier)).toEqual(st);
    expect(await s.sticky.get(st.scopeKey, st.day, now)).toBeUndefined();
    const snap = await s.spend.read(
      { scopeKey: st.scopeKey, day: st.day, totalsFor: [], liveFor: [], shardCount: 8, withSticky: true },
      now,
    );
    expect(snap.sticky).toBeUndefined();
  });

  it('daily totals in the spend read', async () => {
    const t = aDailyTotal({ expiresAt: nowSecs - 5 });
    await s.totals.put([t]);
    const snap = await s.spend.read(
      {
        scopeKey: t.scopeKey,
        day: t.day,
        totalsFor: [t.label],
        liveFor: [],
        shardCount: 8,
        withSticky: false,
      },
      now,
    );
    expect(snap.totals.size).toBe(0);
  });

  it('revoked tokens', async () => {
    const jti = uniqueId();
    await s.revocations.revoke(jti, nowSecs - 5);
    expect(await s.revocations.anyRevoked([jti], now)).toBe(false);
    expect(await s.revocations.anyRevoked([jti], earlier)).toBe(true);
    // A later revocation of the same id extends it; an earlier one never shortens it.
    await s.revocations.revoke(jti, nowSecs + 60);
    await s.revocations.revoke(jti, nowSecs - 60);
    expect(await s.revocations.anyRevoked([jti], now)).toBe(true);
  });

  it('pricing entries', async () => {
    const p = aPricingEntry({ expiresAt: nowSecs - 5 });
    await s.pricing.put([p]);
    expect(await s.pricing.find(p.day, p.bedrockModelId, undefined, now)).toEqual({});
    expect(await s.pricing.find(p.day, p.bedrockModelId, undefined, earlier)).toEqual({ global: p });
  });

  it('leases: an expired hold is free for another owner, and the item stays for the cursor', async () => {
    const name = `lease-${uniqueId()}`;
    expect((await s.lease.tryAcquire(name, 'w1', earlier, 30)).acquired).toBe(true);
    expect((await s.lease.tryAcquire(name, 'w2', now, 30)).acquired).toBe(true);
    expect((await s.lease.tryAcquire(name, 'w1', now, 30)).acquired).toBe(false);
    await s.lease.release(name, 'w2', 'cursor-1');
    await s.lease.release(name, 'w2', 'cursor-2'); // no longer the holder: ignored
    expect(await s.lease.tryAcquire(name, 'w1', now, 30)).toEqual({ acquired: true, cursor: 'cursor-1' });
    await s.lease.release(name, 'w1'); // no cursor: the previous one stays
    expect(await s.lease.tryAcquire(name, 'w3', now, 30)).toEqual({ acquired: true, cursor: 'cursor-1' });
  });
});

// ---------------------------------------------------------------------------------------------

let injected = 0;
/** Makes the next `times` matching commands fail with `error()` below the SDK's retry step. */
function injectFault(
  target: DynamoDBClient,
  error: () => Error,
  options: { command?: string; times?: number } = {},
) {
  let remaining = options.times ?? Number.POSITIVE_INFINITY;
  const attempts = { count: 0 };
  target.middlewareStack.add(
    (next, context) => async (args) => {
      if ((!options.command || context.commandName === options.command) && remaining > 0) {
        remaining--;
        attempts.count++;
        throw error();
      }
      return next(args);
    },
    { step: 'deserialize', name: `faultInjector${++injected}` },
  );
  return attempts;
}

function serviceError<T extends Error>(
  Ctor: new (opts: { message: string; $metadata: object }) => T,
  status = 400,
): T {
  return new Ctor({ message: 'injected', $metadata: { httpStatusCode: status } });
}

/** Every port method a request path uses, each expected to throw StorageUnavailableError. */
async function expectAllUnavailable(adapters: StorageAdapters): Promise<void> {
  const r = aUsageRecord();
  const now = new Date();
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['ping', () => adapters.ping()],
    ['recordOnce', () => adapters.counters.recordOnce(r)],
    ['sumShards', () => adapters.counters.sumShards({ scopeKey: r.scopeKey, label: r.label, day: r.day }, 8)],
    [
      'spend.read',
      () =>
        adapters.spend.read(
          {
            scopeKey: r.scopeKey,
            day: r.day,
            totalsFor: ['premium'],
            liveFor: ['premium'],
            shardCount: 8,
            withSticky: true,
          },
          now,
        ),
    ],
    ['getOrg', () => adapters.tenants.getOrg(uniqueId())],
    ['sticky.advance', () => adapters.sticky.advance(aStickyState(), now)],
    ['anyRevoked', () => adapters.revocations.anyRevoked([uniqueId()], now)],
    ['changedGroups', () => adapters.changeFeed.changedGroups(['2026-03-10'], undefined)],
    ['totals.put', () => adapters.totals.put([aDailyTotal()])],
    ['lease', () => adapters.lease.tryAcquire(uniqueId(), 'w', now, 30)],
    ['alertEvents.createOnce', () => adapters.alertEvents.createOnce(anAlertEvent(uniqueId()))],
    ['webhooks.list', () => adapters.webhooks.list(uniqueId())],
    ['deliveries.due', () => adapters.deliveries.due(now, 10)],
  ];
  for (const [name, call] of calls) {
    await expect(call().then(() => name)).rejects.toBeInstanceOf(StorageUnavailableError);
  }
}

describe('error mapping: unavailable storage throws StorageUnavailableError', () => {
  // Throttling, on the hot-path calls. Adaptive retry slows a throttled client down on purpose, so
  // each call gets a fresh client to keep this quick.
  it.each([
    ['ThrottlingException', () => serviceError(ThrottlingException)],
    ['ProvisionedThroughputExceededException', () => serviceError(ProvisionedThroughputExceededException)],
    ['RequestLimitExceeded', () => serviceError(RequestLimitExceeded)],
  ])('%s, after the SDK retried it', async (_name, error) => {
    const clients = [testDynamoClient({ maxAttempts: 2 }), testDynamoClient({ maxAttempts: 1 })];
    try {
      const attempts = injectFault(clients[0]!, error);
      injectFault(clients[1]!, error);
      const first = createDynamoAdapters({ client: clients[0]!, tableName });
      await expect(first.counters.recordOnce(aUsageRecord())).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(attempts.count).toBe(2); // the SDK's own retry ran first
      const second = createDynamoAdapters({ client: clients[1]!, tableName });
      await expect(
        second.spend.read(
          {
            scopeKey: `ORG#${uniqueId()}`,
            day: '2026-03-10',
            totalsFor: ['premium'],
            liveFor: ['premium'],
            shardCount: 8,
            withSticky: true,
          },
          new Date(),
        ),
      ).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('InternalServerError (500), after the SDK retried it, on every port call', async () => {
    const faulty = testDynamoClient({ maxAttempts: 2 });
    try {
      const attempts = injectFault(faulty, () => serviceError(InternalServerError, 500));
      const adapters = createDynamoAdapters({ client: faulty, tableName });
      await expect(adapters.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(attempts.count).toBe(2);
      await expectAllUnavailable(adapters);
    } finally {
      faulty.destroy();
    }
  });

  it('a closed port (connection refused)', async () => {
    const port = await closedPort();
    const dead = createDynamoClient({
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 2,
      connectionTimeoutMs: 300,
    });
    try {
      await expectAllUnavailable(createDynamoAdapters({ client: dead, tableName }));
    } finally {
      dead.destroy();
    }
  });

  it('an endpoint that accepts connections but never answers (request timeout)', async () => {
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => sockets.push(socket));
    const port = await listen(server);
    const stuck = createDynamoClient({
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
      requestTimeoutMs: 200,
    });
    try {
      const adapters = createDynamoAdapters({ client: stuck, tableName });
      await expect(adapters.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(adapters.counters.recordOnce(aUsageRecord())).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
    } finally {
      stuck.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an endpoint answering 503', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'down' }),
      );
    });
    const port = await listen(server);
    const sick = createDynamoClient({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 });
    try {
      await expectAllUnavailable(createDynamoAdapters({ client: sick, tableName }));
    } finally {
      sick.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('retries a transaction cancelled by a conflict, without double counting', async () => {
    const conflicted = testDynamoClient();
    try {
      const conflict = () =>
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: { httpStatusCode: 400 },
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
        });
      injectFault(conflicted, conflict, { command: 'TransactWriteItemsCommand', times: 2 });
      const calls = countCommands(conflicted);
      const adapters = createDynamoAdapters({ client: conflicted, tableName });
      const r = aUsageRecord();
      expect(await adapters.counters.recordOnce(r)).toEqual({ duplicate: false });
      expect(calls.byCommand()).toEqual({ TransactWriteItemsCommand: 3 });
      expect(
        (await adapters.counters.sumShards({ scopeKey: r.scopeKey, label: r.label, day: r.day }, 8)).requests,
      ).toBe(1);

      // A conflict that never clears ends as StorageUnavailableError (the event is not accepted).
      injectFault(conflicted, conflict, { command: 'TransactWriteItemsCommand' });
      await expect(adapters.counters.recordOnce(aUsageRecord())).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
    } finally {
      conflicted.destroy();
    }
  });

  it('does not hide request bugs: a validation error is not "unavailable"', () => {
    const validation = Object.assign(new Error('bad'), {
      name: 'ValidationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(isStorageUnavailable(validation)).toBe(false);
    expect(
      isStorageUnavailable(Object.assign(new Error('wrapped'), { cause: serviceError(ThrottlingException) })),
    ).toBe(true);
  });
});

describe('createTableIfMissing', () => {
  it('is idempotent, leaves the table ACTIVE with TTL on expires_at', async () => {
    const name = uniqueTableName('idempotent');
    const local = testDynamoClient();
    try {
      expect(await createTableIfMissing(local, name)).toBe(true);
      expect(await createTableIfMissing(local, name)).toBe(false);
      const table = (await local.send(new DescribeTableCommand({ TableName: name }))).Table!;
      expect(table.TableStatus).toBe('ACTIVE');
      expect(table.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['gsi1', 'gsi2']);
      const ttl = await local.send(new DescribeTimeToLiveCommand({ TableName: name }));
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(TABLE_DEFINITION.TimeToLiveAttribute);
      expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    } finally {
      local.destroy();
    }
  });

  it('leaves TTL off when asked (test tables: fake clocks, real sweeper)', async () => {
    const name = uniqueTableName('no-ttl');
    const local = testDynamoClient();
    try {
      expect(await createTableIfMissing(local, name, { ttl: false })).toBe(true);
      const ttl = await local.send(new DescribeTimeToLiveCommand({ TableName: name }));
      expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).not.toBe('ENABLED');
    } finally {
      local.destroy();
    }
  });

  it('the endpoint comes from the global setup', () => {
    expect(dynamoEndpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
