import { type AuditContext } from '../../model/audit/audit-entry.js';
import { UnauthorizedError, ForbiddenError, InvalidRequestError } from '../../model/errors.js';
import { type Clock } from '../../ports/clock.port.js';
import { type CredentialStore } from '../../ports/credential-store.port.js';
import { type IdGenerator } from '../../ports/id-generator.port.js';
import { type RevokedTokens } from '../../ports/revoked-tokens.port.js';
import { type SecretHasher } from '../../ports/secret-hasher.port.js';
import { TtlCache } from '../shared/ttl-cache.js';
import { AuditStamp } from '../audit/audit-trail.use-case.js';
import {
  parseClientId,
  secretVersionValid,
  type Credential,
} from '../../model/credentials/credential.entity.js';
import {
  ACCESS_TOKEN_TTL_SECS,
  REFRESH_TOKEN_TTL_SECS,
  scopeString,
  TOKEN_ISSUER,
  type Principal,
  type TokenClaims,
  type TokenType,
} from '../../model/credentials/token-claims.js';

/** "Not revoked" answers and credentials are cached this long on the hot path. */
export const AUTH_CACHE_TTL_MS = 60_000;

export interface IssuedTokenClaims {
  access: TokenClaims;
  refresh: TokenClaims;
  scope: string;
}

/**
 * Client authentication: issue, refresh, revoke and check tokens. Tokens are plain claims here;
 * the HTTP edge signs them (HS256) and checks signatures, then hands the decoded claims back.
 * Expiry is judged by the Clock port so tests can move time.
 */
