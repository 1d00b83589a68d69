// Preloaded into each soak child (`node --expose-gc --import <this> main.js`): every
// BCK_SOAK_PROBE_MS (default 1000) it writes process.memoryUsage() as JSON to BCK_SOAK_PROBE_FILE;
// on SIGUSR2 it runs a full garbage collection first and writes the result to `<file>.gc`, so the
// soak can read the live heap at chosen points. Files are written to a temporary name then renamed
// (a reader never sees half a sample). The timer is unref'd and the signal listener does not keep
// the process alive either: the probe never delays a shutdown.
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.BCK_SOAK_PROBE_FILE;

function write(path: string, extra: Record<string, unknown> = {}): void {
  try {
    const m = process.memoryUsage();
    const sample = { at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, ...extra };
    writeFileSync(`${path}.tmp`, JSON.stringify(sample));
    renameSync(`${path}.tmp`, path);
  } catch {
    // the directory went away (the soak is ending): nothing to report
  }
}

if (file) {
  const everyMs = Number(process.env.BCK_SOAK_PROBE_MS) || 1000;
  write(file);
  setInterval(() => write(file), everyMs).unref();
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    write(`${file}.gc`, { forcedGc: gc !== undefined });
  });
}
