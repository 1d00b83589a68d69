// The Node webhook adapters against a real local HTTP server (127.0.0.1, a free port).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createWebhookSender } from './webhook-sender.js';
import { standardWebhookSigner } from './webhook-signer.js';

describe('standardWebhookSigner (Standard Webhooks v1)', () => {
  it('signs "{id}.{timestamp}.{body}" with HMAC-SHA256 of the base64 key after whsec_', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const key = Buffer.from(secret.slice(6), 'base64');
    const expected = createHmac('sha256', key).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(standardWebhookSigner.sign('msg_1', 1700000000, '{"a":1}', [secret])).toBe(`v1,${expected}`);
  });
  it('verifies with the standardwebhooks package, as a receiver would (also with two signatures)', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const old = `whsec_${randomBytes(32).toString('base64')}`;
    const body = JSON.stringify({ id: 'evt_1', type: 'webhook.test' });
    const ts = Math.floor(Date.parse('2026-12-01T12:00:00Z') / 1000);
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': standardWebhookSigner.sign('evt_1', ts, body, [secret, old]),
    };
    // The package checks the timestamp against its own clock: verify as of the signing time.
    const realNow = Date.now;
    Date.now = () => ts * 1000;
    try {
      expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'evt_1', type: 'webhook.test' });
      expect(new Webhook(old).verify(body, headers)).toEqual({ id: 'evt_1', type: 'webhook.test' });
      expect(() =>
        new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(body, headers),
      ).toThrow();
      expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
    } finally {
      Date.now = realNow;
    }
  });

  it('signs with every secret during a rotation overlap, space-separated', () => {
    const a = `whsec_${randomBytes(32).toString('base64')}`;
    const b = `whsec_${randomBytes(32).toString('base64')}`;
    const sig = standardWebhookSigner.sign('id', 1, 'x', [a, b]).split(' ');
    expect(sig).toHaveLength(2);
    expect(sig[0]).toBe(standardWebhookSigner.sign('id', 1, 'x', [a]));
    expect(sig[1]).toBe(standardWebhookSigner.sign('id', 1, 'x', [b]));
  });
});

describe('createWebhookSender', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/ok') res.writeHead(204).end();
        else if (req.url === '/gone') res.writeHead(410).end('gone');
        else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
        else if (req.url === '/big') res.writeHead(500).end('x'.repeat(5000));
        else res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  const open = createWebhookSender({ allowPrivate: true });
  const send = (path: string, sender = open) =>
    sender.send({
      url: `${base}${path}`,
      headers: { 'webhook-id': 'evt_1' },
      body: '{"x":1}',
      timeoutMs: 5000,
    });

  it('POSTs the body with the headers and reports the status', async () => {
    const r = await send('/ok');
    expect(r).toMatchObject({ statusCode: 204 });
    expect(seen.at(-1)).toMatchObject({ url: '/ok', body: '{"x":1}', headers: { 'webhook-id': 'evt_1' } });
  });

  it('reports 410 and keeps at most 1 KiB of a response body', async () => {
    expect(await send('/gone')).toMatchObject({ statusCode: 410, body: 'gone' });
    const big = await send('/big');
    expect(big.statusCode).toBe(500);
    expect(big.body).toHaveLength(1024);
  });

  it('does not follow redirects', async () => {
    const before = seen.length;
    const r = await send('/redirect');
    expect(r).toMatchObject({ statusCode: 302, error: 'redirects are not followed' });
    expect(seen.length).toBe(before + 1); // /ok was never requested
  });

  it('refuses private addresses at delivery unless allowed, also when a name resolves to one (DNS rebinding)', async () => {
    const strict = createWebhookSender({ allowPrivate: false });
    const before = seen.length;
    expect(await send('/ok', strict)).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/private/),
    });
    const rebinding = createWebhookSender({
      allowPrivate: false,
      resolve: async () => ['8.8.8.8', '10.0.0.7'],
    });
    const r = await rebinding.send({
      url: 'https://hooks.example.com/x',
      headers: {},
      body: '',
      timeoutMs: 1000,
    });
    expect(r).toMatchObject({ statusCode: null, error: expect.stringMatching(/private/) });
    expect(seen.length).toBe(before);
  });

  it('reports a refused connection as no answer', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await open.send({ url: `http://127.0.0.1:${port}/`, headers: {}, body: '', timeoutMs: 5000 });
    expect(r.statusCode).toBeNull();
    expect(r.error).toBeTruthy();
  });
});
