import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Clock, CLOCK, type Principal, type RateLimitName, type ServiceConfig } from '#core-domain';
import { SERVICE_CONFIG } from '#composition';
import { keyFingerprint } from '../auth/auth.tokens.js';
import { ApiError } from './error-body.js';

export const RATE_LIMITS_ENABLED = Symbol('RateLimitsEnabled');
/** The app's one FixedWindowLimiter (the counters of every rate limit). */
export const RATE_LIMITER = Symbol('RateLimiter');
const RATE_LIMIT_KEY = 'bck:rate-limit';

/** Names the config.yaml rate limit of a route. The guard counts per client id, or per admin key. */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT_KEY, name);

/** Who a request counts against: the token's client id, the admin key's fingerprint, or a body client id. */
export function trackerOf(req: FastifyRequest & { user?: Principal; rateLimitTracker?: string }): string {
  if (req.rateLimitTracker) return req.rateLimitTracker;
  if (req.user?.clientId) return `client:${req.user.clientId}`;
  const key = req.headers['x-api-key'];
  if (typeof key === 'string') return `admin:${keyFingerprint(key)}`;
  return `ip:${req.ip}`;
}

/**
 * Fixed-window counters per key, timed by the Clock port (so tests move time instead of sleeping).
 * Bounded: expired windows are swept when the map grows.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit; returns the count in the current window and when it resets (epoch ms). */
  hit(key: string, windowMs: number): { count: number; resetAt: number } {
    const now = this.clock.now().getTime();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size >= this.maxKeys) this.sweep(now);
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetAt: w.resetAt };
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    if (this.windows.size >= this.maxKeys) this.windows.clear();
  }
}

/**
 * Per-instance rate limits from config.yaml. Runs after the route's
 * auth guard so that it counts per authenticated client. Sets X-RateLimit-Limit/-Remaining/-Reset
 * (epoch seconds); over the limit: 429 RATE_LIMIT_EXCEEDED with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(RATE_LIMITS_ENABLED) private readonly enabled: boolean,
    @Inject(CLOCK) private readonly clock: Clock,
    // One limiter for the app: Nest makes a guard instance per module for @UseGuards, besides the
    // provider that AuthController and runtime.fast-routes.ts use; all of them count in this one.
    @Inject(RATE_LIMITER) private readonly limiter: FixedWindowLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (!this.enabled) return true;
    const name = this.reflector.get<RateLimitName | undefined>(RATE_LIMIT_KEY, ctx.getHandler());
    if (!name) return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    await this.hit(name, trackerOf(req), reply);
    return true;
  }

  /** Counts one hit without throwing: the count in the window, the limit, and when the window resets (epoch ms). */
  count(name: RateLimitName, tracker: string): { count: number; limit: number; resetAt: number } | undefined {
    if (!this.enabled) return undefined;
    const { limit, windowSecs } = this.config.rateLimits[name];
    return { ...this.limiter.hit(`${name}|${tracker}`, windowSecs * 1000), limit };
  }

  /** Counts one request; throws 429 when over the limit. */
  async hit(name: RateLimitName, tracker: string, reply?: FastifyReply): Promise<void> {
    if (!this.enabled) return;
    const { limit, windowSecs } = this.config.rateLimits[name];
    const { count, resetAt } = this.limiter.hit(`${name}|${tracker}`, windowSecs * 1000);
    const wait = Math.max(1, Math.ceil((resetAt - this.clock.now().getTime()) / 1000));
    const headers = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit - count)),
      'X-RateLimit-Reset': String(Math.ceil(resetAt / 1000)),
    };
    if (count > limit) {
      throw new ApiError(
        'RATE_LIMIT_EXCEEDED',
        `Rate limit of ${limit} requests per ${windowSecs} s exceeded`,
        undefined,
        wait,
        {
          ...headers,
          'Retry-After': String(wait),
        },
      );
    }
    if (reply) for (const [k, v] of Object.entries(headers)) void reply.header(k, v);
  }
}
