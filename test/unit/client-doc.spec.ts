import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';

describe('docs/client-integration.md', () => {
  it('leads with the SDK and shows both tested examples verbatim', () => {
    const doc = readFileSync('docs/client-integration.md', 'utf8');
    expect(doc.indexOf('## The client SDK')).toBeLessThan(doc.indexOf('## The loop'));
    for (const file of ['docs/examples/sdk.example.ts', 'docs/examples/client.example.ts']) {
      expect(doc).toContain(readFileSync(file, 'utf8').trim());
    }
  });
});
