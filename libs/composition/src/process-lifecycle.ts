import { ServiceConfigError } from '#core-domain';
import { SettingsError } from './settings.js';

/**
 * Graceful stop on SIGTERM/SIGINT: `close` (drain requests, finish or abandon the pass, release the
 * lease), then exit 0; a stuck close is cut after 25 s.
 */
export function stopGracefullyOnSignals(
  close: () => Promise<void>,
  announce: (signal: string) => void,
): void {
  const stop = (signal: string) => {
    announce(signal);
    setTimeout(() => process.exit(1), 25_000).unref();
    void close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Runs `main`; a bad setting or config stops the process with one line naming it. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof SettingsError || e instanceof ServiceConfigError) {
      process.stderr.write(`Cannot start: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
