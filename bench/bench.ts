// npm run bench: HTTP throughput and latency of the two hot routes (POST usage, GET model-selection),
// the product against a bare node:http FLOOR doing the same essential work (A B A B), first on memory
// storage, then on DynamoDB Local with DynamoDB calls and consumed capacity per request.
// Traffic goes to 127.0.0.1 only; every child process is stopped by its PID. Results are printed and
// written to the `## HTTP benchmarks` section of docs/performance.md.
//
// First it measures the client SDK's browser bundle (esbuild, ESM, minified, gzipped) and writes
// the `## Client SDK bundle` section.
// Knobs (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (50),
// BENCH_PAIRS (2), BENCH_ROUTES (usage,selection), BENCH_MEMORY (1; 0 skips the memory part),
// BENCH_DYNAMO (1; 0 skips the DynamoDB part), BENCH_BUNDLE (1; 0 skips the client SDK bundle size),
// BENCH_WRITE_DOCS (1; 0 leaves docs/performance.md alone), BENCH_PRODUCT_DIR (a directory with a
// built dist/apps/http/main.js to measure instead of this checkout, e.g. a scratch copy with a change),
// BENCH_ACCESS_REQUESTS (200), BENCH_DYNAMO_WARMUP (s, 5), BENCH_PRIME (s, 5: one unmeasured run per
// server and route first), BENCH_LOG_LEVEL (the product's LOG_LEVEL, default info, the service's default).
//
// The lean comparison (part `lean`): the product at LOG_LEVEL=warn against the floor, driven by a lean
// raw-socket load generator (bench/lib/lean-load.ts): closed-loop throughput at BENCH_LEAN_CONNECTIONS
// (32), then p99 latency at BENCH_LEAN_RATE (1000) req/s offered, each as BENCH_LEAN_PAIRS (3) product /
// floor pairs (A B A B ...), BENCH_LEAN_DURATION (s, 5) per run; targets: median pair ratio >= 0.5
// on both routes, and product p99 <= 2 x floor p99 at the offered load.
//
// Parts: `npm run bench -- lean` (or BENCH_PARTS=lean) runs only the named parts, any of bundle, memory,
// lean, dynamo, cost, summary, export (default: all of them). BENCH_EXPORT_RECORDS (1,000,000): the
// records exported as CSV through the HTTP app, on memory and on DynamoDB Local. BENCH_SUMMARY (1; 0 skips the 400-day usage
// summary on DynamoDB Local).
//
// The DynamoDB cost per usage event (part `cost`): BENCH_COST (1; 0 skips capacity per usage event far
// from / near the quota at 8 and 64 shards and for an APP-scope org, written to the `### DynamoDB cost per usage event` section),
// BENCH_COST_EVENTS (100).
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDynamoClient, createTableIfMissing } from '#adapters-dynamo';
import { loadServiceConfig } from '#composition';
import { measureAccess } from './lib/access.js';
import { measureSummary, writeSummaryResult } from './lib/summary.js';
import { measureExport } from './lib/export.js';
import { bundleLine, measureClientBundle, writeBundleResult } from './lib/client-bundle.js';
import { fetchSender, provisionTenant, selectionPath, usageBody, usagePath, type Tenant } from './lib/api.js';
import { javaAvailable, startDynamoLocal, type DynamoLocal } from './lib/dynamo.js';
import { runOps, storageOps } from './lib/dynamo-floor.js';
import { costLine, measureCostPerEvent, writeCostResult } from './lib/dynamo-cost.js';
import { runLoad, type LoadSpec, type RunResult } from './lib/load.js';
import { runLean, type LeanResult, type LeanSpec } from './lib/lean-load.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { freePort, spawnNode, waitForHttp, type Child } from './lib/proc.js';
import {
  accessTable,
  cpuRatio,
  LEAN_END,
  LEAN_START,
  ratio,
  ratioTable,
  runTable,
  writeResults,
  type AccessRow,
  type Pair,
} from './lib/report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_KEY = `bench-admin-${randomUUID()}`;
const JWT_SECRET = `bench-jwt-${randomUUID()}`;

