// `npm run soak` (not in CI): two HTTP processes and one worker on an in-memory DynamoDB Local, N usage
// events (default 100,000; 10 % duplicates) sent as fast as bounded concurrency allows, memory sampled
// throughout, then the aggregated totals checked exactly. Prints a summary and writes it to the
// `## Soak` section of docs/performance.md. Every child is stopped by its own PID, also on failure.
//
// Flags: --events N (100000), --concurrency N (64), --sample-secs N (2), --no-docs.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appTotals, provision, sendUsage, waitForAggregation } from './soak/load.js';
import { growthVerdict, liveHeapOf, machineCpuSecs, MemorySampler, type Sample } from './soak/memory.js';
import { soakSection, summaryMarkdown, totalsExact, writeSoakSection } from './soak/report.js';
import { createTable, startApps, startDynamoLocal, type Child } from './soak/stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGGREGATION_INTERVAL_SECS = 5;
const TABLE = 'bck-soak';
const DEFAULT_EVENTS = 100_000;

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer`);
  return v;
}

const log = (line = '') => process.stdout.write(`${line}\n`);

/** The live heap of each Node child, read at the same moment. */
async function liveHeaps(children: Child[]): Promise<Map<string, number | undefined>> {
  const values = await Promise.all(children.map((c) => liveHeapOf(c)));
  return new Map(children.map((c, i) => [c.name, values[i]]));
}

/** CPU seconds a process used between the first sample and the last one within the load. */
function cpuDuring(samples: Sample[], loadSecs: number): number {
  const within = samples.filter((s) => s.cpuSecs !== undefined && s.t <= loadSecs + 0.5);
  return within.length < 2 ? 0 : within.at(-1)!.cpuSecs! - within[0]!.cpuSecs!;
}

async function main(): Promise<number> {
  const events = flag('--events', DEFAULT_EVENTS);
  const concurrency = flag('--concurrency', 64);
  const sampleSecs = flag('--sample-secs', 2);
  const writeDocs = !process.argv.includes('--no-docs');
  const children: Child[] = [];
  const probeDir = mkdtempSync(join(tmpdir(), 'bck-soak-'));
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      // Apps first (they use the table), DynamoDB Local last; each by its own PID.
      for (const c of [...children].reverse()) {
        const code = await c.stop();
        log(`stopped ${c.name} (pid ${c.pid}, exit ${code ?? 'by signal'})`);
      }
      rmSync(probeDir, { recursive: true, force: true });
    })());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`${signal}: stopping the children`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log('starting DynamoDB Local (in memory)');
    const dynamo = await startDynamoLocal();
    children.push(dynamo.child);
    await createTable(dynamo.endpoint, TABLE);
    log(`DynamoDB Local on ${dynamo.endpoint} (pid ${dynamo.child.pid}), table ${TABLE}`);
    const stack = await startApps(
      {
        root: ROOT,
        endpoint: dynamo.endpoint,
        tableName: TABLE,
        probeUrl: new URL('./soak/memory-probe.js', import.meta.url).href,
        probeDir,
        aggregationIntervalSecs: AGGREGATION_INTERVAL_SECS,
      },
      (c) => children.push(c),
    );
    for (const c of stack.children) log(`${c.name}: pid ${c.pid}`);
    const bases = stack.https.map((h) => h.baseUrl);
    const tenant = await provision(bases[0]!, stack.adminKey);
    await tenant.auth();
    log(
      `org ${tenant.orgId}, app ${tenant.appId}: sending ${events.toLocaleString('en-US')} events, ${concurrency} in flight`,
    );

    let loadStart = performance.now();
    // Node processes first (the table's column order), DynamoDB Local last.
    const sampler = new MemorySampler([...stack.children, dynamo.child], () => loadStart);
    loadStart = performance.now();
    sampler.start(sampleSecs * 1000);
    const machineAtStart = machineCpuSecs();
    const driverAtStart = process.cpuUsage();
    const checkpoints: Array<Promise<Map<string, number | undefined>>> = [];
    let load;
    try {
      load = await sendUsage({
        events,
        duplicateShare: 0.1,
        concurrency,
        bases,
        tenant,
        progressEverySecs: 15,
        stopped: () => interrupted,
        onSent: (sent) => {
          // Live heap checkpoints at 25, 50 and 75 % of the events (100 %: after the load).
          const k = checkpoints.length + 1;
          if (k <= 3 && sent >= (events * k) / 4) checkpoints.push(liveHeaps(stack.children));
        },
        progress: (done, secs, errors) =>
          log(
            `  ${done.toLocaleString('en-US')} sent in ${secs.toFixed(0)} s (${(done / secs).toFixed(0)}/s), ${errors} errors`,
          ),
      });
    } finally {
      sampler.sampleNow();
    }
    checkpoints.push(liveHeaps(stack.children));
    const heaps = await Promise.all(checkpoints);
    const machineAtEnd = machineCpuSecs();
    const driver = process.cpuUsage(driverAtStart);
    const loadSecs = load.durationSecs;
    log(`load done: ${load.sent} in ${loadSecs.toFixed(1)} s; waiting for the aggregation to catch up`);
    const aggregation = await waitForAggregation(() => appTotals(bases[1]!, tenant, load.days), {
      everySecs: 2,
      stableSecs: 3 * AGGREGATION_INTERVAL_SECS,
      timeoutSecs: 300,
    });
    sampler.stop();
    sampler.sampleNow(); // idle, after the catch-up

    const nodeNames = stack.children.map((c) => c.name);
    const report = {
      setup:
        `${events.toLocaleString('en-US')} events, ${concurrency} in flight, on ${availableParallelism()} cores ` +
        `(${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ` +
        `${new Date().toISOString().slice(0, 10)}; the load generator, both HTTP processes, the worker and ` +
        `DynamoDB Local share the machine.` +
        (events === DEFAULT_EVENTS
          ? ''
          : ` Recorded with \`--events ${events}\`: the default of ` +
            `${DEFAULT_EVENTS.toLocaleString('en-US')} would take about ` +
            `${Math.round(DEFAULT_EVENTS / (load.sent / load.durationSecs) / 60)} minutes at this rate.`),
      events,
      concurrency,
      load,
      totals: aggregation.totals,
      aggregation,
      samples: sampler.samples,
      loadSecs,
      sampleSecs,
      verdicts: nodeNames.map((n) =>
        growthVerdict(
          n,
          sampler.samples.get(n)!,
          loadSecs,
          heaps.map((h) => h.get(n)),
        ),
      ),
      infoOnly: [dynamo.child.name],
      cpu: {
        children: [...sampler.samples.entries()].map(([name, xs]) => ({
          name,
          secs: cpuDuring(xs, loadSecs),
        })),
        driverSecs: (driver.user + driver.system) / 1e6,
        ...(machineAtStart !== undefined && machineAtEnd !== undefined
          ? { machineSecs: machineAtEnd - machineAtStart }
          : {}),
        cores: availableParallelism(),
      },
    };
    const summary = summaryMarkdown(report);
    log('');
    log(summary);
    log('');
    if (writeDocs) {
      const command = events === DEFAULT_EVENTS ? 'npm run soak' : `npm run soak -- --events ${events}`;
      await writeSoakSection(join(ROOT, 'docs/performance.md'), soakSection(summary, command));
      log('written to docs/performance.md (## Soak)');
    }
    const ok =
      totalsExact(report) && load.errors.size === 0 && report.verdicts.every((v) => v.stoppedGrowing);
    return ok ? 0 : 1;
  } catch (e) {
    for (const c of children) {
      if (c.exitCode() !== null) log(`${c.name} exited with ${c.exitCode()}:\n${c.output().slice(-4000)}`);
    }
    throw e;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
