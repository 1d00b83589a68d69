import { describe, expect, it } from '@jest/globals';
import { hmacCursorSealer } from './cursor-sealer.js';

describe('hmacCursorSealer', () => {
  const sealer = hmacCursorSealer('secret-1');

  it('opens what it sealed, also in another process with the same secret', () => {
    const token = sealer.seal('{"p":"x","o":"ä"}');
    expect(sealer.open(token)).toBe('{"p":"x","o":"ä"}');
    expect(hmacCursorSealer('secret-1').open(token)).toBe('{"p":"x","o":"ä"}');
  });

  it('refuses tokens of another secret, edited payloads and garbage', () => {
    const token = sealer.seal('{"o":"org-1"}');
    expect(hmacCursorSealer('secret-2').open(token)).toBeUndefined();
    const [, mac] = token.split('.');
    const edited = `${Buffer.from('{"o":"org-2"}').toString('base64url')}.${mac}`;
    expect(sealer.open(edited)).toBeUndefined();
    for (const junk of ['', '.', 'abc', 'a.b.c', `${token}x`]) expect(sealer.open(junk)).toBeUndefined();
  });
});