function envInt(name: string, dflt: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer ${min}..${max}`);
  return n;
}

const PARTS = ['bundle', 'memory', 'lean', 'dynamo', 'cost', 'summary', 'export'] as const;
type Part = (typeof PARTS)[number];
function selectedParts(): Set<Part> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const raw = args.length ? args : (process.env.BENCH_PARTS ?? '').split(',').filter((x) => x.trim());
  const names = raw.map((x) => x.trim());
  for (const n of names) {
    if (!(PARTS as readonly string[]).includes(n))
      throw new Error(`unknown bench part ${n} (${PARTS.join(', ')})`);
  }
  return new Set((names.length ? names : PARTS) as Part[]);
}
const parts = selectedParts();

const opts = {
  durationSecs: envInt('BENCH_DURATION', 10, 1, 120),
  warmupSecs: envInt('BENCH_WARMUP', 2, 0, 60),
  /** One unmeasured run per server and route before the A B A B runs. */
  primeSecs: envInt('BENCH_PRIME', 3, 0, 60),
  // The service's default level: the per-request log line is part of what is measured.
  logLevel: process.env.BENCH_LOG_LEVEL || 'info',
  /** DynamoDB Local (a JVM) needs a longer warm-up than the Node servers. */
  dynamoWarmupSecs: envInt('BENCH_DYNAMO_WARMUP', 3, 0, 60),
  /**
   * DynamoDB Local (one JVM on the same cores) serves a few dozen usage transactions a second: at 50
   * in flight, requests queue past the SDK's 5 s request timeout and turn into 503s. 10 in flight
   * measures throughput instead of that queue.
   */
  dynamoConnections: envInt('BENCH_DYNAMO_CONNECTIONS', 10, 1, 1000),
  connections: envInt('BENCH_CONNECTIONS', 50, 1, 1000),
  pairs: envInt('BENCH_PAIRS', 2, 1, 10),
  routes: (process.env.BENCH_ROUTES ?? 'usage,selection').split(',').map((s) => s.trim()),
  memory: process.env.BENCH_MEMORY !== '0' && parts.has('memory'),
  dynamo: process.env.BENCH_DYNAMO !== '0' && parts.has('dynamo'),
  bundle: process.env.BENCH_BUNDLE !== '0' && parts.has('bundle'),
  lean: process.env.BENCH_LEAN !== '0' && parts.has('lean'),
  leanPairs: envInt('BENCH_LEAN_PAIRS', 3, 1, 20),
  leanDurationSecs: envInt('BENCH_LEAN_DURATION', 5, 1, 120),
  leanConnections: envInt('BENCH_LEAN_CONNECTIONS', 32, 1, 1000),
  leanRate: envInt('BENCH_LEAN_RATE', 1000, 10, 100_000),
  summary: process.env.BENCH_SUMMARY !== '0' && parts.has('summary'),
  export: process.env.BENCH_EXPORT !== '0' && parts.has('export'),
  exportRecords: envInt('BENCH_EXPORT_RECORDS', 1_000_000, 1000, 10_000_000),
  writeDocs: process.env.BENCH_WRITE_DOCS !== '0',
  productDir: process.env.BENCH_PRODUCT_DIR || ROOT,
  accessRequests: envInt('BENCH_ACCESS_REQUESTS', 100, 10, 10_000),
  cost: process.env.BENCH_COST !== '0' && parts.has('cost'),
  costEvents: envInt('BENCH_COST_EVENTS', 100, 10, 10_000),
};

type RouteName = 'usage' | 'selection';
const ROUTE_LABEL: Record<RouteName, string> = { usage: 'POST /usage', selection: 'GET model-selection' };

/** Says when other processes were already keeping the cores busy (the req/s figures then swing). */
function busyNote(load: number, cores: number): string {
  return load > cores ? ' (other processes were busy: req/s figures are noisy, compare CPU µs/req)' : '';
}

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function specFor(route: RouteName, baseUrl: string, t: Tenant, durationSecs = opts.durationSecs): LoadSpec {
  const auth = { authorization: `Bearer ${t.accessToken}` };
  const common = { baseUrl, connections: opts.connections, durationSecs, warmupSecs: opts.warmupSecs };
  return route === 'usage'
    ? {
        ...common,
        method: 'POST',
        path: usagePath(t),
        headers: { ...auth, 'content-type': 'application/json' },
        body: usageBody,
      }
    : { ...common, method: 'GET', path: selectionPath(t), headers: auth };
}

function printRun(r: RunResult): void {
  const flag =
    r.non2xx > 0 || r.errors > 0
      ? `  <-- ${r.non2xx} non-2xx${r.otherStatuses ? ` (${r.otherStatuses})` : ''}, ${r.errors} errors`
      : '';
  const cpu =
    r.cpuUsPerReq === undefined ? '' : `  server CPU ${r.cpuUsPerReq.toFixed(0).padStart(5)} µs/req`;
  log(
    `  ${r.route.padEnd(20)} ${r.target.padEnd(18)} ${r.reqPerSec.toFixed(0).padStart(7)} req/s` +
      `  p50 ${String(r.p50Ms).padStart(4)} ms  p99 ${String(r.p99Ms).padStart(4)} ms${cpu}${flag}`,
  );
}

async function startProduct(
  name: string,
  env: Record<string, string>,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = spawnNode(name, join(opts.productDir, 'dist/apps/http/main.js'), {
    PORT: String(port),
    RATE_LIMITS: 'off',
    LOG_LEVEL: opts.logLevel,
    PROVISIONING_API_KEY: ADMIN_KEY,
    JWT_SECRET,
    CONFIG_FILE: join(ROOT, 'config.yaml'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`, child);
  return { child, url };
}

