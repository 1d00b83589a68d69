import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, SequentialIds, testCostKeeper, uniqueId } from '#core-domain/testing';
import { ForbiddenError, InvalidRequestError, type TokenClaims, UnauthorizedError } from '#core-domain';

async function setup(appScope = false) {
  const clock = new FakeClock('2026-03-10T12:00:00Z');
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({
    storage,
    clock,
  });
  const orgId = uniqueId();
  const org = await keeper.provisioning.putOrg(orgId, {
    orgName: 'A',
    timezone: 'UTC',
    quotaScope: appScope ? 'APP' : 'ORG',
  });
  const app = await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  return { clock, storage, keeper, auth: keeper.auth, orgId, org: org.credentials!, app: app.credentials! };
}

describe('Authentication (use case)', () => {
  it('rule: tokens carry issuer, unique jti, sub = client id, org_id, app_id (absent for an org), type, scope; 3600 s / 604800 s', async () => {
    const { auth, org, app, orgId } = await setup();
    const o = await auth.issueTokens(org.clientId, org.clientSecret);
    expect(o.access).toMatchObject({
      iss: 'bedrock-cost-keeper',
      sub: `org-${orgId}`,
      org_id: orgId,
      token_type: 'access',
      scope: `org:${orgId}`,
    });
    expect(o.access.app_id).toBeUndefined();
    expect(o.access.exp - o.access.iat).toBe(3600);
    expect(o.refresh.exp - o.refresh.iat).toBe(604800);
    expect(o.access.jti).not.toBe(o.refresh.jti);
    const a = await auth.issueTokens(app.clientId, app.clientSecret);
    expect(a.access).toMatchObject({ app_id: 'chat', scope: `org:${orgId} app:chat` });
  });

  it('answers the same 401 for an unknown client id and a wrong secret', async () => {
    const { auth, org } = await setup();
    const e1 = await auth.issueTokens(org.clientId, 'wrong').catch((e: Error) => e);
    const e2 = await auth.issueTokens(`org-${uniqueId()}`, org.clientSecret).catch((e: Error) => e);
    const e3 = await auth.issueTokens('garbage', org.clientSecret).catch((e: Error) => e);
    for (const e of [e1, e2, e3]) {
      expect(e).toBeInstanceOf(UnauthorizedError);
      expect((e as Error).message).toBe('Invalid client credentials');
    }
  });

  it('authenticates access tokens and refuses refresh tokens, expired, forged-issuer or inconsistent claims', async () => {
    const { auth, clock, app, orgId } = await setup();
    const t = await auth.issueTokens(app.clientId, app.clientSecret);
    expect(await auth.authenticate(t.access)).toEqual({
      clientId: app.clientId,
      orgId,
      appId: 'chat',
      jti: t.access.jti,
    });
    await expect(auth.authenticate(t.refresh)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(auth.authenticate({ ...t.access, iss: 'someone-else' })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(auth.authenticate({ ...t.access, org_id: uniqueId() })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(auth.authenticate({ ...t.access, app_id: 'other' })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    await expect(auth.authenticate(null)).rejects.toBeInstanceOf(UnauthorizedError);
    clock.advanceSecs(3600);
    await expect(auth.authenticate(t.access)).rejects.toThrow('expired');
  });

  it('refresh mints an access token bound to the refresh token', async () => {
    const { auth, org } = await setup();
    const t = await auth.issueTokens(org.clientId, org.clientSecret);
    const access = await auth.refresh(t.refresh);
    expect(access).toMatchObject({ token_type: 'access', rid: t.refresh.jti, sub: org.clientId });
    await expect(auth.refresh(t.access)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('rule: revoking a refresh token also invalidates the access tokens minted from it', async () => {
    const { auth, org } = await setup();
    const t = await auth.issueTokens(org.clientId, org.clientSecret);
    const minted = await auth.refresh(t.refresh);
    const caller = await auth.authenticate(minted); // cached as "not revoked"
    await auth.revoke(caller, t.refresh);
    await expect(auth.refresh(t.refresh)).rejects.toThrow('revoked');
    await expect(auth.authenticate(minted)).rejects.toThrow('revoked');
    expect(await auth.authenticate(t.access)).toBeTruthy(); // not minted from that refresh token
  });

  it('rule: revocations are seen by other instances (shared storage) once their "not revoked" cache expires', async () => {
    const { auth, org, storage, clock } = await setup();
    const other = testCostKeeper({
      storage,
      clock,
      ids: new SequentialIds('00000000-0000-4000-9000'),
    }).auth;
    const t = await auth.issueTokens(org.clientId, org.clientSecret);
    await other.authenticate(t.access); // cached there
    await auth.revoke(await auth.authenticate(t.access), t.access);
    await expect(auth.authenticate(t.access)).rejects.toThrow('revoked');
    clock.advanceSecs(61);
    await expect(other.authenticate(t.access)).rejects.toThrow('revoked');
  });

  it('rule: a client may revoke only its own tokens', async () => {
    const { auth, org, app } = await setup();
    const o = await auth.issueTokens(org.clientId, org.clientSecret);
    const a = await auth.issueTokens(app.clientId, app.clientSecret);
    await expect(auth.revoke(await auth.authenticate(a.access), o.refresh)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(auth.revoke(await auth.authenticate(a.access), { nope: 1 })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('rule: after rotation the old secret works during the grace period, then fails with its refresh tokens', async () => {
    const { auth, keeper, org, orgId, clock } = await setup();
    const before = await auth.issueTokens(org.clientId, org.clientSecret);
    const r = await keeper.provisioning.rotateCredentials(orgId, undefined, 1);
    expect((await auth.issueTokens(org.clientId, org.clientSecret)).access.sv).toBe(1);
    expect((await auth.issueTokens(org.clientId, r.clientSecret)).access.sv).toBe(2);
    expect(await auth.refresh(before.refresh)).toBeTruthy();
    clock.advanceSecs(3600);
    await expect(auth.issueTokens(org.clientId, org.clientSecret)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(auth.refresh(before.refresh)).rejects.toThrow('no longer valid');
    const fresh = await auth.issueTokens(org.clientId, r.clientSecret);
    expect(await auth.refresh(fresh.refresh)).toBeTruthy();
  });

  it('rule: a zero-hour grace kills the old secret and its refresh tokens at once', async () => {
    const { auth, keeper, app, orgId } = await setup();
    const before = await auth.issueTokens(app.clientId, app.clientSecret);
    await keeper.provisioning.rotateCredentials(orgId, 'chat', 0);
    await expect(auth.issueTokens(app.clientId, app.clientSecret)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(auth.refresh(before.refresh)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('revoking an already expired token is a no-op', async () => {
    const { auth, org, clock, storage } = await setup();
    const t = await auth.issueTokens(org.clientId, org.clientSecret);
    const caller = await auth.authenticate(t.access);
    clock.advanceSecs(4000);
    await auth.revoke(caller, t.access as TokenClaims);
    expect(await storage.revocations.anyRevoked([t.access.jti], clock.now())).toBe(false);
  });
});
