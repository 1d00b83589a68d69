import {
  createParamDecorator,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { type FastifyRequest } from 'fastify';
import { DomainError, UnauthorizedError, type Principal } from '#core-domain';
import { ADMIN_KEY, sameKey } from './auth.tokens.js';

/** Bearer access token on runtime routes. Any failure is one generic 401 (or the domain's own error). */
@Injectable()
export class BearerGuard extends AuthGuard('jwt') {
  override handleRequest<T = Principal>(err: unknown, user: T | false): T {
    if (err instanceof DomainError) throw err;
    if (err || !user) throw new UnauthorizedError('A valid bearer access token is required');
    return user;
  }
}

/** `X-API-Key` on provisioning routes, compared in constant time. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(@Inject(ADMIN_KEY) private readonly key: string) {}
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (!sameKey(req.headers['x-api-key'], this.key))
      throw new UnauthorizedError('A valid X-API-Key header is required');
    return true;
  }
}

/** The authenticated caller of a bearer route. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<FastifyRequest & { user: Principal }>().user;
});