async function startFloor(): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = spawnNode('floor', join(ROOT, 'dist/bench/floor/main.js'), {
    PORT: String(port),
    JWT_SECRET,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`, child);
  return { child, url };
}

/** Memory storage: product and floor, A B A B per route. */
async function memoryPart(): Promise<{ runs: RunResult[]; pairs: Pair[] }> {
  const runs: RunResult[] = [];
  const pairs: Pair[] = [];
  const product = await startProduct('product (memory)', { STORAGE: 'memory' });
  const floor = await startFloor().catch(async (e: unknown) => {
    await product.child.stop();
    throw e;
  });
  try {
    const tenant = await provisionTenant(fetchSender(product.url), ADMIN_KEY);
    for (const route of opts.routes as RouteName[]) {
      if (!ROUTE_LABEL[route]) throw new Error(`unknown route ${route} in BENCH_ROUTES`);
      const spec = (url: string) => specFor(route, url, tenant);
      if (opts.primeSecs > 0) {
        // A fresh process runs its first thousands of requests unoptimized (the product far more than
        // the floor: Nest, Fastify, class-validator...). Prime both once before the A B A B runs.
        await runLoad('prime', ROUTE_LABEL[route], {
          ...spec(product.url),
          durationSecs: opts.primeSecs,
          warmupSecs: 0,
        });
        await runLoad('prime', ROUTE_LABEL[route], {
          ...spec(floor.url),
          durationSecs: opts.primeSecs,
          warmupSecs: 0,
        });
      }
      for (let i = 1; i <= opts.pairs; i++) {
        const a = await runLoad('product (memory)', ROUTE_LABEL[route], spec(product.url), product.child.pid);
        printRun(a);
        const b = await runLoad('floor', ROUTE_LABEL[route], spec(floor.url), floor.child.pid);
        printRun(b);
        runs.push(a, b);
        const p = { route: ROUTE_LABEL[route], pair: i, product: a, floor: b };
        pairs.push(p);
        const c = cpuRatio(p);
        log(
          `  ${''.padEnd(20)} pair ${i}: product/floor req/s ${ratio(p).toFixed(2)}` +
            (c === undefined ? '' : `, floor CPU/req over product CPU/req ${c.toFixed(2)}`),
        );
      }
    }
  } finally {
    await product.child.stop();
    await floor.child.stop();
  }
  return { runs, pairs };
}

export interface LeanPair {
  route: string;
  pair: number;
  product: LeanResult;
  floor: LeanResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function printLean(r: LeanResult): void {
  const flag = r.non2xx > 0 || r.errors > 0 ? `  <-- ${r.non2xx} non-2xx, ${r.errors} errors` : '';
  const cpu = r.cpuUsPerReq === undefined ? '' : `  CPU ${r.cpuUsPerReq.toFixed(0).padStart(4)} µs/req`;
  log(
    `  ${r.route.padEnd(20)} ${r.target.padEnd(8)} ${r.offered ? `${r.offered} offered ` : ''}${r.reqPerSec.toFixed(0).padStart(6)} req/s` +
      `  p50 ${r.p50Ms.toFixed(2).padStart(6)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms  max ${r.maxMs.toFixed(1).padStart(6)} ms${cpu}${flag}`,
  );
}

interface LeanOutcome {
  throughput: LeanPair[];
  latency: LeanPair[];
}

/**
 * The lean comparison: product (memory, LOG_LEVEL=warn, RATE_LIMITS=off) against the floor with the
 * lean load generator; throughput pairs, then latency pairs at a fixed offered load.
 */
async function leanPart(): Promise<LeanOutcome> {
  const out: LeanOutcome = { throughput: [], latency: [] };
  const product = await startProduct('product', { STORAGE: 'memory', LOG_LEVEL: 'warn' });
  const floor = await startFloor().catch(async (e: unknown) => {
    await product.child.stop();
    throw e;
  });
  const portOf = (url: string) => Number(new URL(url).port);
  try {
    const tenant = await provisionTenant(fetchSender(product.url), ADMIN_KEY);
    for (const route of opts.routes as RouteName[]) {
      if (!ROUTE_LABEL[route]) throw new Error(`unknown route ${route} in BENCH_ROUTES`);
      const base = specFor(route, product.url, tenant);
      const spec = (url: string, rate?: number): LeanSpec => ({
        port: portOf(url),
        method: base.method,
        path: base.path,
        headers: base.headers,
        ...(base.body ? { body: base.body } : {}),
        connections: opts.leanConnections,
        durationSecs: opts.leanDurationSecs,
        warmupSecs: 1,
        ...(rate !== undefined ? { rate } : {}),
      });
      if (opts.primeSecs > 0) {
        for (const t of [product, floor]) {
          await runLean('prime', ROUTE_LABEL[route], {
            ...spec(t.url),
            durationSecs: opts.primeSecs,
            warmupSecs: 0,
          });
        }
      }
      for (const [kind, rate] of [
        ['throughput', undefined],
        ['latency', opts.leanRate],
      ] as const) {
        for (let i = 1; i <= opts.leanPairs; i++) {
          const a = await runLean('product', ROUTE_LABEL[route], spec(product.url, rate), product.child.pid);
          printLean(a);
          const b = await runLean('floor', ROUTE_LABEL[route], spec(floor.url, rate), floor.child.pid);
          printLean(b);
          const p = { route: ROUTE_LABEL[route], pair: i, product: a, floor: b };
          out[kind].push(p);
          log(
            kind === 'throughput'
              ? `  ${''.padEnd(20)} pair ${i}: product/floor req/s ${(a.reqPerSec / b.reqPerSec).toFixed(2)}`
              : `  ${''.padEnd(20)} pair ${i}: product p99 / floor p99 ${(a.p99Ms / b.p99Ms).toFixed(2)}`,
          );
        }
      }
    }
  } finally {
    await product.child.stop();
    await floor.child.stop();
  }
  return out;
}

/** Per route: the median pair ratios and whether the targets are met. */
function leanVerdicts(o: LeanOutcome): { route: string; ratio: number; p99Ratio: number; lines: string[] }[] {
  const routes = [...new Set(o.throughput.map((p) => p.route))];
  return routes.map((route) => {
    const t = o.throughput.filter((p) => p.route === route);
    const l = o.latency.filter((p) => p.route === route);
    const ratio = median(t.map((p) => p.product.reqPerSec / p.floor.reqPerSec));
    const p99Ratio = median(l.map((p) => p.product.p99Ms / p.floor.p99Ms));
    const pp99 = median(l.map((p) => p.product.p99Ms));
    const fp99 = median(l.map((p) => p.floor.p99Ms));
    return {
      route,
      ratio,
      p99Ratio,
      lines: [
        `${route}: median product/floor req/s ${ratio.toFixed(2)} (target >= 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
        `${route}: at ${opts.leanRate} req/s offered, median p99 product ${pp99.toFixed(2)} ms, floor ${fp99.toFixed(2)} ms, median pair ratio ${p99Ratio.toFixed(2)} (target <= 2: ${p99Ratio <= 2 ? 'met' : 'NOT met'})`,
      ],
    };
  });
}

