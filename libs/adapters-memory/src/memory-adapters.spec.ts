import { describe, expect, it } from '@jest/globals';
import { runStorageContracts } from '#core-domain/contracts';
import { aCredential, anOrg, aUsageRecord } from '#core-domain/testing';
import { StorageUnavailableError } from '#core-domain';
import { createMemoryAdapters } from '#adapters-memory';
import { copyRecord, USAGE_RECORD_KEYS } from './records-memory.js';

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

  it('deep-copies what it stores and what it returns: nested objects and arrays', async () => {
    const s = createMemoryAdapters();
    const org = anOrg();
    await s.tenants.createOrg(org, aCredential(org.orgId));
    const stored = structuredClone(org);
    // Mutating the caller's object after the write changes nothing in the store...
    (org as { modelOrdering: string[] }).modelOrdering.push('intruder');
    (org as { quotas: Record<string, number> }).quotas.premium = 1;
    expect(await s.tenants.getOrg(org.orgId)).toEqual(stored);
    // ...nor does mutating what a read returned.
    const read = (await s.tenants.getOrg(org.orgId))!;
    (read as { modelOrdering: string[] }).modelOrdering.length = 0;
    (read as { quotas: Record<string, number> }).quotas.premium = 2;
    expect(await s.tenants.getOrg(org.orgId)).toEqual(stored);
    expect(await s.tenants.getOrg(org.orgId)).not.toBe(await s.tenants.getOrg(org.orgId));
  });

  it('copies a usage record field by field: every field, the tags deeply', () => {
    const r = aUsageRecord({
      callingRegion: 'eu-west-1',
      profileArn: 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc',
      tags: { agent: 'a' },
    });
    // The fixture sets every field UsageRecord has, so a field copyRecord misses fails below.
    expect(Object.keys(r).sort()).toEqual([...USAGE_RECORD_KEYS].sort());
    const c = copyRecord(r);
    expect(c).toStrictEqual(r);
    expect(c).not.toBe(r);
    expect(c.tags).not.toBe(r.tags);
    const bare = aUsageRecord();
    expect(copyRecord(bare)).toStrictEqual(bare);
  });
});
