// storage_errors_total{kind}: every failed port call tells `onStorageError` its kind, from real
// failures (a missing table on DynamoDB Local, a closed port, an endpoint that never answers, 503)
// and injected service errors; calls that succeed, and expected refusals, tell nothing.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type DynamoDBClient,
  ThrottlingException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { type StorageErrorKind, StorageUnavailableError } from '#core-domain';
import { aUsageRecord } from '#core-domain/testing';
import {
  createTestTable,
  testDynamoClient,
  uniqueTableName,
} from '../../../test/dynamo/dynamo-test-client.js';
import { createDynamoAdapters, createDynamoClient, storageErrorKind } from './index.js';

let client: DynamoDBClient;
let tableName: string;

beforeAll(async () => {
  ({ client, tableName } = await createTestTable('storage-errors'));
});
afterAll(() => client?.destroy());

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

/** The kinds told for one call on adapters over `target`. */
async function kindsOf(
  target: DynamoDBClient,
  call: (a: ReturnType<typeof createDynamoAdapters>) => Promise<unknown>,
  table = tableName,
): Promise<StorageErrorKind[]> {
  const kinds: StorageErrorKind[] = [];
  const adapters = createDynamoAdapters({
    client: target,
    tableName: table,
    onStorageError: (k) => kinds.push(k),
  });
  await call(adapters).catch(() => undefined);
  return kinds;
}

function failWith(target: DynamoDBClient, error: () => Error): void {
  target.middlewareStack.add(
    () => async () => {
      throw error();
    },
    { step: 'deserialize', name: 'storageErrorFault' },
  );
}

describe('storage errors by kind (onStorageError)', () => {
  it('nothing for calls that succeed or are refused by a condition (a duplicate usage event)', async () => {
    const record = aUsageRecord();
    expect(await kindsOf(client, (a) => a.counters.recordOnce(record))).toEqual([]);
    expect(await kindsOf(client, (a) => a.counters.recordOnce(record))).toEqual([]); // duplicate
    expect(await kindsOf(client, (a) => a.ping())).toEqual([]);
  });

  it('missing_table: the table does not exist (DynamoDB Local answers ResourceNotFoundException)', async () => {
    const kinds = await kindsOf(client, (a) => a.tenants.getOrg('o1'), uniqueTableName('missing'));
    expect(kinds).toEqual(['missing_table']);
  });

  it('network: a closed port; timeout: an endpoint that never answers; server: 503', async () => {
    const closed = createNetServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    const dead = createDynamoClient({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    expect(await kindsOf(dead, (a) => a.counters.recordOnce(aUsageRecord()))).toEqual(['network']);
    expect(await kindsOf(dead, (a) => a.ping())).toEqual(['network']);
    dead.destroy();

    const sockets: Socket[] = [];
    const silent = createNetServer((s) => sockets.push(s));
    const silentPort = await listen(silent);
    const stuck = createDynamoClient({
      endpoint: `http://127.0.0.1:${silentPort}`,
      maxAttempts: 1,
      requestTimeoutMs: 200,
    });
    expect(await kindsOf(stuck, (a) => a.tenants.getOrg('o1'))).toEqual(['timeout']);
    stuck.destroy();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));

    const sick = createHttpServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'down' }),
      );
    });
    const sickPort = await listen(sick);
    const down = createDynamoClient({ endpoint: `http://127.0.0.1:${sickPort}`, maxAttempts: 1 });
    expect(await kindsOf(down, (a) => a.tenants.getOrg('o1'))).toEqual(['server']);
    down.destroy();
    sick.closeAllConnections();
    await new Promise((r) => sick.close(r));
  });

  it('throttled and conflict (injected service errors, after the SDK retries)', async () => {
    const throttled = testDynamoClient({ maxAttempts: 1 });
    failWith(throttled, () => new ThrottlingException({ message: 'x', $metadata: { httpStatusCode: 400 } }));
    const kinds = await kindsOf(throttled, (a) => a.counters.recordOnce(aUsageRecord()));
    expect(kinds).toEqual(['throttled']);
    throttled.destroy();
    const conflicted = testDynamoClient({ maxAttempts: 1 });
    failWith(
      conflicted,
      () => new TransactionConflictException({ message: 'x', $metadata: { httpStatusCode: 400 } }),
    );
    expect(await kindsOf(conflicted, (a) => a.tenants.getOrg('o1'))).toEqual(['conflict']);
    conflicted.destroy();
  });

  it('other: a request DynamoDB refuses (a bug, not an outage), still thrown as is', async () => {
    const refused = testDynamoClient({ maxAttempts: 1 });
    failWith(refused, () =>
      Object.assign(new Error('One or more parameter values were invalid'), {
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const kinds: StorageErrorKind[] = [];
    const a = createDynamoAdapters({ client: refused, tableName, onStorageError: (k) => kinds.push(k) });
    const err = await a.tenants.getOrg('o1').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(StorageUnavailableError);
    expect(kinds).toEqual(['other']);
    refused.destroy();
  });

  it('the kind is found through wrapping errors (cause, AggregateError)', () => {
    const throttle = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    expect(storageErrorKind(new Error('wrapped', { cause: throttle }))).toBe('throttled');
    expect(storageErrorKind(new AggregateError([new Error('x'), throttle]))).toBe('throttled');
    expect(storageErrorKind(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('timeout');
    expect(storageErrorKind(new Error('nothing known'))).toBe('other');
  });
});