function leanTable(pairs: LeanPair[], kind: 'throughput' | 'latency'): string {
  const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
  const f2 = (n: number) => n.toFixed(2);
  const lines =
    kind === 'throughput'
      ? [
          '| route | pair | product req/s | floor req/s | product/floor | product CPU µs/req | floor CPU µs/req | product p99 ms | floor p99 ms |',
          '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
        ]
      : [
          '| route | pair | product p50 ms | product p99 ms | product max ms | floor p50 ms | floor p99 ms | floor max ms | p99 product/floor |',
          '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
        ];
  for (const p of pairs) {
    const a = p.product;
    const b = p.floor;
    const bad = a.non2xx + a.errors + b.non2xx + b.errors > 0 ? ' (non-2xx or errors!)' : '';
    lines.push(
      kind === 'throughput'
        ? `| ${p.route}${bad} | ${p.pair} | ${f0(a.reqPerSec)} | ${f0(b.reqPerSec)} | ${f2(a.reqPerSec / b.reqPerSec)} | ${a.cpuUsPerReq === undefined ? '-' : f0(a.cpuUsPerReq)} | ${b.cpuUsPerReq === undefined ? '-' : f0(b.cpuUsPerReq)} | ${f2(a.p99Ms)} | ${f2(b.p99Ms)} |`
        : `| ${p.route}${bad} | ${p.pair} | ${f2(a.p50Ms)} | ${f2(a.p99Ms)} | ${f2(a.maxMs)} | ${f2(b.p50Ms)} | ${f2(b.p99Ms)} | ${f2(b.maxMs)} | ${f2(a.p99Ms / b.p99Ms)} |`,
    );
  }
  return lines.join('\n');
}

