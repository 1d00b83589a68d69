// Console tables and the `## HTTP benchmarks` section of docs/performance.md. The bench rewrites only
// what lies between its two markers inside that section; the hand-written findings around them and
// every other section of the file are left as they are.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { type RunResult } from './load.js';

export const SECTION_TITLE = '## HTTP benchmarks';
export const RESULTS_START = '<!-- bench:http-results:start (written by npm run bench) -->';
export const RESULTS_END = '<!-- bench:http-results:end -->';
export const LEAN_START = '<!-- bench:lean-results:start (written by npm run bench) -->';
export const LEAN_END = '<!-- bench:lean-results:end -->';

export interface AccessRow {
  route: string;
  /** Requests in flight (1 = sequential). */
  inFlight: number;
  requests: number;
  /** Answers other than the route's success status (e.g. 503 after conflicts). */
  failed: number;
  callsPerRequest: number;
  byCommand: Record<string, number>;
  rcuPerRequest: number;
  wcuPerRequest: number;
  coldCalls: number;
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f2 = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

export function runTable(runs: RunResult[]): string {
  const lines = [
    '| route | target | req/s | p50 ms | p99 ms | server CPU µs/req | 2xx | non-2xx | errors |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of runs) {
    const cpu = r.cpuUsPerReq === undefined ? '-' : f0(r.cpuUsPerReq);
    lines.push(
      `| ${r.route} | ${r.target} | ${f0(r.reqPerSec)} | ${f0(r.p50Ms)} | ${f0(r.p99Ms)} | ${cpu} | ${f0(r.ok)} | ${r.non2xx}${r.otherStatuses ? ` (${r.otherStatuses})` : ''} | ${r.errors} |`,
    );
  }
  return lines.join('\n');
}

export interface Pair {
  route: string;
  pair: number;
  product: RunResult;
  floor: RunResult;
}

export function ratio(p: Pair): number {
  return p.floor.reqPerSec > 0 ? p.product.reqPerSec / p.floor.reqPerSec : 0;
}

/** Floor CPU per request over product CPU per request: the throughput ratio on a CPU-bound server. */
export function cpuRatio(p: Pair): number | undefined {
  const a = p.product.cpuUsPerReq;
  const b = p.floor.cpuUsPerReq;
  return a !== undefined && b !== undefined && a > 0 ? b / a : undefined;
}

export function ratioTable(pairs: Pair[], floorName = 'floor'): string {
  const withCpu = pairs.some((p) => cpuRatio(p) !== undefined);
  const lines = [
    `| route | pair | product req/s | ${floorName} req/s | product/${floorName} (req/s) |` +
      (withCpu ? ` ${floorName} CPU/req over product CPU/req |` : ''),
    '|---|--:|--:|--:|--:|' + (withCpu ? '--:|' : ''),
  ];
  for (const p of pairs) {
    const c = cpuRatio(p);
    lines.push(
      `| ${p.route} | ${p.pair} | ${f0(p.product.reqPerSec)} | ${f0(p.floor.reqPerSec)} | ${f2(ratio(p))} |` +
        (withCpu ? ` ${c === undefined ? '-' : f2(c)} |` : ''),
    );
  }
  return lines.join('\n');
}

export function accessTable(rows: AccessRow[]): string {
  const lines = [
    '| route | in flight | requests | failed | DynamoDB calls / request | by command (per request) | RCU / request | WCU / request | calls on a cold cache |',
    '|---|--:|--:|--:|--:|---|--:|--:|--:|',
  ];
  for (const r of rows) {
    const by = Object.entries(r.byCommand)
      .map(([k, v]) => `${k.replace(/Command$/, '')} ${f2(v / r.requests)}`)
      .join(', ');
    lines.push(
      `| ${r.route} | ${r.inFlight} | ${r.requests} | ${r.failed} | ${f2(r.callsPerRequest)} | ${by || '-'} | ${f2(r.rcuPerRequest)} | ${f2(r.wcuPerRequest)} | ${r.coldCalls} |`,
    );
  }
  return lines.join('\n');
}

function sectionSkeleton(block: string): string {
  return [
    SECTION_TITLE,
    '',
    'Written by `npm run bench` (bench/bench.ts). The block between the markers is regenerated on',
    'every run; the rest of this section is maintained by hand.',
    '',
    block,
    '',
  ].join('\n');
}

/**
 * Replaces the results block of the section (creating the file or the section when missing). The
 * block is formatted with the repository's Prettier settings, so `prettier --check` stays clean.
 */
export async function writeResults(
  file: string,
  results: string,
  markers: { start: string; end: string } = { start: RESULTS_START, end: RESULTS_END },
): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  const formatted = (await prettier.format(results, { ...options, parser: 'markdown' })).trimEnd();
  const block = `${markers.start}\n\n${formatted}\n\n${markers.end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  let out: string;
  if (start >= 0 && end > start) {
    out = text.slice(0, start) + block + text.slice(end + markers.end.length);
  } else if (markers.start !== RESULTS_START && text.includes(RESULTS_END)) {
    // Another block of the section: right after the main results block.
    const after = text.indexOf(RESULTS_END) + RESULTS_END.length;
    out = `${text.slice(0, after)}\n\n${block}${text.slice(after)}`;
  } else {
    const at = text.indexOf(`\n${SECTION_TITLE}\n`);
    if (at >= 0) {
      // The section exists without markers: put the block right under its title.
      const after = at + SECTION_TITLE.length + 2;
      out = `${text.slice(0, after)}\n${block}\n${text.slice(after)}`;
    } else {
      out = `${text.replace(/\n*$/, '\n\n')}${sectionSkeleton(block)}`;
    }
  }
  writeFileSync(file, out);
}
