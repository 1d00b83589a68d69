// The soak's summary (markdown) and its place in docs/performance.md (the `## Soak` section only).
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { GROWTH_LIMIT_PCT, type GrowthVerdict, type Sample } from './memory.js';
import { type LoadResult, type Totals } from './load.js';

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const mib = (bytes: number | undefined) => (bytes === undefined ? '' : (bytes / 1048576).toFixed(0));
const signedPct = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

export interface SoakReport {
  setup: string;
  events: number;
  concurrency: number;
  load: LoadResult;
  totals: Totals;
  aggregation: { waitedSecs: number; stable: boolean };
  /** Samples by process name, in start order; `loadSecs` bounds the verdict window. */
  samples: Map<string, Sample[]>;
  loadSecs: number;
  sampleSecs: number;
  verdicts: GrowthVerdict[];
  /** Process names kept out of the verdict (DynamoDB Local holds the whole table in memory). */
  infoOnly: string[];
  /** CPU seconds used during the load: per child, by the load generator, by the whole machine. */
  cpu: {
    children: Array<{ name: string; secs: number }>;
    driverSecs: number;
    machineSecs?: number;
    cores: number;
  };
}

export function totalsExact(r: SoakReport): boolean {
  return (
    r.totals.requests === r.load.distinctAnswered &&
    r.totals.costUsdMicros === r.load.acceptedCostUsdMicros &&
    r.load.accepted === r.load.distinctAnswered &&
    r.load.doubleAccepted === 0 &&
    r.load.costMismatches === 0
  );
}

/** About `rows` samples evenly spread over the run (the first and the last included). */
function pick<T>(xs: T[], rows: number): T[] {
  if (xs.length <= rows) return xs;
  const out: T[] = [];
  for (let k = 0; k < rows; k++) out.push(xs[Math.round((k * (xs.length - 1)) / (rows - 1))]!);
  return out;
}

function memoryTable(r: SoakReport): string[] {
  const names = [...r.samples.keys()];
  const head = ['t (s)'];
  for (const n of names) head.push(r.infoOnly.includes(n) ? `${n} RSS` : `${n} RSS / heap`);
  const lines = [row(head), row(['---:', ...names.map(() => '---:')])];
  // Rows follow the first process's samples; the others are taken at the same tick.
  const ref = r.samples.get(names[0]!) ?? [];
  for (const s of pick(ref, 12)) {
    const cells = [s.t.toFixed(0)];
    for (const n of names) {
      const m = (r.samples.get(n) ?? []).reduce<Sample | undefined>(
        (best, x) => (!best || Math.abs(x.t - s.t) < Math.abs(best.t - s.t) ? x : best),
        undefined,
      );
      cells.push(!m ? '' : m.heapUsed === undefined ? mib(m.rss) : `${mib(m.rss)} / ${mib(m.heapUsed)}`);
    }
    lines.push(row(cells));
  }
  return lines;
}

function cpuLine(r: SoakReport): string {
  const c = r.cpu;
  /** The HTTP processes, the worker and DynamoDB Local. */
  const server = c.children.reduce((a, x) => a + x.secs, 0);
  const parts = c.children.map((x) => `${x.name} ${x.secs.toFixed(0)}`);
  parts.push(`load generator ${c.driverSecs.toFixed(0)}`);
  const available = c.cores * r.load.durationSecs;
  let line =
    `CPU during the load, core-seconds: ${parts.join(', ')}` +
    ` (${((server * 1000) / Math.max(1, r.load.sent)).toFixed(1)} ms of server-side CPU per event, DynamoDB Local included)`;
  if (c.machineSecs !== undefined) {
    const others = Math.max(0, c.machineSecs - server - c.driverSecs);
    line +=
      `; the machine was ${((c.machineSecs / available) * 100).toFixed(0)} % busy over ${c.cores} cores, ` +
      `${others.toFixed(0)} core-seconds of it (${((others / available) * 100).toFixed(0)} %) by processes ` +
      `outside the soak`;
  }
  return `${line}.`;
}

