import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { type FastifyBaseLogger } from 'fastify';
import { createLogger } from '#composition';
import { LazyChildLogger, lazyChildLoggerFactory } from './lazy-logger.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: createLogger(level, out) as unknown as FastifyBaseLogger, lines };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('LazyChildLogger', () => {
  it('writes the same line as a pino child (with its bindings), and only at enabled levels', async () => {
    const { logger, lines } = capture('warn');
    const lazy = lazyChildLoggerFactory(logger, { reqId: 'r-1' }, {});
    const eager = logger.child({ reqId: 'r-1' });
    lazy.info({ a: 1 }, 'not written');
    lazy.warn({ a: 2 }, 'written');
    eager.warn({ a: 2 }, 'written');
    await tick();
    expect(lines).toHaveLength(2);
    const [l, e] = lines.map(({ time: _t, ...rest }) => rest);
    expect(l).toEqual(e);
    expect(l).toMatchObject({ level: 'warn', reqId: 'r-1', a: 2, msg: 'written' });
  });

  it('makes no pino child until a line is written; child() and level work as on pino', () => {
    const { logger } = capture('info');
    let made = 0;
    const counting = Object.create(logger as object) as FastifyBaseLogger;
    counting.child = (b, o) => {
      made++;
      return logger.child(b, o);
    };
    const lazy = new LazyChildLogger(counting, { reqId: 'r-2' }, {});
    lazy.debug('below the level');
    expect(made).toBe(0);
    expect(lazy.level).toBe('info');
    lazy.info('now');
    expect(made).toBe(1);
    lazy.info('again');
    expect(made).toBe(1);
    expect(typeof lazy.child({ x: 1 }).info).toBe('function');
  });

  it('gives a route with its own level a real child at once', () => {
    const { logger } = capture('warn');
    const child = lazyChildLoggerFactory(logger, { reqId: 'r-3' }, { level: 'debug' });
    expect(child).not.toBeInstanceOf(LazyChildLogger);
    expect(child.level).toBe('debug');
  });
});
