// Memory samples of the soak's processes: RSS from /proc/PID/status (VmRSS; `ps -o rss=` elsewhere),
// heap from the child's memory probe (memory-probe.ts). The verdict rule is `stoppedGrowing`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Child } from './stack.js';

export interface Sample {
  /** Seconds since the load started (negative: before it). */
  t: number;
  /** Resident set size, bytes. */
  rss: number;
  /** V8 heap used / total, bytes (Node children; undefined for DynamoDB Local). */
  heapUsed?: number;
  heapTotal?: number;
}

/** RSS of a PID in bytes, or undefined when the process is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (kib !== undefined) return Number(kib) * 1024;
  } catch {
    // no procfs (macOS) or the process is gone: ask ps
  }
  try {
    const kib = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return Number.isFinite(kib) && kib > 0 ? kib * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function heapOf(probeFile: string | undefined): { heapUsed: number; heapTotal: number } | undefined {
  if (!probeFile) return undefined;
  try {
    const m = JSON.parse(readFileSync(probeFile, 'utf8')) as { heapUsed: number; heapTotal: number };
    return { heapUsed: m.heapUsed, heapTotal: m.heapTotal };
  } catch {
    return undefined; // not written yet
  }
}

/** Samples every child every `everyMs` until stopped; `t` is measured from `origin()`. */
export class MemorySampler {
  readonly samples = new Map<string, Sample[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly children: Child[],
    private readonly origin: () => number,
  ) {
    for (const c of children) this.samples.set(c.name, []);
  }

  sampleNow(): void {
    const t = (performance.now() - this.origin()) / 1000;
    for (const c of this.children) {
      const rss = rssOf(c.pid);
      if (rss === undefined) continue;
      this.samples.get(c.name)!.push({ t, rss, ...heapOf(c.probeFile) });
    }
  }

  start(everyMs: number): void {
    this.sampleNow();
    this.timer = setInterval(() => this.sampleNow(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface GrowthVerdict {
  name: string;
  /** Largest RSS of the second and of the last quarter of the load, bytes. */
  rssQ2: number;
  rssQ4: number;
  heapQ2?: number;
  heapQ4?: number;
  /** (Q4 - Q2) / Q2, percent. */
  rssGrowthPct: number;
  heapGrowthPct?: number;
  stoppedGrowing: boolean;
}

/** The rule: the largest sample of the last quarter is at most this much above the second quarter's. */
export const GROWTH_LIMIT_PCT = 10;

const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);

/**
 * Memory "stopped growing" when, over the load (t in [0, loadSecs]), the largest RSS sample of the
 * last quarter is at most GROWTH_LIMIT_PCT above the largest of the second quarter, and the same for
 * the heap used. The first quarter is warm-up (JIT, caches, connection pools) and is left out.
 */
export function growthVerdict(name: string, samples: Sample[], loadSecs: number): GrowthVerdict {
  const q = (k: number) => samples.filter((s) => s.t >= (loadSecs * (k - 1)) / 4 && s.t <= (loadSecs * k) / 4);
  const q2 = q(2);
  const q4 = q(4);
  const rssQ2 = maxOf(q2.map((s) => s.rss));
  const rssQ4 = maxOf(q4.map((s) => s.rss));
  const rssGrowthPct = ((rssQ4 - rssQ2) / rssQ2) * 100;
  const heap2 = q2.flatMap((s) => (s.heapUsed === undefined ? [] : [s.heapUsed]));
  const heap4 = q4.flatMap((s) => (s.heapUsed === undefined ? [] : [s.heapUsed]));
  const v: GrowthVerdict = {
    name,
    rssQ2,
    rssQ4,
    rssGrowthPct,
    stoppedGrowing: q2.length > 0 && q4.length > 0 && rssGrowthPct <= GROWTH_LIMIT_PCT,
  };
  if (heap2.length && heap4.length) {
    v.heapQ2 = maxOf(heap2);
    v.heapQ4 = maxOf(heap4);
    v.heapGrowthPct = ((v.heapQ4 - v.heapQ2) / v.heapQ2) * 100;
    v.stoppedGrowing &&= v.heapGrowthPct <= GROWTH_LIMIT_PCT;
  }
  return v;
}
