import {
  createParamDecorator,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { type FastifyRequest } from 'fastify';
import { DomainError, UnauthorizedError, type CostKeeper, type Principal } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { userAgentOf } from '../audit/audit-context.js';
import { ADMIN_KEY, sameKey } from './auth.tokens.js';
import { VerifiedTokens } from './verified-tokens.js';

/**
 * Bearer access token on runtime routes. Any failure is one generic 401 (or the domain's own error).
 * passport-jwt checks the signature the first time a token is seen; after that its verified claims
 * come from VerifiedTokens and only the domain's checks (expiry, revocation, rotation) run.
 */
@Injectable()
export class BearerGuard extends AuthGuard('jwt') {
  constructor(
    @Inject(VerifiedTokens) private readonly verified: VerifiedTokens,
    @Inject(COST_KEEPER) private readonly keeper: CostKeeper,
  ) {
    super();
  }

  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { user?: Principal }>();
    const claims = this.verified.get(req.headers.authorization);
    if (claims === undefined) return (await super.canActivate(ctx)) as boolean;
    req.user = await this.principalOf(claims);
    return true;
  }

  /**
   * The caller of a token whose signature was already checked (claims from VerifiedTokens): the
   * domain's checks, then the same errors as passport's path. Also used by runtime.fast-routes.ts.
   */
  async principalOf(claims: Record<string, unknown>): Promise<Principal> {
    let user: Principal | undefined;
    let err: unknown;
    try {
      user = await this.keeper.auth.authenticate(claims);
    } catch (e) {
      err = e;
    }
    return this.handleRequest(err, user ?? false);
  }

  override handleRequest<T = Principal>(err: unknown, user: T | false): T {
    if (err instanceof DomainError) throw err;
    if (err || !user) throw new UnauthorizedError('A valid bearer access token is required');
    return user;
  }
}

/**
 * `X-API-Key` on provisioning routes, compared in constant time; the admin caller is marked on the
 * request. A wrong key is kept as a failed attempt (at most one per source and minute) before the 401.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(
    @Inject(ADMIN_KEY) private readonly key: string,
    @Inject(COST_KEEPER) private readonly keeper: CostKeeper,
  ) {}
  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { admin?: boolean }>();
    if (!sameKey(req.headers['x-api-key'], this.key)) {
      const ua = userAgentOf(req);
      await this.keeper.audit.recordFailure({
        attempt: 'admin_key',
        sourceIp: req.ip,
        requestId: String(req.id),
        ...(ua ? { userAgent: ua } : {}),
      });
      throw new UnauthorizedError('A valid X-API-Key header is required');
    }
    req.admin = true;
    return true;
  }
}

/** The authenticated caller of a bearer route. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<FastifyRequest & { user: Principal }>().user;
});
