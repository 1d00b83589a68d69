import { describe, expect, it } from '@jest/globals';
import { runStorageContracts } from '#core-domain/contracts';
import { aUsageRecord } from '#core-domain/testing';
import { StorageUnavailableError } from '#core-domain';
import { createMemoryAdapters } from '#adapters-memory';

const adapters = createMemoryAdapters();
runStorageContracts('memory', () => adapters);

describe('memory adapters: fault injection', () => {
  it('fails every call with the injected error until cleared', async () => {
    const s = createMemoryAdapters();
    s.failWith(new StorageUnavailableError());
    await expect(s.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
    const r = aUsageRecord();
    await expect(s.counters.recordOnce(r)).rejects.toBeInstanceOf(StorageUnavailableError);
    s.failWith(undefined);
    expect(await s.counters.recordOnce(r)).toEqual({ duplicate: false });
  });

  it('does not share stored values with callers', async () => {
    const s = createMemoryAdapters();
    const r = aUsageRecord({ tags: { agent: 'a' } });
    await s.counters.recordOnce(r);
    r.tags!.agent = 'mutated';
    const again = await s.counters.recordOnce(r);
    expect(again.duplicate).toBe(true);
  });
});
