import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { embeddingExample } from '../../docs/examples/embedding.example.js';

describe('docs/embedding.md', () => {
  it('shows the tested example verbatim', () => {
    const doc = readFileSync('docs/embedding.md', 'utf8');
    const example = readFileSync('docs/examples/embedding.example.ts', 'utf8').trim();
    expect(doc).toContain(example);
  });

  it('takes storage from #adapters-memory and the Node ports from #adapters-node', () => {
    const example = readFileSync('docs/examples/embedding.example.ts', 'utf8');
    expect(example).toContain("import { createMemoryAdapters } from '#adapters-memory';");
    expect(example).toContain("import { BcryptSecretHasher, nodeIdGenerator } from '#adapters-node';");
  });

  it('runs as documented', async () => {
    expect(await embeddingExample()).toEqual({
      first: 'premium',
      cost: 3760,
      mode: 'EXCEEDED',
      then: 'standard',
      reason: 'STICKY_FALLBACK',
    });
  });
});
