// Preloaded into each soak child (`node --import <this> main.js`): every BCK_SOAK_PROBE_MS (default
// 1000) it writes process.memoryUsage() as JSON to BCK_SOAK_PROBE_FILE (written to a temporary file
// then renamed, so a reader never sees half a sample). The timer is unref'd: it never keeps the
// process alive and costs one small synchronous write a second.
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.BCK_SOAK_PROBE_FILE;
if (file) {
  const everyMs = Number(process.env.BCK_SOAK_PROBE_MS) || 1000;
  const tmp = `${file}.tmp`;
  const write = () => {
    try {
      const m = process.memoryUsage();
      writeFileSync(
        tmp,
        JSON.stringify({
          at: Date.now(),
          rss: m.rss,
          heapUsed: m.heapUsed,
          heapTotal: m.heapTotal,
          external: m.external,
        }),
      );
      renameSync(tmp, file);
    } catch {
      // the directory went away (the soak is ending): nothing to report
    }
  };
  write();
  setInterval(write, everyMs).unref();
}
