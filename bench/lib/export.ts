// Export of a million usage records (analytics.md): the records written straight into the storage,
// then GET .../usage/export?format=csv through the real HTTP app (on 127.0.0.1), the body read and
// thrown away as it arrives. Each storage is measured in a fresh Node process started with
// --expose-gc (bench/export-child.ts): a full collection right before the request sets the baseline,
// then RSS and heap used are sampled every 20 ms; after the response, another full collection shows
// what the export left behind. Measured: time, records/s, bytes, RSS growth (the highest sample minus
// the baseline), heap growth at its highest and heap retained after the closing collection.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createMemoryAdapters } from '#adapters-memory';
import {
  createDynamoAdapters,
  createDynamoClient,
  createTableIfMissing,
  seedUsageRecords,
} from '#adapters-dynamo';
import { type ServiceConfig, type StorageAdapters, type UsageRecord } from '#core-domain';
import { createHttpApp } from '../../apps/http/src/http-app.js';
import { startDynamoLocal } from './dynamo.js';

export interface ExportBenchResult {
  storage: 'memory' | 'dynamodb';
  /** V8 flags of the process (besides --expose-gc). */
  nodeFlags?: string[];
  records: number;
  seedMs: number;
  exportMs: number;
  bytes: number;
  rows: number;
  rssBeforeMb: number;
  rssGrowthMb: number;
  heapBeforeMb: number;
  heapPeakGrowthMb: number;
  heapRetainedMb: number;
}

const ADMIN = `bench-admin-${randomUUID()}`;
const SECRET = `bench-jwt-${randomUUID()}-0123456789`;
const KEEP = Math.floor(Date.UTC(2100, 0, 1) / 1000);

/** Record `i` of an org: spread over the last 20 days, a few tags, one app of ten. */
function recordOf(orgId: string, i: number, now: number): UsageRecord {
  const at = new Date(now - 20 * 86_400_000 + Math.floor((i * 20 * 86_400_000) / 1_000_000)).toISOString();
  return {
    scopeKey: `ORG#${orgId}`,
    requestId: randomUUID(),
    orgId,
    appId: `app-${i % 10}`,
    label: i % 3 === 0 ? 'premium' : 'standard',
    bedrockModelId: i % 3 === 0 ? 'amazon.nova-pro-v1:0' : 'amazon.nova-lite-v1:0',
    priceSource: 'CONFIG_FALLBACK',
    priceVersion: 'config',
    day: at.slice(0, 10),
    shard: i % 8,
    status: i % 50 === 0 ? 'ERROR' : 'OK',
    timestamp: at,
    recordedAt: at,
    costUsdMicros: 1000 + (i % 997),
    inputTokens: 1000 + (i % 500),
    outputTokens: 200 + (i % 300),
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
    requests: 1,
    tags: i % 4 === 0 ? { team: `team-${i % 7}`, ticket: `INC-${i % 1000}` } : { team: 'search, "core"' },
    retainUntil: KEEP,
    expiresAt: KEEP,
    counterExpiresAt: KEEP,
  };
}

/** A full collection (the process runs with --expose-gc), twice: finalizers free more the second time. */
async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the export bench needs node --expose-gc (it runs in bench/export-child.ts)');
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
}

