import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isPrivateAddress, type SendResult, type WebhookSender } from '#core-domain';

const MAX_BODY = 1024;

/**
 * Webhook POSTs with node:http(s): the host is resolved first and every address it resolves to must
 * be public (private, loopback, link-local and metadata addresses are refused at each delivery, so a
 * DNS answer that changed since creation cannot reach inside), the connection goes to the checked
 * address, redirects are not followed (a 3xx is a failed attempt), and the whole attempt is bounded
 * by `timeoutMs`. `allowPrivate` (WEBHOOK_ALLOW_PRIVATE=true) lifts the address rule for local use.
 */
export function createWebhookSender(opts: {
  allowPrivate: boolean;
  resolve?: (host: string) => Promise<string[]>;
  now?: () => number;
}): WebhookSender {
  const resolve =
    opts.resolve ?? (async (host: string) => (await lookup(host, { all: true })).map((a) => a.address));
  const now = opts.now ?? (() => performance.now());
  return {
    async send({ url, headers, body, timeoutMs }): Promise<SendResult> {
      const started = now();
      const took = () => Math.round(now() - started);
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return { statusCode: null, durationMs: 0, error: 'invalid URL' };
      }
      const host = target.hostname.replace(/^\[|\]$/g, '');
      let address: string;
      try {
        const addresses = isIP(host) ? [host] : await resolve(host);
        if (addresses.length === 0)
          return { statusCode: null, durationMs: took(), error: 'host did not resolve' };
        if (!opts.allowPrivate && addresses.some(isPrivateAddress)) {
          return {
            statusCode: null,
            durationMs: took(),
            error: 'refused: the host resolves to a private address',
          };
        }
        address = addresses[0]!;
      } catch (e) {
        return { statusCode: null, durationMs: took(), error: `DNS: ${(e as Error).message}` };
      }
      const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise<SendResult>((resolveResult) => {
        let settled = false;
        const finish = (r: SendResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolveResult(r);
        };
        const req = request(
          {
            protocol: target.protocol,
            hostname: target.hostname,
            port: target.port || undefined,
            path: `${target.pathname}${target.search}`,
            method: 'POST',
            headers: { ...headers, 'content-length': Buffer.byteLength(body) },
            // Connect to the address that was checked, keep the name for TLS (SNI) and Host.
            lookup: (_h, options, cb) => {
              const family = isIP(address);
              if ((options as { all?: boolean }).all) cb(null, [{ address, family }] as never, family);
              else cb(null, address, family);
            },
            servername: isIP(host) ? undefined : host,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (c: Buffer) => {
              if (size < MAX_BODY) chunks.push(c);
              size += c.length;
            });
            res.on('end', () => {
              const status = res.statusCode ?? null;
              const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY);
              const r: SendResult = { statusCode: status, durationMs: took() };
              if (text) r.body = text;
              if (status !== null && status >= 300 && status < 400) r.error = 'redirects are not followed';
              finish(r);
            });
            res.on('error', (e) =>
              finish({ statusCode: res.statusCode ?? null, durationMs: took(), error: e.message }),
            );
          },
        );
        const timer = setTimeout(() => {
          req.destroy(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        req.on('error', (e) => finish({ statusCode: null, durationMs: took(), error: e.message }));
        req.end(body);
      });
    },
  };
}
