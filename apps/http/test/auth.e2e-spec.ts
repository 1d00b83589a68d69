import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { uniqueId } from '#core-domain/testing';
import {
  ADMIN_KEY,
  craftJwt,
  decodeJwt,
  expectErrorBody,
  provision,
  startApp,
  STORAGES,
  tokens,
  type Harness,
} from './harness.js';

describe.each(STORAGES)('auth routes on %s storage', (kind) => {
  let h: Harness;
  let p: Awaited<ReturnType<typeof provision>>;
  beforeAll(async () => {
    h = await startApp(kind);
    p = await provision(h, {}, ['chat', 'other']);
  });
  afterAll(async () => h.close());

  describe('POST /auth/token', () => {
    it('issues tokens from a JSON body', async () => {
      const r = await h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...p.apps.chat });
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_expires_in: 604800,
        scope: `org:${p.orgId} app:chat`,
      });
      const claims = decodeJwt(r.body.access_token);
      expect(claims).toMatchObject({
        iss: 'bedrock-cost-keeper',
        sub: p.apps.chat!.client_id,
        org_id: p.orgId,
        app_id: 'chat',
        token_type: 'access',
      });
      expect(typeof claims.jti).toBe('string');
      // RFC 7519 iat beside exp, from the service's clock.
      expect(Number.isInteger(claims.iat)).toBe(true);
      expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
      const refresh = decodeJwt(r.body.refresh_token);
      expect(refresh.token_type).toBe('refresh');
      expect((refresh.exp as number) - (refresh.iat as number)).toBe(604800);
    });

    it('issues tokens from a form-encoded body and with HTTP Basic', async () => {
      const form = await h.http.post('/auth/token').type('form').send({
        grant_type: 'client_credentials',
        client_id: p.org.client_id,
        client_secret: p.org.client_secret,
      });
      expect(form.status).toBe(200);
      expect(form.body.scope).toBe(`org:${p.orgId}`);
      const basic = Buffer.from(
        `${encodeURIComponent(p.org.client_id)}:${encodeURIComponent(p.org.client_secret)}`,
      ).toString('base64');
      const b = await h.http
        .post('/auth/token')
        .set('Authorization', `Basic ${basic}`)
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expect(b.status).toBe(200);
    });

    it('answers the same 401 for a wrong secret and an unknown client id', async () => {
      const wrong = await h.http
        .post('/auth/token')
        .send({ grant_type: 'client_credentials', client_id: p.org.client_id, client_secret: 'nope' });
      const unknown = await h.http.post('/auth/token').send({
        grant_type: 'client_credentials',
        client_id: `org-${uniqueId()}`,
        client_secret: p.org.client_secret,
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expectErrorBody(wrong.body, 'UNAUTHORIZED');
      expect(wrong.body.message).toBe(unknown.body.message);
    });

    it('400 for a wrong grant type, missing credentials or unknown fields', async () => {
      const g = await h.http.post('/auth/token').send({ grant_type: 'password', ...p.org });
      expect(g.status).toBe(400);
      expectErrorBody(g.body, 'INVALID_REQUEST');
      expect(g.body.details.fields.map((f: { field: string }) => f.field)).toEqual(['grant_type']);
      const missing = await h.http
        .post('/auth/token')
        .send({ grant_type: 'client_credentials', client_id: p.org.client_id });
      expect(missing.status).toBe(400);
      const extra = await h.http
        .post('/auth/token')
        .send({ grant_type: 'client_credentials', ...p.org, scope: 'x' });
      expect(extra.status).toBe(400);
      expect(extra.body.details.fields).toEqual([{ field: 'scope', message: 'is not a known field' }]);
    });
  });

  describe('POST /auth/refresh', () => {
    it('exchanges a refresh token for an access token', async () => {
      const t = await tokens(h, p.apps.chat!);
      const r = await h.http
        .post('/auth/refresh')
        .send({ grant_type: 'refresh_token', refresh_token: t.refresh });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(decodeJwt(r.body.access_token)).toMatchObject({
        token_type: 'access',
        rid: decodeJwt(t.refresh).jti,
      });
    });

    it('401 for an access token, a tampered or forged one; 400 for a wrong grant type', async () => {
      const t = await tokens(h, p.apps.chat!);
      for (const bad of [
        t.access,
        `${t.refresh}x`,
        craftJwt(decodeJwt(t.refresh), { key: 'some-other-key-0123456789abcdefghij' }),
      ]) {
        const r = await h.http
          .post('/auth/refresh')
          .send({ grant_type: 'refresh_token', refresh_token: bad });
        expect(r.status).toBe(401);
        expectErrorBody(r.body, 'UNAUTHORIZED');
      }
      expect(
        (
          await h.http
            .post('/auth/refresh')
            .send({ grant_type: 'client_credentials', refresh_token: t.refresh })
        ).status,
      ).toBe(400);
    });

    it('401 once the refresh token has expired (7 days)', async () => {
      const t = await tokens(h, p.apps.other!);
      h.clock.advanceSecs(604800);
      const r = await h.http
        .post('/auth/refresh')
        .send({ grant_type: 'refresh_token', refresh_token: t.refresh });
      expect(r.status).toBe(401);
      h.clock.set(new Date());
    });
  });

  describe('POST /auth/revoke', () => {
    it('revoking a refresh token kills it and the access tokens minted from it', async () => {
      const t = await tokens(h, p.apps.chat!);
      const minted = (
        await h.http.post('/auth/refresh').send({ grant_type: 'refresh_token', refresh_token: t.refresh })
      ).body.access_token;
      const r = await h.http
        .post('/auth/revoke')
        .set('Authorization', `Bearer ${t.access}`)
        .send({ token: t.refresh, token_type_hint: 'refresh_token' });
      expect(r.status).toBe(204);
      const again = await h.http
        .post('/auth/refresh')
        .send({ grant_type: 'refresh_token', refresh_token: t.refresh });
      expect(again.status).toBe(401);
      const use = await h.http
        .post('/auth/revoke')
        .set('Authorization', `Bearer ${minted}`)
        .send({ token: minted });
      expect(use.status).toBe(401);
      expectErrorBody(use.body, 'UNAUTHORIZED');
    });

    it('a revoked access token is refused at once', async () => {
      const t = await tokens(h, p.apps.chat!);
      expect(
        (
          await h.http
            .post('/auth/revoke')
            .set('Authorization', `Bearer ${t.access}`)
            .send({ token: t.access })
        ).status,
      ).toBe(204);
      expect(
        (
          await h.http
            .post('/auth/revoke')
            .set('Authorization', `Bearer ${t.access}`)
            .send({ token: t.access })
        ).status,
      ).toBe(401);
    });

    it("403 for another client's token; 204 for a token that is not ours", async () => {
      const mine = await tokens(h, p.apps.chat!);
      const theirs = await tokens(h, p.apps.other!);
      const r = await h.http
        .post('/auth/revoke')
        .set('Authorization', `Bearer ${mine.access}`)
        .send({ token: theirs.refresh });
      expect(r.status).toBe(403);
      expectErrorBody(r.body, 'FORBIDDEN');
      const junk = await h.http
        .post('/auth/revoke')
        .set('Authorization', `Bearer ${mine.access}`)
        .send({ token: 'not-a-token' });
      expect(junk.status).toBe(204);
    });
  });

  describe('bearer checks (on POST /auth/revoke)', () => {
    const revokeWith = (token: string) =>
      h.http.post('/auth/revoke').set('Authorization', `Bearer ${token}`).send({ token: 'x' });

    it('401 for missing, malformed, tampered, forged-key, alg none, refresh-typed and expired tokens', async () => {
      const t = await tokens(h, p.apps.chat!);
      const claims = decodeJwt(t.access);
      const [head, , sig] = t.access.split('.');
      const tamperedBody = Buffer.from(JSON.stringify({ ...claims, app_id: 'other' })).toString('base64url');
      const cases: Record<string, string | undefined> = {
        missing: undefined,
        malformed: 'abc.def',
        tampered: `${head}.${tamperedBody}.${sig}`,
        'foreign key': craftJwt(claims, { key: 'another-secret-0123456789abcdefghijkl' }),
        'alg none': craftJwt(claims, { alg: 'none' }),
        'refresh-typed': t.refresh,
        'wrong issuer': craftJwt({ ...claims, iss: 'someone-else' }),
      };
      for (const [name, token] of Object.entries(cases)) {
        const r =
          token === undefined
            ? await h.http.post('/auth/revoke').send({ token: 'x' })
            : await revokeWith(token);
        expect({ name, status: r.status }).toEqual({ name, status: 401 });
        expectErrorBody(r.body, 'UNAUTHORIZED');
      }
      h.clock.advanceSecs(3600);
      expect((await revokeWith(t.access)).status).toBe(401);
      h.clock.set(new Date());
    });
  });

  describe('bearer checks on a token seen before (its verified claims are remembered)', () => {
    const revokeWith = (token: string) =>
      h.http.post('/auth/revoke').set('Authorization', `Bearer ${token}`).send({ token: 'x' });

    it('a tampered copy is still refused, and the token itself is refused once it expires', async () => {
      const t = await tokens(h, p.apps.chat!);
      expect((await revokeWith(t.access)).status).toBe(204); // verified by passport-jwt, remembered
      expect((await revokeWith(t.access)).status).toBe(204); // from memory
      const [head, body, sig] = t.access.split('.');
      const flipped = `${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BB' : 'AA'}`;
      expect((await revokeWith(`${head}.${body}.${flipped}`)).status).toBe(401);
      const tamperedBody = Buffer.from(
        JSON.stringify({ ...decodeJwt(t.access), exp: 4_102_444_800 }),
      ).toString('base64url');
      expect((await revokeWith(`${head}.${tamperedBody}.${sig}`)).status).toBe(401);
      h.clock.advanceSecs(3600);
      const expired = await revokeWith(t.access);
      expect(expired.status).toBe(401);
      expectErrorBody(expired.body, 'UNAUTHORIZED');
      h.clock.set(new Date());
    });
  });

  describe('rotation', () => {
    it('the old secret works during the grace period, then fails with the refresh tokens minted under it', async () => {
      const q = await provision(h, {}, ['rot']);
      const before = await tokens(h, q.apps.rot!);
      const rot = await h.http
        .post(`/api/v1/orgs/${q.orgId}/apps/rot/credentials/rotate`)
        .set('X-API-Key', ADMIN_KEY)
        .send({ grace_period_hours: 1 });
      expect(rot.status).toBe(200);
      expect(rot.body).toMatchObject({ client_id: q.apps.rot!.client_id, grace_period_hours: 1 });
      expect(await tokens(h, q.apps.rot!)).toBeTruthy(); // old secret, inside the grace period
      const fresh = { client_id: q.apps.rot!.client_id, client_secret: rot.body.client_secret as string };
      expect(await tokens(h, fresh)).toBeTruthy();
      h.clock.advanceSecs(3601);
      const old = await h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...q.apps.rot });
      expect(old.status).toBe(401);
      const refresh = await h.http
        .post('/auth/refresh')
        .send({ grant_type: 'refresh_token', refresh_token: before.refresh });
      expect(refresh.status).toBe(401);
      expect(
        (await h.http.post('/auth/token').send({ grant_type: 'client_credentials', ...fresh })).status,
      ).toBe(200);
      h.clock.set(new Date());
    });
  });
});