async function exportOnce(port: number, orgId: string, token: string, from: string, to: string) {
  await collect();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const started = performance.now();
  let bytes = 0;
  let rows = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: `/api/v1/orgs/${orgId}/usage/export?format=csv&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
          headers: { Authorization: `Bearer ${token}` },
        },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`export answered ${res.statusCode}`));
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows++;
          });
          res.on('end', resolve);
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  } finally {
    clearInterval(timer);
  }
  const exportMs = performance.now() - started;
  await collect();
  const after = process.memoryUsage();
  const mb = (n: number) => n / 2 ** 20;
  return {
    exportMs,
    bytes,
    rows,
    rssBeforeMb: mb(before.rss),
    rssGrowthMb: mb(Math.max(peakRss, after.rss) - before.rss),
    heapBeforeMb: mb(before.heapUsed),
    heapPeakGrowthMb: mb(peakHeap - before.heapUsed),
    heapRetainedMb: mb(after.heapUsed - before.heapUsed),
  };
}

async function measureOn(
  kind: 'memory' | 'dynamodb',
  storage: StorageAdapters,
  seed: (records: UsageRecord[]) => Promise<void>,
  config: ServiceConfig,
  count: number,
  log: (line: string) => void,
): Promise<ExportBenchResult> {
  const app = await createHttpApp({
    storage,
    config,
    provisioningApiKey: ADMIN,
    jwtSecret: SECRET,
    rateLimits: false,
    logLevel: 'warn',
    bcryptCost: 4,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    const orgId = randomUUID();
    const put = await fetch(`${base}/api/v1/orgs/${orgId}`, {
      method: 'PUT',
      headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ org_name: 'Bench', timezone: 'UTC', quota_scope: 'ORG' }),
    });
    const cred = ((await put.json()) as { credentials: { client_id: string; client_secret: string } })
      .credentials;
    const tok = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', ...cred }),
    });
    const token = ((await tok.json()) as { access_token: string }).access_token;
    const now = Date.now();
    const seedStart = performance.now();
    for (let i = 0; i < count; i += 20_000) {
      const part: UsageRecord[] = [];
      for (let j = i; j < Math.min(count, i + 20_000); j++) part.push(recordOf(orgId, j, now));
      await seed(part);
    }
    const seedMs = performance.now() - seedStart;
    log(`  ${kind}: ${count.toLocaleString('en-US')} records seeded in ${(seedMs / 1000).toFixed(1)} s`);
    const from = new Date(now - 21 * 86_400_000).toISOString();
    const to = new Date(now + 60_000).toISOString();
    const r = await exportOnce(port, orgId, token, from, to);
    log(
      `  ${kind}: exported ${(r.rows - 1).toLocaleString('en-US')} rows, ${(r.bytes / 2 ** 20).toFixed(0)} MB in ${(r.exportMs / 1000).toFixed(1)} s; RSS ${r.rssBeforeMb.toFixed(0)} MB before, grew ${r.rssGrowthMb.toFixed(1)} MB; heap ${r.heapBeforeMb.toFixed(0)} MB before, +${r.heapPeakGrowthMb.toFixed(1)} MB at most, +${r.heapRetainedMb.toFixed(1)} MB after a collection`,
    );
    return { storage: kind, records: count, seedMs, ...r };
  } finally {
    await app.close();
  }
}

/** Measures one storage in this process (bench/export-child.ts calls it; needs --expose-gc). */
export async function measureExportIn(
  kind: 'memory' | 'dynamodb',
  config: ServiceConfig,
  o: { records: number; log: (line: string) => void },
): Promise<ExportBenchResult> {
  if (kind === 'memory') {
    const memory = createMemoryAdapters();
    return measureOn(
      'memory',
      memory,
      async (records) => {
        for (const r of records) await memory.counters.recordOnce(r);
      },
      config,
      o.records,
      o.log,
    );
  }
  const ddb = await startDynamoLocal();
  const client = createDynamoClient({ endpoint: ddb.endpoint, region: 'us-east-1' });
  try {
    const tableName = `bench-export-${randomUUID()}`;
    await createTableIfMissing(client, tableName);
    const storage = createDynamoAdapters({ client, tableName });
    return await measureOn(
      'dynamodb',
      storage,
      (records) => seedUsageRecords(client, tableName, records),
      config,
      o.records,
      o.log,
    );
  } finally {
    client.destroy();
    await ddb.child.stop();
  }
}

/**
 * V8 flags of each row's process. DynamoDB: the heap limit the default HTTP task gets
 * (cloudformation/service.yaml sets --max-old-space-size to half the task memory, 1024 MiB by
 * default): with the host's limit (a quarter of this machine's RAM) V8 lets far more garbage pile up
 * between full collections than it would in the task. Memory: the records themselves need GBs of
 * heap, so the host's default.
 */
export const NODE_FLAGS: Record<'memory' | 'dynamodb', string[]> = {
  memory: [],
  dynamodb: ['--max-old-space-size=512'],
};

/**
 * Both storages, each in a fresh process (`node --expose-gc dist/bench/export-child.js`): the
 * memory store's records must not sit in the heap of the DynamoDB row, and a collection before the
 * baseline needs --expose-gc. The child logs to stderr and prints its result as the last stdout line.
 */
export async function measureExport(
  configFile: string,
  o: { records: number; dynamo: boolean; log: (line: string) => void },
): Promise<ExportBenchResult[]> {
  const out: ExportBenchResult[] = [];
  const script = fileURLToPath(new URL('../export-child.js', import.meta.url));
  for (const kind of o.dynamo ? (['memory', 'dynamodb'] as const) : (['memory'] as const)) {
    const child = spawn(
      process.execPath,
      ['--expose-gc', ...NODE_FLAGS[kind], script, kind, String(o.records), configFile],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      for (const line of c.toString().split('\n')) if (line.trim()) o.log(line);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const last = stdout.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !last.startsWith('{'))
      throw new Error(`export bench (${kind}) exited ${code}: ${stdout}`);
    out.push({ ...(JSON.parse(last) as ExportBenchResult), nodeFlags: NODE_FLAGS[kind] });
  }
  return out;
}
