// Child processes of the bench: started with an explicit environment, stopped by their own PID.
// Every child is also killed (by PID) if the bench itself exits early.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly proc: ChildProcess;
  /** The last 20 kB of stdout+stderr (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let hooked = false;

function killAllByPid(): void {
  for (const p of live) {
    if (p.pid !== undefined && p.exitCode === null && p.signalCode === null) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAllByPid);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAllByPid();
      process.exit(130);
    });
  }
}

/** Adopts an already spawned child (DynamoDB Local): output kept, stopped by PID. */
export function adopt(name: string, proc: ChildProcess): Child {
  hookExit();
  if (proc.pid === undefined) throw new Error(`${name} did not start`);
  live.add(proc);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  void exited.then(() => live.delete(proc));
  return {
    name,
    pid: proc.pid,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        process.kill(proc.pid!, 'SIGTERM');
        const hard = setTimeout(() => {
          if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
        }, 5000);
        await exited;
        clearTimeout(hard);
      }
    },
  };
}

/** Runs a Node script as a child process with exactly this environment (plus PATH). */
export function spawnNode(
  name: string,
  script: string,
  env: Record<string, string>,
  opts: { cwd?: string; nodeArgs?: string[] } = {},
): Child {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), script], {
    cwd: opts.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return adopt(name, proc);
}

/** Polls a URL until it answers below 500 (bounded); fails early if the child exits. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) {
      throw new Error(`${child.name} exited (code ${child.proc.exitCode}):\n${child.output()}`);
    }
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${child.name}: ${url} did not answer within ${timeoutMs} ms:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
