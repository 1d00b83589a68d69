import { Body, Controller, Headers, HttpCode, Inject, Ip, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import {
  ACCESS_TOKEN_TTL_SECS,
  CLOCK,
  REFRESH_TOKEN_TTL_SECS,
  UnauthorizedError,
  type AuditContext,
  type Clock,
  type CostKeeper,
  type Principal,
} from '#core-domain';
import { COST_KEEPER } from '#composition';
import { Audit, userAgentOf } from '../audit/audit-context.js';
import { ApiErrors } from '../common/api-errors.js';
import { ApiError } from '../common/error-body.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { TokenSigner } from './auth.tokens.js';
import { BearerGuard, Caller } from './guards.js';
import {
  RefreshRequestDto,
  RefreshResponseDto,
  RevokeRequestDto,
  TokenRequestDto,
  TokenResponseDto,
} from './auth.dto.js';

/** RFC 6749 2.3.1: HTTP Basic client authentication, id and secret form-urlencoded. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^Basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  /** Per client id and per source address: failed token requests are slow to guess. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    @Inject(COST_KEEPER) private readonly keeper: CostKeeper,
    @Inject(TokenSigner) private readonly signer: TokenSigner,
    @Inject(RateLimitGuard) private readonly limits: RateLimitGuard,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'issueToken',
    summary: 'Exchange client credentials for an access and a refresh token',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: TokenRequestDto })
  @ApiResponse({ status: 200, type: TokenResponseDto, description: 'Tokens issued' })
  @ApiErrors(400, 401, 413, 415, 429)
  async token(
    @Body() body: TokenRequestDto,
    @Headers('authorization') authorization: string | undefined,
    @Ip() ip: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    const basic = basicCredentials(authorization);
    const clientId = basic?.id ?? body.client_id;
    const secret = basic?.secret ?? body.client_secret;
    if (clientId === undefined || secret === undefined) {
      throw new ApiError(
        'INVALID_REQUEST',
        'client_id and client_secret are required (in the body or with HTTP Basic)',
        {
          fields: [{ field: clientId === undefined ? 'client_id' : 'client_secret', message: 'is required' }],
        },
      );
    }
    const keys = [`failed-id:${clientId}`, `failed-ip:${ip}`];
    this.refuseIfBlocked(keys);
    await this.limits.hit('token', `client:${clientId}`, reply);
    try {
      const issued = await this.keeper.auth.issueTokens(clientId, secret);
      void reply.header('Cache-Control', 'no-store');
      return {
        access_token: this.signer.sign(issued.access),
        refresh_token: this.signer.sign(issued.refresh),
        token_type: 'Bearer',
        expires_in: ACCESS_TOKEN_TTL_SECS,
        refresh_expires_in: REFRESH_TOKEN_TTL_SECS,
        scope: issued.scope,
      };
    } catch (e) {
      if (e instanceof UnauthorizedError) {
        this.countFailure(keys);
        const ua = userAgentOf(req);
        await this.keeper.audit.recordFailure({
          attempt: 'token',
          sourceIp: ip,
          requestId: String(req.id),
          clientId,
          ...(ua ? { userAgent: ua } : {}),
        });
      }
      throw e;
    }
  }

  private refuseIfBlocked(keys: string[]): void {
    const now = this.clock.now().getTime();
    for (const k of keys) {
      const until = this.blockedUntil.get(k);
      if (until === undefined) continue;
      if (until <= now) this.blockedUntil.delete(k);
      else {
        const wait = Math.ceil((until - now) / 1000);
        throw new ApiError(
          'RATE_LIMIT_EXCEEDED',
          'Too many failed authentication attempts',
          undefined,
          wait,
          { 'Retry-After': String(wait) },
        );
      }
    }
  }

  /** Once a client id or an address reaches its failure limit, it waits for the window to end. */
  private countFailure(keys: string[]): void {
    for (const k of keys) {
      const c = this.limits.count('token_failures', k);
      if (c && c.count >= c.limit) {
        if (this.blockedUntil.size > 100_000) this.blockedUntil.clear();
        this.blockedUntil.set(k, c.resetAt);
      }
    }
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ operationId: 'refreshToken', summary: 'Exchange a refresh token for a new access token' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiResponse({ status: 200, type: RefreshResponseDto, description: 'New access token' })
  @ApiErrors(400, 401, 413, 415, 429)
  async refresh(
    @Body() body: RefreshRequestDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RefreshResponseDto> {
    const claims = this.signer.verify(body.refresh_token);
    if (!claims) throw new UnauthorizedError('Not a valid refresh token');
    await this.limits.hit('refresh', `client:${String(claims.sub)}`, reply);
    const access = await this.keeper.auth.refresh(claims);
    void reply.header('Cache-Control', 'no-store');
    return {
      access_token: this.signer.sign(access),
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECS,
    };
  }

  @Post('revoke')
  @HttpCode(204)
  @UseGuards(BearerGuard, RateLimitGuard)
  @RateLimit('revoke')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    operationId: 'revokeToken',
    summary:
      "Revoke one of the caller's tokens (a refresh token also kills the access tokens minted from it)",
    description: 'A token that is not one of ours (bad signature) is ignored, as RFC 7009 asks.',
  })
  @ApiResponse({ status: 204, description: 'Revoked (or nothing to revoke)' })
  @ApiErrors(400, 401, 403, 413, 415, 429, 503)
  async revoke(
    @Caller() caller: Principal,
    @Body() body: RevokeRequestDto,
    @Audit() audit: AuditContext,
  ): Promise<void> {
    const claims = this.signer.verify(body.token);
    if (!claims) return;
    await this.keeper.auth.revoke(caller, claims, audit);
  }
}
