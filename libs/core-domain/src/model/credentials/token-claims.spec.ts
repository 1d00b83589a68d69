import { describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '../errors.js';
import {
  ACCESS_TOKEN_TTL_SECS,
  authorize,
  REFRESH_TOKEN_TTL_SECS,
  scopeString,
  TOKEN_ISSUER,
  type Principal,
} from './token-claims.js';

const ORG = '0b6f1c1e-2d3a-4c5b-8e9f-a0b1c2d3e4f5';
const OTHER_ORG = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';

const orgToken: Principal = { clientId: `org-${ORG}`, orgId: ORG, jti: 'j1' };
const appToken: Principal = { clientId: `org-${ORG}-app-billing`, orgId: ORG, appId: 'billing', jti: 'j2' };

function forbidden(fn: () => void): ForbiddenError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ForbiddenError);
    return e as ForbiddenError;
  }
  throw new Error('expected ForbiddenError');
}

describe('rule: tokens are HS256 JWTs from issuer bedrock-cost-keeper; access 3600 s, refresh 604800 s', () => {
  it('rule: issuer and lifetimes', () => {
    expect(TOKEN_ISSUER).toBe('bedrock-cost-keeper');
    expect(ACCESS_TOKEN_TTL_SECS).toBe(3600);
    expect(REFRESH_TOKEN_TTL_SECS).toBe(604800);
  });

  it('rule: scope is org:{org_id} for an org credential and org:{org_id} app:{app_id} for an app credential', () => {
    expect(scopeString(ORG)).toBe(`org:${ORG}`);
    expect(scopeString(ORG, 'billing')).toBe(`org:${ORG} app:billing`);
  });
});

describe('rule: an app token may act only on its own app', () => {
  it('rule: an app token is allowed on its own app', () => {
    expect(() => authorize(appToken, { orgId: ORG, appId: 'billing' })).not.toThrow();
  });

  it('rule: an app token is refused on another app of its org (403 FORBIDDEN)', () => {
    const err = forbidden(() => authorize(appToken, { orgId: ORG, appId: 'search' }));
    expect(err.code).toBe('FORBIDDEN');
  });

  it('rule: app ids are compared exactly (case matters)', () => {
    forbidden(() => authorize(appToken, { orgId: ORG, appId: 'Billing' }));
  });

  it('rule: an app token is refused on org-level targets', () => {
    forbidden(() => authorize(appToken, { orgId: ORG }));
  });

  it('rule: an app token is refused on org-only routes, even naming its own app (org aggregates)', () => {
    forbidden(() => authorize(appToken, { orgId: ORG, orgOnly: true }));
    forbidden(() => authorize(appToken, { orgId: ORG, appId: 'billing', orgOnly: true }));
  });
});

describe('rule: an org token may act on its org and all its apps', () => {
  it('rule: an org token is allowed on its org', () => {
    expect(() => authorize(orgToken, { orgId: ORG })).not.toThrow();
  });

  it('rule: an org token is allowed on every app of its org', () => {
    expect(() => authorize(orgToken, { orgId: ORG, appId: 'billing' })).not.toThrow();
    expect(() => authorize(orgToken, { orgId: ORG, appId: 'anything-else' })).not.toThrow();
  });

  it('rule: an org token is allowed on org-only routes', () => {
    expect(() => authorize(orgToken, { orgId: ORG, orgOnly: true })).not.toThrow();
  });
});

describe('rule: no token may touch another org', () => {
  it('rule: an org token is refused on another org and its apps', () => {
    forbidden(() => authorize(orgToken, { orgId: OTHER_ORG }));
    forbidden(() => authorize(orgToken, { orgId: OTHER_ORG, appId: 'billing' }));
    forbidden(() => authorize(orgToken, { orgId: OTHER_ORG, orgOnly: true }));
  });

  it('rule: an app token is refused on an app of the same name in another org', () => {
    const err = forbidden(() => authorize(appToken, { orgId: OTHER_ORG, appId: 'billing' }));
    expect(err.code).toBe('FORBIDDEN');
  });
});
