// Memory samples of the soak's processes: RSS from /proc/PID/status (VmRSS; `ps -o rss=` elsewhere),
// heap from the child's memory probe (memory-probe.ts), CPU time from /proc/PID/stat. The verdict
// rule is `growthVerdict`. `machineCpuSecs` measures the whole machine, to show what else ran.
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
  /** CPU time (user + system) used by the process so far, seconds (undefined without procfs). */
  cpuSecs?: number;
}

let clockTicks: number | undefined;
function ticksPerSec(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) a PID has used, from /proc/PID/stat; undefined without procfs. */
export function cpuSecsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / ticksPerSec();
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine (all cores, every process) so far; undefined without procfs. */
export function machineCpuSecs(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
    const busy = f.slice(0, 8).reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
    return busy / ticksPerSec();
  } catch {
    return undefined;
  }
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
      const cpuSecs = cpuSecsOf(c.pid);
      this.samples
        .get(c.name)!
        .push({ t, rss, ...heapOf(c.probeFile), ...(cpuSecs === undefined ? {} : { cpuSecs }) });
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

/**
 * The live heap of a Node child: SIGUSR2 makes its probe run a full collection and write the heap
 * used to `<probeFile>.gc`; resolves with it (bytes), or undefined if no answer within `timeoutMs`.
 */
export async function liveHeapOf(child: Child, timeoutMs = 10_000): Promise<number | undefined> {
  if (!child.probeFile || child.exitCode() !== null) return undefined;
  const asked = Date.now();
  process.kill(child.pid, 'SIGUSR2'); // a request to this child's probe, by its own PID
  const deadline = asked + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const m = JSON.parse(readFileSync(`${child.probeFile}.gc`, 'utf8')) as {
        at: number;
        heapUsed: number;
        forcedGc: boolean;
      };
      if (m.at >= asked && m.forcedGc) return m.heapUsed;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

export interface GrowthVerdict {
  name: string;
  /** Largest RSS of the second and of the last quarter of the load, bytes. */
  rssQ2: number;
  rssQ4: number;
  /** (Q4 - Q2) / Q2, percent. */
  rssGrowthPct: number;
  /** Live heap (after a forced full collection) at 25, 50, 75 and 100 % of the events, bytes. */
  liveHeap: Array<number | undefined>;
  /** Live heap at 100 % against 50 %, percent. */
  liveHeapGrowthPct?: number;
  stoppedGrowing: boolean;
}

/** The rule's limit: the end of the load against its middle, percent. */
export const GROWTH_LIMIT_PCT = 10;

/**
 * Memory "stopped growing" when (1) the largest RSS sample of the last quarter of the load is at
 * most GROWTH_LIMIT_PCT above the largest of the second quarter (the first quarter is warm-up: JIT,
 * caches, pools), and (2) the live heap after a forced full collection at the end of the load is at
 * most GROWTH_LIMIT_PCT above the live heap at its halfway point. Sampled heap figures are not used:
 * between collections they follow the collector's schedule, not what is kept.
 */
export function growthVerdict(
  name: string,
  samples: Sample[],
  loadSecs: number,
  liveHeap: Array<number | undefined>,
): GrowthVerdict {
  const q = (k: number) =>
    samples.filter((s) => s.t >= (loadSecs * (k - 1)) / 4 && s.t <= (loadSecs * k) / 4).map((s) => s.rss);
  const q2 = q(2);
  const q4 = q(4);
  const rssQ2 = q2.length ? Math.max(...q2) : NaN;
  const rssQ4 = q4.length ? Math.max(...q4) : NaN;
  const rssGrowthPct = ((rssQ4 - rssQ2) / rssQ2) * 100;
  const v: GrowthVerdict = {
    name,
    rssQ2,
    rssQ4,
    rssGrowthPct,
    liveHeap,
    stoppedGrowing: Number.isFinite(rssGrowthPct) && rssGrowthPct <= GROWTH_LIMIT_PCT,
  };
  const [, half, , end] = liveHeap;
  if (half !== undefined && end !== undefined) {
    v.liveHeapGrowthPct = ((end - half) / half) * 100;
    v.stoppedGrowing &&= v.liveHeapGrowthPct <= GROWTH_LIMIT_PCT;
  } else {
    v.stoppedGrowing = false; // no live heap reading: no verdict
  }
  return v;
}