/** DynamoDB Local: product process under load, then calls and capacity per request in process. */
async function dynamoPart(): Promise<{ runs: RunResult[]; pairs: Pair[]; access: AccessRow[] } | string> {
  if (!javaAvailable())
    return 'skipped: DynamoDB Local needs Java 17+ (apt-get install -y openjdk-17-jre-headless)';
  let ddb: DynamoLocal | undefined;
  const runs: RunResult[] = [];
  const pairs: Pair[] = [];
  try {
    ddb = await startDynamoLocal();
    log(`  DynamoDB Local on ${ddb.endpoint} (pid ${ddb.child.pid})`);
    const tableName = `bench-${randomUUID()}`;
    const direct = createDynamoClient({ endpoint: ddb.endpoint, region: 'us-east-1' });
    await createTableIfMissing(direct, tableName);
    const ops = storageOps(direct, tableName);
    const product = await startProduct('product (dynamodb)', {
      STORAGE: 'dynamodb',
      DYNAMODB_ENDPOINT: ddb.endpoint,
      TABLE_NAME: tableName,
      AWS_REGION: 'us-east-1',
    });
    try {
      const tenant = await provisionTenant(fetchSender(product.url), ADMIN_KEY);
      for (const route of opts.routes as RouteName[]) {
        const spec = {
          ...specFor(route, product.url, tenant),
          connections: opts.dynamoConnections,
          warmupSecs: opts.dynamoWarmupSecs,
        };
        const a = await runLoad('product (dynamodb)', ROUTE_LABEL[route], spec, product.child.pid);
        printRun(a);
        const b = await runOps(
          'storage calls only',
          ROUTE_LABEL[route],
          ops[route],
          opts.dynamoConnections,
          opts.durationSecs,
          opts.dynamoWarmupSecs,
        );
        printRun(b);
        runs.push(a, b);
        pairs.push({ route: ROUTE_LABEL[route], pair: 1, product: a, floor: b });
        log(
          `  ${''.padEnd(20)} ratio product/storage calls only: ${ratio(pairs[pairs.length - 1]!).toFixed(2)}`,
        );
      }
    } finally {
      await product.child.stop();
      direct.destroy();
    }
    const access = await measureAccess({
      endpoint: ddb.endpoint,
      config: loadServiceConfig(join(ROOT, 'config.yaml')),
      adminKey: ADMIN_KEY,
      jwtSecret: JWT_SECRET,
      requests: opts.accessRequests,
      warmup: 10,
      concurrency: opts.connections,
    });
    return { runs, pairs, access };
  } finally {
    await ddb?.child.stop();
  }
}

