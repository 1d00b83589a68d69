// `npm run simulate`: the quota-overrun simulation (see docs/performance.md, "Overrun simulation").
// Each scenario runs one org day twice on a virtual clock, with the TIGHT live-spend path ON and OFF;
// then what-if variants and a seed spread (every scenario, every label, 12 seeds by default). The
// last two lines are the largest quota left unused by a label given up and the largest overrun, over
// the main runs and the spread, live path ON. Runs are independent: they share a pool of worker threads
// (`--workers N`, default: the number of cores) and every figure is the same whatever the pool size.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { testServiceConfig } from './simulation/kit.js';
import {
  maxOverrunPct,
  maxUnusedPct,
  scenarioTable,
  seedSpreadTable,
  spreadTable,
  whatIfTable,
} from './simulation/report.js';
import { burstScenario, dayScenario, firstHours, type Scenario } from './simulation/scenario.js';
import { runSimulation, type SimulationResult } from './simulation/simulator.js';

const SEED = 20260310;

/** What-if variants: plain data laid over a base scenario. */
const VARIANTS = {
  onDemand: { refresh: 'on-demand' },
  threshold80: { orgOverrides: { tightModeThresholdPct: 80 } },
  // The tight interval before it became 10 s by default (60 s; docs/performance.md).
  tight60: { orgOverrides: { refreshIntervalTightSecs: 60 } },
  // Emulates a domain change: TIGHT means "check (with forceCheck) before each call".
  checkEachCall: { client: { tightCacheSecs: 0, forceWhenTight: true } },
  // The client before the TIGHT rule: a usage response that says TIGHT does not end a NORMAL cache.
  noTightRule: { client: { reselectOnTight: false } },
  // Clients that do not send latency_ms: no in-flight estimate, a label turns EXCEEDED at its quota.
  noLatency: { client: { sendLatency: false } },
} satisfies Record<string, Partial<Scenario>>;

interface Job {
  id: number;
  base: 'a' | 'b' | 'c';
  variant?: keyof typeof VARIANTS;
  /** Traffic stops this many hours after it starts (premium-only questions). */
  hours?: number;
  livePath: boolean;
  seed: number;
}

function baseScenarios(): Record<Job['base'], Scenario> {
  const prices = Object.fromEntries(Object.entries(testServiceConfig().labels).map(([k, v]) => [k, v.price]));
  const title = (minutes: string) => `50 clients exhaust the $10 premium quota in about ${minutes}`;
  return {
    a: burstScenario(prices, { key: 'a', title: title('one hour'), clients: 50, exhaustSecs: 3600 }),
    b: burstScenario(prices, { key: 'b', title: title('ten minutes'), clients: 50, exhaustSecs: 600 }),
    c: dayScenario(prices, {
      key: 'c',
      title: '500 clients over a whole day, three labels (office-hours load)',
      clients: 500,
    }),
  };
}

function scenarioOf(job: Job, bases: Record<Job['base'], Scenario>): Scenario {
  let s: Scenario = job.variant ? { ...bases[job.base], ...VARIANTS[job.variant] } : bases[job.base];
  if (job.hours !== undefined) s = firstHours(s, job.hours);
  return s;
}

type JobResult = Omit<SimulationResult, 'scenario'>;

async function runJob(job: Job, bases: Record<Job['base'], Scenario>): Promise<JobResult> {
  const { scenario: _scenario, ...rest } = await runSimulation(scenarioOf(job, bases), {
    livePath: job.livePath,
    seed: job.seed,
  });
  return rest;
}

/** Runs the jobs on `workers` threads (in this thread when 1); results come back in job order. */
async function runAll(jobs: Job[], workers: number): Promise<SimulationResult[]> {
  const bases = baseScenarios();
  const results = new Map<number, JobResult>();
  if (workers <= 1) {
    for (const job of jobs) results.set(job.id, await runJob(job, bases));
  } else {
    // The costliest jobs first (scenario c), so the pool finishes together.
    const queue = [...jobs].sort((x, y) => Number(y.base === 'c') - Number(x.base === 'c'));
    await Promise.all(
      Array.from({ length: Math.min(workers, jobs.length) }, async () => {
        const worker = new Worker(new URL(import.meta.url));
        try {
          for (let job = queue.shift(); job; job = queue.shift()) {
            const current = job;
            const result = await new Promise<JobResult>((resolve, reject) => {
              worker.once('message', resolve);
              worker.once('error', reject);
              worker.postMessage(current);
            });
            worker.removeAllListeners('error');
            results.set(current.id, result);
          }
        } finally {
          await worker.terminate();
        }
      }),
    );
  }
  return jobs.map((job) => ({ ...results.get(job.id)!, scenario: scenarioOf(job, bases) }));
}

