import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { buildOnce, freePort, run, waitForHttp, type Running } from './process.js';

const KEY = 'startup-admin-key-0123456789abcdefghijkl';
const SECRET = 'startup-jwt-secret-0123456789abcdefghijk';
const MAIN = 'dist/apps/http/main.js';

describe('the HTTP process', () => {
  beforeAll(() => buildOnce(), 180_000);

  it.each([
    ['PROVISIONING_API_KEY', { JWT_SECRET: SECRET }],
    ['JWT_SECRET', { PROVISIONING_API_KEY: KEY }],
    ['PROVISIONING_API_KEY', { PROVISIONING_API_KEY: 'weak', JWT_SECRET: SECRET }],
    ['STORAGE', { PROVISIONING_API_KEY: KEY, JWT_SECRET: SECRET, STORAGE: 'sqlite' }],
    [
      'labels.premium.input_price_usd_micros_per_1m',
      {
        PROVISIONING_API_KEY: KEY,
        JWT_SECRET: SECRET,
        STORAGE: 'memory',
        CONFIG_FILE: 'test/fixtures/bad-config.yaml',
      },
    ],
  ])('refuses to start with one line naming %s', async (name, env) => {
    const p = run([MAIN], { ...env, PORT: '0' });
    expect(await p.exited).toBe(1);
    const lines = p.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });

  describe('serving', () => {
    let p: Running;
    let base = '';
    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      p = run([MAIN], {
        PROVISIONING_API_KEY: KEY,
        JWT_SECRET: SECRET,
        STORAGE: 'memory',
        PORT: String(port),
      });
      await waitForHttp(`${base}/health`);
    }, 60_000);
    afterAll(async () => {
      await p?.stop();
    });

    it('logs JSON with the request id on every request line and never logs secrets or tokens', async () => {
      const orgId = randomUUID();
      const created = await fetch(`${base}/api/v1/orgs/${orgId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'x-request-id': 'req-startup-1' },
        body: JSON.stringify({ org_name: 'Acme', timezone: 'UTC', quota_scope: 'ORG' }),
      });
      expect(created.status).toBe(201);
      const { credentials } = (await created.json()) as {
        credentials: { client_id: string; client_secret: string };
      };
      const token = await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-startup-2' },
        body: JSON.stringify({ grant_type: 'client_credentials', ...credentials }),
      });
      const { access_token: access } = (await token.json()) as { access_token: string };
      await fetch(`${base}/auth/revoke`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${access}`,
          'x-request-id': 'req-startup-3',
        },
        body: JSON.stringify({ token: access }),
      });
      await new Promise((r) => setTimeout(r, 200)); // let the child flush its log lines
      const lines = p
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      // One line per request, written when it is answered: method, URL, status, time and request id.
      const requestLines = lines.filter((l) => l.msg === 'request completed');
      expect(requestLines.length).toBeGreaterThanOrEqual(3);
      for (const l of requestLines) {
        expect(typeof l.reqId).toBe('string');
        expect(l.msg).toBe('request completed');
        expect(typeof l.responseTime).toBe('number');
      }
      const put = requestLines.find((l) => l.reqId === 'req-startup-1')!;
      expect(put).toMatchObject({ method: 'PUT', url: `/api/v1/orgs/${orgId}`, statusCode: 201 });
      expect(requestLines.filter((l) => l.reqId === 'req-startup-1')).toHaveLength(1);
      expect(requestLines.map((l) => l.reqId)).toEqual(
        expect.arrayContaining(['req-startup-1', 'req-startup-2', 'req-startup-3']),
      );
      const all = p.stdout() + p.stderr();
      for (const secret of [KEY, SECRET, credentials.client_secret, access])
        expect(all).not.toContain(secret);
    });

    it('stops cleanly on SIGTERM', async () => {
      expect(await p.stop('SIGTERM')).toBe(0);
    });
  });
});
