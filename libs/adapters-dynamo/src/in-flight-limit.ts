import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The SDK's HTTP handler keeps at most 50 sockets per host (its default `maxSockets`); a request that
 * waits for a free socket is already under its connection (2 s) and request (5 s) timeouts, so a
 * burst of a few hundred calls turns into TimeoutErrors (503) although nothing failed. The client's
 * calls therefore queue here instead, at most this many on the wire at once, and start their
 * timeouts when they get a socket. 16 keeps a loaded DynamoDB Local answering each call within its
 * timeout (24 or 50 in flight per process did not, see docs/performance.md); on AWS, at a few ms per
 * call, 16 in flight still carry several thousand calls a second per process.
 */
export const MAX_IN_FLIGHT = 16;
/** A call that waited this long for a free slot fails as unavailable (503) instead of queueing on. */
export const MAX_QUEUE_WAIT_MS = 20_000;

/** Thrown when a call waited MAX_QUEUE_WAIT_MS for a slot (not retried by the SDK; maps to 503). */
export class InFlightQueueTimeout extends Error {
  override readonly name = 'InFlightQueueTimeout';
}

/** A counting semaphore with a bounded wait, first come first served. */
export class InFlightLimit {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void; timer: NodeJS.Timeout }> = [];

  constructor(
    readonly max: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Calls in flight and calls waiting for a slot (for tests and diagnostics). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await call();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new InFlightQueueTimeout(`No DynamoDB connection free within ${this.maxWaitMs} ms`));
        }, this.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next)
      next.grant(); // the slot passes straight to the next caller
    else this.active--;
  }
}

/**
 * Puts every HTTP attempt of `client` through an InFlightLimit: a middleware right before the HTTP
 * handler (each retry of the SDK takes a slot again, backoff sleeps hold none).
 */
export function limitInFlight(
  client: DynamoDBClient,
  max = MAX_IN_FLIGHT,
  maxWaitMs = MAX_QUEUE_WAIT_MS,
): InFlightLimit {
  const limit = new InFlightLimit(max, maxWaitMs);
  client.middlewareStack.add((next) => (args) => limit.run(() => next(args)), {
    step: 'deserialize',
    priority: 'low',
    name: 'bckInFlightLimit',
    override: true,
  });
  return limit;
}