function argValue(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

async function main(): Promise<void> {
  const started = performance.now();
  const workers = argValue('--workers') ?? availableParallelism();
  /** `--seeds N`: how many seeds the spread section runs (the main seed first). */
  const spreadSeeds = argValue('--seeds') ?? 12;
  const jobs: Job[] = [];
  const add = (job: Omit<Job, 'id'>) => {
    jobs.push({ ...job, id: jobs.length });
    return jobs.length - 1;
  };

  const main = (['a', 'b', 'c'] as const).map((base) => ({
    on: add({ base, livePath: true, seed: SEED }),
    off: add({ base, livePath: false, seed: SEED }),
  }));
  // What-ifs, live path ON, premium only: traffic stops two hours after it starts, well after premium
  // is exhausted, so premium's figures equal the full-day runs. Not part of the max.
  const whatIf: Array<{ name: string; id: number }> = [
    { name: '(a) as above: timer refresh', id: add({ base: 'a', hours: 2, livePath: true, seed: SEED }) },
    {
      name: '(a) clients without latency_ms (no in-flight estimate)',
      id: add({ base: 'a', variant: 'noLatency', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(a) on-demand refresh (HTTP cache style)',
      id: add({ base: 'a', variant: 'onDemand', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(a) client without the TIGHT rule (re-select on EXCEEDED only)',
      id: add({ base: 'a', variant: 'noTightRule', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(a) config: tight refresh 60 s (the former default)',
      id: add({ base: 'a', variant: 'tight60', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(a) config: tight threshold 80 %',
      id: add({ base: 'a', variant: 'threshold80', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(a) what-if: check before each call while TIGHT',
      id: add({ base: 'a', variant: 'checkEachCall', hours: 2, livePath: true, seed: SEED }),
    },
    { name: '(b) as above: timer refresh', id: add({ base: 'b', hours: 2, livePath: true, seed: SEED }) },
    {
      name: '(b) clients without latency_ms (no in-flight estimate)',
      id: add({ base: 'b', variant: 'noLatency', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(b) client without the TIGHT rule (re-select on EXCEEDED only)',
      id: add({ base: 'b', variant: 'noTightRule', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(b) config: tight refresh 60 s (the former default)',
      id: add({ base: 'b', variant: 'tight60', hours: 2, livePath: true, seed: SEED }),
    },
    {
      name: '(b) what-if: check before each call while TIGHT',
      id: add({ base: 'b', variant: 'checkEachCall', hours: 2, livePath: true, seed: SEED }),
    },
  ];
  // Every scenario, live path ON, over several seeds (the main seed's runs first): every label.
  const spread = (['a', 'b', 'c'] as const).map((base, k) => ({
    name: `(${base})`,
    ids: [
      main[k]!.on,
      ...Array.from({ length: spreadSeeds - 1 }, (_, i) => add({ base, livePath: true, seed: SEED + 1 + i })),
    ],
  }));
  // The premium windows without the in-flight estimate and OFF over the same seeds, for comparison.
  const premiumSpread: Array<{ name: string; ids: number[] }> = [];
  for (const base of ['a', 'b'] as const) {
    for (const [name, job] of [
      [`(${base}) without latency_ms`, { variant: 'noLatency' as const, livePath: true }],
      [`(${base})`, { livePath: false }],
    ] as const) {
      const ids: number[] = [];
      for (let i = 0; i < spreadSeeds; i++) ids.push(add({ base, hours: 2, ...job, seed: SEED + i }));
      premiumSpread.push({ name, ids });
    }
  }

  const results = await runAll(jobs, workers);
  const r = (id: number) => results[id]!;

  for (const { on, off } of main) {
    console.log(scenarioTable([r(on), r(off)]));
    console.log('');
  }
  console.log('### What-if: premium, live path ON (first two hours of traffic)');
  console.log('');
  console.log(
    whatIfTable(
      'premium',
      whatIf.map(({ name, id }) => ({ name, run: r(id) })),
    ),
  );
  console.log('');
  const seeds = `seeds ${SEED} to ${SEED + spreadSeeds - 1}`;
  console.log(`### Seed spread: every label, live path ON, whole days, ${seeds}`);
  console.log('');
  console.log(spreadTable(spread.map(({ name, ids }) => ({ name, runs: ids.map(r) }))));
  console.log('');
  console.log(`### Seed spread: premium overrun without the in-flight estimate, ${seeds} (first two hours)`);
  console.log('');
  console.log(
    seedSpreadTable(
      'premium',
      premiumSpread.map(({ name, ids }) => ({ name, runs: ids.map(r) })),
    ),
  );
  console.log('');
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const bounded = spread.flatMap(({ ids }) => ids.map(r));
  console.log(`(${jobs.length} simulated org days in ${secs} s on ${workers} worker threads)`);
  console.log(`max unused: ${maxUnusedPct(bounded).toFixed(2)}% of quota (labels given up)`);
  console.log(`max overrun: ${maxOverrunPct(bounded).toFixed(2)}% of quota`);
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  const bases = baseScenarios();
  parentPort!.on('message', (job: Job) => {
    runJob(job, bases).then(
      (result) => parentPort!.postMessage(result),
      (e: unknown) => {
        throw e;
      },
    );
  });
}
