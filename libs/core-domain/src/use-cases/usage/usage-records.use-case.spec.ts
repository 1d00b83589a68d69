import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, testServiceConfig, uniqueId } from '#core-domain/testing';
import { InvalidRequestError, NotFoundError, type UsageInput, type UsageRecord } from '#core-domain';

/** An org in Europe/Paris (UTC+1 in March) with two apps; events posted as the clock moves. */
async function setup() {
  const clock = new FakeClock('2026-03-10T08:00:00Z');
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({
    storage,
    clock,
    config: testServiceConfig({ usage_record_retention_days: 3 }),
  });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, { orgName: 'A', timezone: 'Europe/Paris', quotaScope: 'ORG' });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  await keeper.provisioning.putApp(orgId, 'search', { appName: 'Search' });
  const post = (appId: string, over: Partial<UsageInput> = {}) =>
    keeper.recordUsage.execute(orgId, appId, {
      requestId: uniqueId(),
      modelLabel: 'premium',
      bedrockModelId: 'amazon.nova-pro-v1:0',
      inputTokens: 1000,
      outputTokens: 100,
      status: 'OK',
      timestamp: clock.now().toISOString(),
      ...over,
    });
  return { clock, keeper, orgId, post };
}

async function pages(list: (cursor?: string) => Promise<{ records: UsageRecord[]; nextCursor?: string }>) {
  const out: UsageRecord[] = [];
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await list(cursor);
    out.push(...page.records);
    cursor = page.nextCursor;
    count++;
  } while (cursor !== undefined && count < 100);
  return { records: out, count };
}

describe('UsageRecordsQuery (use case)', () => {
  it('pages across org days in timestamp order with neither duplicates nor gaps', async () => {
    const { clock, keeper, orgId, post } = await setup();
    const ids: string[] = [];
    // 08:00Z to 17:00Z next day, every 3 h: 23:00Z on the 10th is already the 11th in Paris.
    for (let i = 0; i < 12; i++) {
      ids.push((await post(i % 2 ? 'chat' : 'search', { tags: { team: i < 6 ? 'red' : 'blue' } })).requestId);
      clock.advance(3 * 3600_000);
    }
    const q = { from: '2026-03-10T00:00:00Z', to: '2026-03-12T00:00:00+01:00' };
    const all = await pages((cursor) => keeper.usageRecords.list(orgId, { ...q, limit: '5', cursor }));
    expect(all.records.map((r) => r.requestId)).toEqual(ids);
    expect(all.count).toBe(3);
    const chat = await pages((cursor) =>
      keeper.usageRecords.list(orgId, { ...q, appId: 'chat', limit: 2, cursor }),
    );
    expect(chat.records.map((r) => r.requestId)).toEqual(ids.filter((_, i) => i % 2 === 1));
    const blue = await keeper.usageRecords.list(orgId, { ...q, tags: { team: 'blue' } });
    expect(blue.records.map((r) => r.requestId)).toEqual(ids.slice(6));
    expect(all.records[0]).toMatchObject({
      appId: 'search',
      costUsdMicros: 1120,
      priceSource: expect.any(String),
    });
  });

  it('refuses a cursor that is forged, of another org, or reused with other filters', async () => {
    const { keeper, orgId, post } = await setup();
    for (let i = 0; i < 3; i++) await post('chat');
    const q = { from: '2026-03-10T00:00:00Z', to: '2026-03-11T00:00:00Z', limit: 1 };
    const { nextCursor } = await keeper.usageRecords.list(orgId, q);
    expect(nextCursor).toBeDefined();
    const other = uniqueId();
    await keeper.provisioning.putOrg(other, { orgName: 'B', timezone: 'UTC', quotaScope: 'ORG' });
    for (const [org, query] of [
      [orgId, { ...q, cursor: 'forged' }],
      [other, { ...q, cursor: nextCursor }],
      [orgId, { ...q, appId: 'search', cursor: nextCursor }],
    ] as const) {
      await expect(keeper.usageRecords.list(org, query)).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
        details: { fields: [{ field: 'cursor' }] },
      });
    }
  });

  it('validates the range, filters and page size, and 404s an unknown org', async () => {
    const { keeper, orgId } = await setup();
    const bad = async (input: Record<string, unknown>, field: string) => {
      const e = await keeper.usageRecords.list(orgId, input).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InvalidRequestError);
      expect((e as InvalidRequestError).fields.map((f) => f.field)).toContain(field);
      return e as InvalidRequestError;
    };
    const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' };
    await bad({ to: range.to }, 'from');
    await bad({ ...range, from: '2026-03-01' }, 'from');
    await bad({ ...range, to: range.from }, 'to');
    const tooLong = await bad({ from: '2026-01-01T00:00:00Z', to: '2026-02-02T00:00:01Z' }, 'to');
    expect(tooLong.details).toMatchObject({ max_range_days: 31 });
    await bad({ ...range, limit: '0' }, 'limit');
    await bad({ ...range, limit: '1001' }, 'limit');
    await bad({ ...range, status: 'FAILED' }, 'status');
    await bad({ ...range, appId: 'a b' }, 'app_id');
    await bad({ ...range, tags: { 'Bad-Key': 'x' } }, 'tag.Bad-Key');
    await bad({ ...range, tags: { team: '' } }, 'tag.team');
    await expect(keeper.usageRecords.list(uniqueId(), range)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('hides records past the retention, and exports at most the retention', async () => {
    const { clock, keeper, orgId, post } = await setup();
    const first = await post('chat');
    clock.advance(2 * 86400_000);
    const second = await post('chat');
    const q = { from: '2026-03-09T00:00:00Z', to: '2026-03-13T00:00:00Z' };
    expect((await keeper.usageRecords.list(orgId, q)).records.map((r) => r.requestId)).toEqual([
      first.requestId,
      second.requestId,
    ]);
    clock.advance(86400_000 + 1000); // the first record is 3 days old: past its retention
    expect((await keeper.usageRecords.list(orgId, q)).records.map((r) => r.requestId)).toEqual([
      second.requestId,
    ]);
    await expect(keeper.usageRecords.export(orgId, q)).rejects.toMatchObject({
      details: { max_range_days: 3 },
    });
  });

  it('exports every matching record and the sorted union of their tag keys', async () => {
    const { clock, keeper, orgId, post } = await setup();
    const posted: string[] = [];
    for (let i = 0; i < 2500; i++) {
      const tags: Record<string, string> =
        i % 3 === 0 ? { zeta: 'z', alpha: 'a' } : i % 3 === 1 ? { mid: 'm' } : {};
      posted.push((await post('chat', { tags })).requestId);
      clock.advance(60_000);
    }
    const exp = await keeper.usageRecords.export(orgId, {
      from: '2026-03-10T00:00:00Z',
      to: '2026-03-13T00:00:00Z',
    });
    const seen: string[] = [];
    for await (const r of exp.records()) seen.push(r.requestId);
    expect(seen).toEqual(posted);
    expect(await exp.tagKeys()).toEqual(['alpha', 'mid', 'zeta']);
  });
});
