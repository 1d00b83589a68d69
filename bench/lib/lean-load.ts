// A lean HTTP/1.1 load generator on raw TCP sockets (keep-alive, one request in flight per
// connection), for the lean product-vs-floor comparison. autocannon costs the load generator about as
// much CPU per request as the floor itself, so on 2 cores it, not the server, capped the floor's req/s
// and squeezed the ratio. Here a request is a prebuilt buffer (a fresh body per request where asked)
// and a response is read only far enough to find its status and length.
//
// Two modes:
//   - closed loop (`rate` unset): every connection sends its next request as soon as the last answer
//     is in: the server's throughput;
//   - open loop (`rate` set): requests are due at fixed intervals (rate per second over all
//     connections); a due request waits for a free connection, and its latency counts from when it was
//     due, not from when it could be sent (no coordinated omission).
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { processCpuUs } from './load.js';

export interface LeanSpec {
  port: number;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** A fresh body per request (POST). */
  body?: () => string;
  connections: number;
  durationSecs: number;
  warmupSecs: number;
  /** Offered load in requests per second (open loop); unset: closed loop. */
  rate?: number;
}

export interface LeanResult {
  target: string;
  route: string;
  /** Offered load (open loop), undefined for closed loop. */
  offered?: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Server CPU (user + system, /proc) per completed request, µs. */
  cpuUsPerReq?: number;
}

function requestBytes(spec: LeanSpec): () => Buffer {
  const head = `${spec.method} ${spec.path} HTTP/1.1\r\nHost: 127.0.0.1:${spec.port}\r\n${Object.entries(
    spec.headers,
  )
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}`;
  if (!spec.body) {
    const fixed = Buffer.from(`${head}\r\n`);
    return () => fixed;
  }
  const makeBody = spec.body;
  return () => {
    const body = makeBody();
    return Buffer.from(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
}

/** Reads HTTP/1.1 responses off one socket: calls `done(status)` for each complete one. */
export class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly done: (status: number) => void) {}

  feed(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (!m && /\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        // Not used by either server on these routes; refuse rather than misread.
        throw new Error('chunked responses are not supported by the lean load generator');
      }
      const total = end + 4 + len;
      if (this.buf.length < total) return;
      this.buf = this.buf.subarray(total);
      this.done(status);
    }
  }
}

interface Conn {
  socket: Socket;
  busy: boolean;
  /** When the request in flight was due (open loop) or sent (closed loop), ms. */
  since: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function once(spec: LeanSpec, durationSecs: number, serverPid?: number) {
  const build = requestBytes(spec);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let stopping = false;
  const queue: number[] = []; // due times of requests waiting for a connection (open loop)
  const conns: Conn[] = [];
  let onIdle: (c: Conn) => void = () => undefined;

  await Promise.all(
    Array.from(
      { length: spec.connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port: spec.port, noDelay: true }, () => resolve());
          const c: Conn = { socket, busy: false, since: 0 };
          const reader = new ResponseReader((status) => {
            latencies.push(performance.now() - c.since);
            if (status >= 200 && status < 300) ok++;
            else non2xx++;
            c.busy = false;
            if (!stopping) onIdle(c);
          });
          socket.on('data', (d: Buffer) => reader.feed(d));
          socket.on('error', (e) => {
            errors++;
            reject(e);
          });
          conns.push(c);
        }),
    ),
  );

  const send = (c: Conn, since: number) => {
    c.busy = true;
    c.since = since;
    c.socket.write(build());
  };
  const cpu0 = serverPid === undefined ? undefined : processCpuUs(serverPid);
  const started = performance.now();
  const endAt = started + durationSecs * 1000;
  let timer: NodeJS.Timeout | undefined;
  if (spec.rate === undefined) {
    onIdle = (c) => {
      if (performance.now() < endAt) send(c, performance.now());
    };
    for (const c of conns) send(c, performance.now());
  } else {
    const interval = 1000 / spec.rate;
    let issued = 0;
    onIdle = (c) => {
      const due = queue.shift();
      if (due !== undefined) send(c, due);
    };
    const tick = () => {
      const now = performance.now();
      const limit = Math.min(now, endAt);
      while (started + issued * interval <= limit) {
        const due = started + issued * interval;
        issued++;
        const idle = conns.find((c) => !c.busy);
        if (idle) send(idle, due);
        else queue.push(due);
      }
    };
    timer = setInterval(tick, 1);
    tick();
  }
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (performance.now() >= endAt && (spec.rate === undefined || queue.length === 0)) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  if (timer) clearInterval(timer);
  // Let the requests in flight finish (they count), then close.
  const deadline = performance.now() + 10_000;
  while (conns.some((c) => c.busy) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
  stopping = true;
  const elapsed = (performance.now() - started) / 1000;
  const cpu1 = serverPid === undefined ? undefined : processCpuUs(serverPid);
  for (const c of conns) c.socket.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const done = ok + non2xx;
  return {
    reqPerSec: done / elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : 0,
    ok,
    non2xx,
    errors,
    ...(cpu0 !== undefined && cpu1 !== undefined && done > 0 ? { cpuUsPerReq: (cpu1 - cpu0) / done } : {}),
  };
}

/** A warm-up (unmeasured), then the measured run. */
export async function runLean(
  target: string,
  route: string,
  spec: LeanSpec,
  serverPid?: number,
): Promise<LeanResult> {
  if (spec.warmupSecs > 0) await once(spec, spec.warmupSecs);
  const r = await once(spec, spec.durationSecs, serverPid);
  return { target, route, ...(spec.rate !== undefined ? { offered: spec.rate } : {}), ...r };
}
