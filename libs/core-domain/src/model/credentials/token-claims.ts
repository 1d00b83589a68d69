import { ForbiddenError } from '../errors.js';

export const TOKEN_ISSUER = 'bedrock-cost-keeper';
export const ACCESS_TOKEN_TTL_SECS = 3600;
export const REFRESH_TOKEN_TTL_SECS = 604800;

export type TokenType = 'access' | 'refresh';

/** The claims of our HS256 JWTs. Signing and signature checks are the HTTP edge's job. */
export interface TokenClaims {
  iss: string;
  sub: string; // client id
  jti: string;
  org_id: string;
  app_id?: string;
  token_type: TokenType;
  scope: string;
  iat: number;
  exp: number;
  /** Secret version the token was issued under (rotation grace). */
  sv: number;
  /** For access tokens minted by a refresh: the refresh token's jti (revoking it kills them). */
  rid?: string;
}

/** Who is calling, once a token checked out. */
export interface Principal {
  clientId: string;
  orgId: string;
  appId?: string;
  jti: string;
}

export function scopeString(orgId: string, appId?: string): string {
  return appId ? `org:${orgId} app:${appId}` : `org:${orgId}`;
}

/**
 * Which token may act on what: an app token only on its own app; an org token on its org and all
 * its apps; neither on another org. `orgOnly` routes (org aggregates) refuse app tokens.
 */
export function authorize(
  principal: Principal,
  target: { orgId: string; appId?: string; orgOnly?: boolean },
): void {
  if (principal.orgId !== target.orgId) throw new ForbiddenError('This token belongs to another org');
  if (principal.appId === undefined) return;
  if (target.orgOnly) throw new ForbiddenError('This route needs an org token');
  if (target.appId === undefined || target.appId !== principal.appId) {
    throw new ForbiddenError('An app token may act only on its own app');
  }
}