export function summaryMarkdown(r: SoakReport): string {
  const l = r.load;
  const exact = totalsExact(r);
  const errors = [...l.errors.entries()].map(([s, e]) => `${e.count} × ${s === 0 ? 'no response' : s}`);
  const stopped = r.verdicts.every((v) => v.stoppedGrowing);
  const lines = [
    r.setup,
    '',
    row([
      'events sent',
      'accepted',
      'duplicates',
      'other answers',
      'duration',
      'events/s',
      'events/s by quarter',
    ]),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    row([
      int(l.sent),
      int(l.accepted),
      `${int(l.duplicates)} (${int(l.plannedDuplicates)} sent as duplicates)`,
      errors.length ? errors.join(', ') : '0',
      `${l.durationSecs.toFixed(1)} s`,
      int(l.sent / l.durationSecs),
      l.quarterSecs.map((t, k) => int(l.sent / 4 / (t - (k > 0 ? l.quarterSecs[k - 1]! : 0)))).join(' / '),
    ]),
    '',
    `**Totals ${exact ? 'exact' : 'NOT exact'}** (aggregates route, after ${r.aggregation.waitedSecs.toFixed(0)} s ` +
      `of catching up${r.aggregation.stable ? '' : ', still changing at the time limit'}): ` +
      `requests ${int(r.totals.requests)} = distinct events ${int(l.distinctAnswered)}` +
      `${r.totals.requests === l.distinctAnswered ? '' : ' (DIFFERENT)'}; cost ${int(r.totals.costUsdMicros)} µUSD` +
      ` = sum of the accepted events' server-returned costs ${int(l.acceptedCostUsdMicros)} µUSD` +
      `${r.totals.costUsdMicros === l.acceptedCostUsdMicros ? '' : ' (DIFFERENT)'}; ` +
      `request_ids accepted twice: ${l.doubleAccepted}; duplicates answered with another cost: ${l.costMismatches}.`,
    '',
    cpuLine(r),
    '',
    `Memory, MiB (RSS from /proc, heap used from each Node process's own \`process.memoryUsage()\`; ` +
      `t = seconds since the load started, the load ended at ${r.loadSecs.toFixed(0)} s):`,
    '',
    ...memoryTable(r),
    '',
    row([
      'process',
      'RSS max Q2 → Q4',
      'RSS growth',
      'live heap at 25 / 50 / 75 / 100 %',
      'live heap 50 → 100 %',
      'stopped growing',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---']),
    ...r.verdicts.map((v) =>
      row([
        v.name,
        `${mib(v.rssQ2)} → ${mib(v.rssQ4)}`,
        signedPct(v.rssGrowthPct),
        v.liveHeap.map((h) => (h === undefined ? '?' : (h / 1048576).toFixed(1))).join(' / '),
        signedPct(v.liveHeapGrowthPct),
        v.stoppedGrowing ? 'yes' : 'NO',
      ]),
    ),
    '',
    `Rule: memory stopped growing when, for each HTTP and worker process, (1) the largest RSS sample ` +
      `of the last quarter of the load is at most ${GROWTH_LIMIT_PCT} % above the largest of the second ` +
      `quarter (the first quarter is warm-up; RSS sampled every ${r.sampleSecs} s), and (2) the live ` +
      `heap, read after a forced full collection (\`--expose-gc\`, asked for by SIGUSR2 at 25, 50, 75 ` +
      `and 100 % of the events), is at most ${GROWTH_LIMIT_PCT} % higher at the end than at the half. ` +
      `${r.infoOnly.join(', ')} is shown for information only: in memory it holds the whole table.`,
    '',
    `**Verdict: ${exact && stopped && l.errors.size === 0 ? 'PASS' : 'FAIL'}**: totals ` +
      `${exact ? 'exact' : 'not exact'}, ${l.errors.size === 0 ? 'no' : 'some'} non-202 answers, ` +
      `memory ${stopped ? 'stopped growing' : 'still growing'} in ` +
      `${
        stopped
          ? 'every process'
          : r.verdicts
              .filter((v) => !v.stoppedGrowing)
              .map((v) => v.name)
              .join(', ')
      }.`,
  ];
  for (const [s, e] of l.errors) lines.push('', `First ${s === 0 ? 'failure' : s} answer: \`${e.example}\``);
  return lines.join('\n');
}

const INTRO = [
  '`npm run soak` (not in CI): two HTTP processes and one worker (aggregation every 5 s) on an',
  'in-memory DynamoDB Local, all on 127.0.0.1; one org (ORG scope, quotas far above the spend) and one',
  'app provisioned through the API. It sends usage events as fast as a bounded number of requests in',
  'flight allows, alternating between the two HTTP processes; every tenth send reuses the request_id',
  '(and body) of one of the last 1,000 events sent, some still in flight, and goes to either process',
  'at random (so about half reach another process than the original).',
  'Then it waits until the aggregated totals stop changing and checks them exactly. The rate climbs',
  'over the first minutes while DynamoDB Local (a JVM) warms up: see the rate by quarter.',
].join('\n');

/** The whole `## Soak` section. */
export function soakSection(summary: string, command: string): string {
  return [
    '## Soak',
    '',
    INTRO,
    '',
    summary,
    '',
    'Reproduce:',
    '',
    '```sh',
    `${command}`,
    'npm run soak -- --events 20000 --concurrency 32 --no-docs   # a shorter run, docs left alone',
    '```',
    '',
  ].join('\n');
}

/**
 * Replaces the `## Soak` section of the file (up to the next `## ` heading), or appends it. The
 * section is formatted with the repository's Prettier settings first; the rest of the file is kept
 * byte for byte.
 */
export async function writeSoakSection(path: string, rawSection: string): Promise<void> {
  const options = (await prettier.resolveConfig(path)) ?? {};
  const section = await prettier.format(rawSection, { ...options, parser: 'markdown' });
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((x) => x === '## Soak');
  let out: string;
  if (start < 0) {
    out = `${text.replace(/\n*$/, '')}\n\n${section}`;
  } else {
    let end = lines.findIndex((x, i) => i > start && x.startsWith('## '));
    if (end < 0) end = lines.length;
    const before = lines.slice(0, start).join('\n');
    const after = lines.slice(end).join('\n');
    out = `${before}${before ? '\n' : ''}${section}${after ? `\n${after}` : ''}`;
  }
  writeFileSync(path, out.endsWith('\n') ? out : `${out}\n`);
}
