import { describe, expect, it } from '@jest/globals';
import { VerifiedTokens } from './verified-tokens.js';

describe('VerifiedTokens', () => {
  it('answers the claims remembered for exactly that header, nothing for another or a non-string', () => {
    const v = new VerifiedTokens();
    v.remember('Bearer a.b.c', { jti: '1' });
    expect(v.get('Bearer a.b.c')).toEqual({ jti: '1' });
    expect(v.get('Bearer a.b.d')).toBeUndefined();
    expect(v.get(undefined)).toBeUndefined();
    expect(v.get(['Bearer a.b.c'])).toBeUndefined();
    v.remember(undefined, { jti: '2' });
    expect(v.size).toBe(1);
  });

  it('never holds more than its bound: it starts afresh when full', () => {
    const v = new VerifiedTokens(3);
    for (const h of ['1', '2', '3']) v.remember(h, { h });
    expect(v.size).toBe(3);
    v.remember('4', { h: '4' });
    expect(v.size).toBe(1);
    expect(v.get('1')).toBeUndefined();
    expect(v.get('4')).toEqual({ h: '4' });
  });
});
