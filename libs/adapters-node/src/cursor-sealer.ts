import { createHmac, timingSafeEqual } from 'node:crypto';
import { type CursorSealer } from '#core-domain';

/**
 * Cursors as `base64url(payload).base64url(HMAC-SHA256(key, payload))`. The key is derived from a
 * service secret (JWT_SECRET in the composition), so every process of a deployment opens the cursors
 * of the others, and nobody else can make one.
 */
export function hmacCursorSealer(secret: string): CursorSealer {
  const key = createHmac('sha256', secret).update('bck-cursor-v1').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    seal(payload) {
      return `${Buffer.from(payload).toString('base64url')}.${mac(payload).toString('base64url')}`;
    },
    open(token) {
      const dot = token.indexOf('.');
      if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
      const payload = Buffer.from(token.slice(0, dot), 'base64url').toString('utf8');
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return payload;
    },
  };
}
