// One load run with autocannon against 127.0.0.1: a warm-up, then a measured run.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadSpec {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** A fresh body per request (POST). */
  body?: () => string;
  connections: number;
  durationSecs: number;
  warmupSecs: number;
}

export interface RunResult {
  target: string;
  route: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Non-2xx answers by status, e.g. `503 x 12` (empty when none). */
  otherStatuses: string;
  durationSecs: number;
  /**
   * CPU time (user + system) the server process spent per completed request during the measured
   * run, in microseconds (Linux /proc; undefined elsewhere or in process). Unlike req/s, this
   * barely moves when other processes compete for the cores.
   */
  cpuUsPerReq?: number;
}

const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux

/** utime + stime of a process in microseconds, from /proc (undefined where there is none). */
export function processCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1e6) / CLOCK_TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

function once(spec: LoadSpec, durationSecs: number): Promise<autocannon.Result> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(spec.baseUrl)) {
    throw new Error(`load only targets 127.0.0.1 (got ${spec.baseUrl})`);
  }
  const makeBody = spec.body;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: spec.headers,
    ...(makeBody ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: makeBody() }) } : {}),
  };
  return autocannon({
    url: spec.baseUrl,
    connections: spec.connections,
    duration: durationSecs,
    pipelining: 1,
    timeout: 10,
    requests: [request],
  });
}

export async function runLoad(
  target: string,
  route: string,
  spec: LoadSpec,
  serverPid?: number,
): Promise<RunResult> {
  if (spec.warmupSecs > 0) await once(spec, spec.warmupSecs);
  const cpu0 = serverPid === undefined ? undefined : processCpuUs(serverPid);
  const r = await once(spec, spec.durationSecs);
  const cpu1 = serverPid === undefined ? undefined : processCpuUs(serverPid);
  const done = r['2xx'] + r.non2xx;
  return {
    target,
    route,
    // Completed responses over the measured time (autocannon's per-second mean, which is the same
    // when no second is cut short).
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    otherStatuses: Object.entries(r.statusCodeStats ?? {})
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, v]) => `${code} x ${v.count ?? 0}`)
      .join(', '),
    durationSecs: r.duration,
    ...(cpu0 !== undefined && cpu1 !== undefined && done > 0 ? { cpuUsPerReq: (cpu1 - cpu0) / done } : {}),
  };
}
