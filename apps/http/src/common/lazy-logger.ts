import { type FastifyBaseLogger } from 'fastify';
import { type Bindings, type ChildLoggerOptions, type LevelWithSilentOrString } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The per-request logger Fastify puts on `request.log`: a pino child with the request id, made only
 * when a line at an enabled level is written. Fastify makes one child per request; at LOG_LEVEL=warn
 * almost no request writes a line, and making the child (bindings serialized up front) was a few
 * percent of a request's CPU (docs/performance.md, "Lean comparison"). The line written is the
 * child's own, so it carries `reqId` exactly as before.
 */
export class LazyChildLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private enabled(logger: FastifyBaseLogger, level: string): boolean {
    // pino's isLevelEnabled; a logger without it writes every level it is asked to.
    const check = (logger as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled;
    return check === undefined || check.call(logger, level);
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.enabled(this.parent, level)) return;
    (this.real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): LevelWithSilentOrString {
    return this.made ? this.made.level : this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return this.enabled(this.made ?? this.parent, level);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a LazyChildLogger instead of a pino child per request. */
export function lazyChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  // A route with its own log level gets a real child at once (its level is not the parent's).
  if (options.level !== undefined) return logger.child(bindings, options);
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
