import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '../../model/errors.js';
import { inProcessCursorSealer, openCursor, sealCursor } from './page-cursor.js';

let n = 0;
const sealer = inProcessCursorSealer(() => `id-${++n}`, 3);
const scope = { orgId: 'org-1', listing: 'records', filters: ['2026-01-01', undefined, 'app-1'] };

describe('page cursors', () => {
  it('give back the position for the scope they were issued for', () => {
    const cursor = sealCursor(sealer, scope, 'pos-42');
    expect(openCursor(sealer, scope, cursor)).toBe('pos-42');
    expect(openCursor(sealer, scope, undefined)).toBeUndefined();
  });

  it.each([
    ['another org', { ...scope, orgId: 'org-2' }],
    ['another listing', { ...scope, listing: 'audit' }],
    ['other filters', { ...scope, filters: ['2026-01-01', undefined, 'app-2'] }],
  ])('are refused for %s', (_, other) => {
    const cursor = sealCursor(sealer, scope, 'pos-1');
    expect(() => openCursor(sealer, other, cursor)).toThrow(InvalidRequestError);
  });

  it('refuse a forged token, and forget the oldest beyond their capacity', () => {
    expect(() => openCursor(sealer, scope, 'forged')).toThrow(InvalidRequestError);
    const first = sealCursor(sealer, scope, 'a');
    for (const p of ['b', 'c', 'd']) sealCursor(sealer, scope, p);
    expect(() => openCursor(sealer, scope, first)).toThrow(InvalidRequestError);
  });
});