export class Authentication {
  private readonly notRevoked: TtlCache<true>;
  /** Token ids revoked through this process, remembered as long as a "not revoked" answer may be cached. */
  private readonly revokedHere: TtlCache<true>;
  private readonly credentialCache: TtlCache<Credential | null>;
  private readonly stamp: AuditStamp;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly revocations: RevokedTokens,
    private readonly hasher: SecretHasher,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    cacheTtlMs = AUTH_CACHE_TTL_MS,
  ) {
    this.notRevoked = new TtlCache(clock, cacheTtlMs);
    this.revokedHere = new TtlCache(clock, cacheTtlMs);
    this.credentialCache = new TtlCache(clock, cacheTtlMs);
    this.stamp = new AuditStamp(ids, clock);
  }

  /** client_credentials grant. Same answer for an unknown id and a wrong secret. */
  async issueTokens(clientId: unknown, clientSecret: unknown): Promise<IssuedTokenClaims> {
    const parsed = parseClientId(clientId);
    const secret = typeof clientSecret === 'string' && clientSecret.length <= 512 ? clientSecret : '';
    const credential = parsed ? await this.credentials.get(clientId as string) : undefined;
    const sv = credential && secret ? await this.matchSecret(credential, secret) : undefined;
    if (!credential || sv === undefined) throw new UnauthorizedError('Invalid client credentials');
    this.credentialCache.set(credential.clientId, credential);
    const now = this.nowSecs();
    const base = {
      iss: TOKEN_ISSUER,
      sub: credential.clientId,
      org_id: credential.orgId,
      scope: scopeString(credential.orgId, credential.appId),
      iat: now,
      sv,
    };
    const withApp = <T extends object>(c: T): T =>
      credential.appId !== undefined ? { ...c, app_id: credential.appId } : c;
    return {
      access: withApp({
        ...base,
        jti: this.ids.newId(),
        token_type: 'access' as const,
        exp: now + ACCESS_TOKEN_TTL_SECS,
      }),
      refresh: withApp({
        ...base,
        jti: this.ids.newId(),
        token_type: 'refresh' as const,
        exp: now + REFRESH_TOKEN_TTL_SECS,
      }),
      scope: base.scope,
    };
  }

  /** The secret version this secret matches: the current one, or the previous one inside its grace period. */
  private async matchSecret(credential: Credential, secret: string): Promise<number | undefined> {
    if (await this.hasher.verify(secret, credential.secretHash)) return credential.secretVersion;
    if (
      credential.previousSecretHash &&
      credential.previousSecretVersion !== undefined &&
      secretVersionValid(credential, credential.previousSecretVersion, this.clock.now()) &&
      (await this.hasher.verify(secret, credential.previousSecretHash))
    ) {
      return credential.previousSecretVersion;
    }
    return undefined;
  }

  /** refresh_token grant: a new access token tied to the refresh token (revoking it kills both). */
  async refresh(claims: unknown): Promise<TokenClaims> {
    const c = await this.checkClaims(claims, 'refresh');
    const now = this.nowSecs();
    const access: TokenClaims = {
      iss: TOKEN_ISSUER,
      sub: c.sub,
      jti: this.ids.newId(),
      org_id: c.org_id,
      token_type: 'access',
      scope: c.scope,
      iat: now,
      exp: now + ACCESS_TOKEN_TTL_SECS,
      sv: c.sv,
      rid: c.jti,
    };
    if (c.app_id !== undefined) access.app_id = c.app_id;
    return access;
  }

  /** Checks a decoded access token (signature already verified) and returns the caller. */
  async authenticate(claims: unknown): Promise<Principal> {
    const c = await this.checkClaims(claims, 'access');
    const p: Principal = { clientId: c.sub, orgId: c.org_id, jti: c.jti };
    if (c.app_id !== undefined) p.appId = c.app_id;
    return p;
  }

  /** Revokes one of the caller's own tokens until its expiry. Another client's token -> 403. */
  async revoke(caller: Principal, target: unknown, context?: AuditContext): Promise<void> {
    const t = target as Partial<TokenClaims> | null;
    if (
      !t ||
      typeof t !== 'object' ||
      typeof t.jti !== 'string' ||
      typeof t.exp !== 'number' ||
      typeof t.sub !== 'string'
    ) {
      throw new InvalidRequestError([{ field: 'token', message: 'is not a token issued by this service' }]);
    }
    if (t.sub !== caller.clientId) throw new ForbiddenError('A client may revoke only its own tokens');
    if (t.exp <= this.nowSecs()) return; // already dead: nothing to keep
    const audit = this.stamp.entry(
      context ?? { actor: { kind: 'client', id: caller.clientId } },
      caller.orgId,
      'token.revoked',
      { type: 'token', id: t.jti },
      {
        tokenType: { before: null, after: t.token_type ?? null },
        expiresAt: { before: null, after: new Date(t.exp * 1000).toISOString() },
      },
    );
    await this.revocations.revoke(t.jti, t.exp, [audit]);
    // Other processes learn of it within the "not revoked" cache TTL; this one at once.
    this.revokedHere.set(t.jti, true);
  }

  private async checkClaims(raw: unknown, type: TokenType): Promise<TokenClaims> {
    const c = raw as Partial<TokenClaims> | null;
    if (
      !c ||
      typeof c !== 'object' ||
      c.iss !== TOKEN_ISSUER ||
      c.token_type !== type ||
      typeof c.jti !== 'string' ||
      typeof c.sub !== 'string' ||
      typeof c.org_id !== 'string' ||
      typeof c.exp !== 'number' ||
      typeof c.sv !== 'number' ||
      typeof c.scope !== 'string'
    ) {
      throw new UnauthorizedError(`Not a valid ${type} token`);
    }
    const parsed = parseClientId(c.sub);
    if (!parsed || parsed.orgId !== c.org_id || parsed.appId !== c.app_id)
      throw new UnauthorizedError(`Not a valid ${type} token`);
    if (c.exp <= this.nowSecs()) throw new UnauthorizedError(`The ${type} token has expired`);
    const ids = c.rid ? [c.jti, c.rid] : [c.jti];
    if (ids.some((id) => this.revokedHere.get(id) !== undefined))
      throw new UnauthorizedError(`The ${type} token has been revoked`);
    const cacheKey = ids.join('|');
    if (this.notRevoked.get(cacheKey) === undefined) {
      if (await this.revocations.anyRevoked(ids, this.clock.now()))
        throw new UnauthorizedError(`The ${type} token has been revoked`);
      this.notRevoked.set(cacheKey, true);
    }
    const credential = await this.credentialCache.getOrLoad(
      c.sub,
      async () => (await this.credentials.get(c.sub!)) ?? null,
    );
    if (!credential || !secretVersionValid(credential, c.sv, this.clock.now())) {
      throw new UnauthorizedError(`The ${type} token was issued under a secret that is no longer valid`);
    }
    return c as TokenClaims;
  }

  /** Forget the cached credential (after a rotation through this process). */
  forgetCredential(clientId: string): void {
    this.credentialCache.delete(clientId);
  }

  private nowSecs(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}