/** DynamoDB capacity per usage event, far from and near the quota, at 8 and 64 shards. */
async function costPart(date: string): Promise<void> {
  log(
    `DynamoDB capacity per usage event (in process, ${opts.costEvents} events per row, ReturnConsumedCapacity=TOTAL):`,
  );
  if (!javaAvailable()) {
    log('  skipped: DynamoDB Local needs Java 17+');
    return;
  }
  const ddb = await startDynamoLocal();
  try {
    const rows = await measureCostPerEvent({
      endpoint: ddb.endpoint,
      config: loadServiceConfig(join(ROOT, 'config.yaml')),
      events: opts.costEvents,
    });
    for (const r of rows) log(`  ${costLine(r)}`);
    if (opts.writeDocs) await writeCostResult(join(ROOT, 'docs/performance.md'), rows, date);
  } finally {
    await ddb.child.stop();
  }
  log('');
}

async function main(): Promise<void> {
  const started = Date.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const machine = describeMachine();
  const date = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  log(`Bedrock Cost Keeper HTTP benchmark, ${date}`);
  log(`Machine: ${machineLine(machine)}`);
  const loadBefore = loadavg()[0]!;
  log(
    `Load average (1 min) before the bench: ${loadBefore.toFixed(2)}${busyNote(loadBefore, machine.cores)}`,
  );
  log(
    `Load: autocannon, ${opts.connections} connections, ${opts.warmupSecs} s warm-up + ${opts.durationSecs} s per run, 127.0.0.1` +
      (opts.productDir !== ROOT ? `; product from ${opts.productDir}` : ''),
  );
  log('');
  if (opts.bundle) {
    const bundle = await measureClientBundle(ROOT);
    log(`Client SDK bundle: ${bundleLine(bundle).replace(/\*\*/g, '')}`);
    if (opts.writeDocs) writeBundleResult(join(ROOT, 'docs/performance.md'), bundle, date);
    log('');
  }
  let mem: { runs: RunResult[]; pairs: Pair[] } = { runs: [], pairs: [] };
  if (opts.memory) {
    log(
      `Memory storage (STORAGE=memory, RATE_LIMITS=off, LOG_LEVEL=${opts.logLevel}), product vs floor, ` +
        `${opts.primeSecs} s priming each, then A B A B:`,
    );
    mem = await memoryPart();
    log('');
  }
  let lean: LeanOutcome | undefined;
  if (opts.lean) {
    log(
      `Lean comparison: product (STORAGE=memory, RATE_LIMITS=off, LOG_LEVEL=warn) vs floor, lean load generator, ` +
        `${opts.leanConnections} connections, ${opts.leanPairs} pairs of ${opts.leanDurationSecs} s runs, then ${opts.leanRate} req/s offered:`,
    );
    lean = await leanPart();
    log('');
    for (const v of leanVerdicts(lean)) for (const line of v.lines) log(line);
    log('');
  }
  let dyn: Awaited<ReturnType<typeof dynamoPart>> | undefined;
  if (opts.dynamo) {
    log(
      `DynamoDB Local (STORAGE=dynamodb, in-memory DynamoDB Local), ${opts.dynamoConnections} connections, ` +
        `${opts.dynamoWarmupSecs} s warm-up + ${opts.durationSecs} s per run:`,
    );
    dyn = await dynamoPart();
    if (typeof dyn === 'string') log(`  ${dyn}`);
    else {
      log('  DynamoDB access per request (in process, warm caches; in flight 1 = sequential):');
      for (const a of dyn.access) {
        log(
          `  ${a.route.padEnd(20)} in flight ${String(a.inFlight).padStart(2)}: ${a.callsPerRequest.toFixed(2)} calls/req ${JSON.stringify(a.byCommand)}` +
            `  RCU/req ${a.rcuPerRequest.toFixed(2)}  WCU/req ${a.wcuPerRequest.toFixed(2)}  failed ${a.failed}  cold: ${a.coldCalls} calls`,
        );
      }
    }
    log('');
  }
  if (opts.cost) await costPart(date);
  if (opts.export) {
    log(`Export of ${opts.exportRecords.toLocaleString('en-US')} usage records as CSV through the HTTP app:`);
    const results = await measureExport(join(ROOT, 'config.yaml'), {
      records: opts.exportRecords,
      dynamo: javaAvailable(),
      log,
    });
    if (opts.writeDocs) {
      const md = [
        `Last run: ${date}, on ${machineLine(machine)}, load average (1 min) ${loadavg()[0]!.toFixed(2)} at the end${busyNote(loadavg()[0]!, machine.cores)}.`,
        '',
        'Each storage in a fresh process (`node --expose-gc`), a full collection before the baseline and after the response.',
        '',
        '| storage | V8 flags | records | seeding | export | rows/s | file | RSS before | RSS growth (target < 50 MB) | heap before | heap growth at most | heap retained after |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...results.map(
          (r) =>
            `| ${r.storage} | ${r.nodeFlags?.length ? r.nodeFlags.map((f) => `\`${f}\``).join(' ') : 'defaults'} | ${r.records.toLocaleString('en-US')} | ${(r.seedMs / 1000).toFixed(1)} s | ${(r.exportMs / 1000).toFixed(1)} s | ${Math.round((r.rows - 1) / (r.exportMs / 1000)).toLocaleString('en-US')} | ${(r.bytes / 2 ** 20).toFixed(0)} MB | ${r.rssBeforeMb.toFixed(0)} MB | **${r.rssGrowthMb.toFixed(1)} MB** | ${r.heapBeforeMb.toFixed(0)} MB | ${r.heapPeakGrowthMb.toFixed(1)} MB | ${r.heapRetainedMb.toFixed(1)} MB |`,
        ),
      ];
      await writeResults(join(ROOT, 'docs/performance.md'), md.join('\n'), {
        start: '<!-- bench:export:start (written by npm run bench) -->',
        end: '<!-- bench:export:end -->',
      });
    }
    log('');
  }
  if (opts.summary) {
    log('Usage summary over 400 days from rollups (DynamoDB Local, 100 apps x 3 labels every day):');
    if (!javaAvailable()) log('  skipped: DynamoDB Local needs Java 17+');
    else {
      const r = await measureSummary(loadServiceConfig(join(ROOT, 'config.yaml')), { log });
      if (opts.writeDocs)
        writeSummaryResult(
          join(ROOT, 'docs/performance.md'),
          r,
          date,
          `${machineLine(machine)}, load average (1 min) ${loadavg()[0]!.toFixed(2)} at the end${busyNote(loadavg()[0]!, machine.cores)}`,
        );
    }
    log('');
  }
  const usagePairs = mem.pairs.filter((p) => p.route === ROUTE_LABEL.usage);
  const worst = usagePairs.length ? Math.min(...usagePairs.map(ratio)) : NaN;
  const cpuRatios = usagePairs.map(cpuRatio).filter((c): c is number => c !== undefined);
  if (usagePairs.length) {
    log(
      `POST /usage product/floor req/s: ${usagePairs.map((p) => ratio(p).toFixed(2)).join(', ')} (target >= 0.50)` +
        (cpuRatios.length
          ? `; floor CPU/req over product CPU/req: ${cpuRatios.map((c) => c.toFixed(2)).join(', ')}`
          : ''),
    );
  }
  const loadAfter = loadavg()[0]!;
  const bad = [...mem.runs, ...(dyn && typeof dyn !== 'string' ? dyn.runs : [])].filter(
    (r) => r.non2xx > 0 || r.errors > 0,
  );
  if (bad.length) log(`WARNING: ${bad.length} run(s) had non-2xx answers or errors (see the tables)`);
  log(`Load average (1 min) after the bench: ${loadAfter.toFixed(2)}`);
  log(`Total bench time ${Math.round((Date.now() - started) / 1000)} s`);

  if (opts.writeDocs && lean) {
    const md = [
      `Last run: ${date}, on ${machineLine(machine)}. Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after${busyNote(loadBefore, machine.cores)}.`,
      '',
      `Product: \`STORAGE=memory\`, \`RATE_LIMITS=off\`, \`LOG_LEVEL=warn\`` +
        (opts.productDir !== ROOT ? `, built from \`${opts.productDir}\`` : '') +
        `; floor: bench/floor. Load: the lean load generator (bench/lib/lean-load.ts), ${opts.leanConnections} connections, one request in flight each, 1 s warm-up then ${opts.leanDurationSecs} s per run, product and floor alternating (A B A B ...), ${opts.leanPairs} pairs per route and mode, each server primed ${opts.primeSecs} s per route first.`,
      '',
      'Throughput (closed loop):',
      '',
      leanTable(lean.throughput, 'throughput'),
      '',
      `Latency at ${opts.leanRate} req/s offered (open loop; latency counted from when a request was due):`,
      '',
      leanTable(lean.latency, 'latency'),
      '',
      ...leanVerdicts(lean).flatMap((v) => v.lines.map((l) => `- ${l}`)),
    ];
    await writeResults(join(ROOT, 'docs/performance.md'), md.join('\n'), {
      start: LEAN_START,
      end: LEAN_END,
    });
  }
  if (opts.writeDocs && (mem.runs.length || dyn !== undefined)) {
    const md: string[] = [
      `Last run: ${date}, on ${machineLine(machine)}. Load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after${busyNote(loadBefore, machine.cores)}.`,
      '',
      `Load: autocannon, ${opts.connections} connections, pipelining 1, ${opts.warmupSecs} s warm-up then ${opts.durationSecs} s per run, ` +
        'load generator, product and floor on the same machine (127.0.0.1). POST /usage sends a fresh `request_id` per request.' +
        (opts.productDir !== ROOT ? ` Product built from \`${opts.productDir}\`.` : ''),
      '',
    ];
    if (mem.runs.length) {
      md.push(
        `**Memory storage** (\`STORAGE=memory\`, \`RATE_LIMITS=off\`, \`LOG_LEVEL=${opts.logLevel}\`); each server first primed for ${opts.primeSecs} s per route (unmeasured), then runs in A B A B order:`,
        '',
        runTable(mem.runs),
        '',
        'Ratios (product req/s over floor req/s, per adjacent pair):',
        '',
        ratioTable(mem.pairs),
        '',
      );
    }
    if (usagePairs.length) {
      md.push(
        `POST /usage: lowest req/s ratio ${worst.toFixed(2)} (target >= 0.50): ${worst >= 0.5 ? 'met' : 'NOT met'}` +
          (cpuRatios.length
            ? `; CPU-per-request ratio ${cpuRatios.map((c) => c.toFixed(2)).join(', ')} (the figure that other processes on the machine disturb least).`
            : '.'),
        '',
      );
    }
    if (dyn !== undefined) {
      md.push('**DynamoDB Local** (`STORAGE=dynamodb`, DynamoDB Local in memory on the same machine):', '');
      if (typeof dyn === 'string') md.push(dyn, '');
      else {
        md.push(
          `Product process under autocannon (${opts.dynamoConnections} connections, ${opts.dynamoWarmupSecs} s warm-up, ${opts.durationSecs} s), then "storage calls only": the same DynamoDB calls per request sent straight through the SDK with ${opts.dynamoConnections} in flight (bench/lib/dynamo-floor.ts), the ceiling DynamoDB Local allows on this machine:`,
          '',
          runTable(dyn.runs),
          '',
          ratioTable(dyn.pairs, 'storage calls only'),
          '',
          `DynamoDB calls and consumed capacity per request (in process through Fastify inject, ${opts.accessRequests} requests per route after a warm-up, first one at a time, then ${opts.connections} in flight; ReturnConsumedCapacity=TOTAL on every call, capacity as DynamoDB Local reports it; "cold" is the first request of a fresh tenant):`,
          '',
          accessTable(dyn.access),
          '',
        );
      }
    }
    const file = join(ROOT, 'docs/performance.md');
    await writeResults(file, md.join('\n').trimEnd());
    log(`Wrote the results to ${file}`);
  }
}

await main();
