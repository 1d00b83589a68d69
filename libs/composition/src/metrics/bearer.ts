import { createHash, timingSafeEqual } from 'node:crypto';

/** Whether an Authorization header is `Bearer <token>`, compared in constant time. */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  if (typeof header !== 'string' || !/^Bearer /i.test(header)) return false;
  const given = createHash('sha256').update(header.slice(7).trim()).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}
