import { type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { TOKEN_ISSUER, type CostKeeper, type Principal } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { type FastifyRequest } from 'fastify';
import { JWT_SECRET } from './auth.tokens.js';
import { VerifiedTokens } from './verified-tokens.js';

/**
 * passport-jwt checks the bearer token's HS256 signature and issuer (alg none and other algorithms
 * are refused); the domain then checks type, expiry (by the Clock port), revocation and rotation.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(JWT_SECRET) secret: KeyObject,
    @Inject(COST_KEEPER) private readonly keeper: CostKeeper,
    @Inject(VerifiedTokens) private readonly verified: VerifiedTokens,
  ) {
    super({
      passReqToCallback: true,
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject (jsonwebtoken accepts one; passport-jwt's type says string | Buffer).
      secretOrKey: secret as unknown as string,
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      ignoreExpiration: true,
    });
  }

  validate(request: FastifyRequest, payload: Record<string, unknown>): Promise<Principal> {
    // The signature checked out: later requests with the same header skip passport (BearerGuard).
    this.verified.remember(request.headers.authorization, payload);
    return this.keeper.auth.authenticate(payload);
  }
}
