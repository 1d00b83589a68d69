import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { AdminKeyGuard, BearerGuard } from '../auth/guards.js';

/**
 * Alert routes take an org token or the admin key: `X-API-Key` when the header is there (checked in
 * constant time), else a bearer access token. The admin caller is marked on the request.
 */
@Injectable()
export class OrgTokenOrAdminGuard implements CanActivate {
  constructor(
    @Inject(AdminKeyGuard) private readonly admin: AdminKeyGuard,
    @Inject(BearerGuard) private readonly bearer: BearerGuard,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { admin?: boolean }>();
    if (req.headers['x-api-key'] !== undefined) {
      return this.admin.canActivate(ctx);
    }
    return this.bearer.canActivate(ctx);
  }
}
