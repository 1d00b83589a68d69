import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, SequentialIds, testCostKeeper, uniqueId } from '#core-domain/testing';
import {
  diffFields,
  InvalidRequestError,
  NotFoundError,
  StorageUnavailableError,
  type AuditContext,
  type IdGenerator,
  type OrgInput,
} from '#core-domain';

const ctx: AuditContext = {
  actor: { kind: 'admin', id: 'abcdef012345', sourceIp: '203.0.113.1', userAgent: 'ua' },
  requestId: 'req-1',
};

const orgInput = (over: Partial<OrgInput> = {}): OrgInput => ({
  orgName: 'Acme',
  timezone: 'UTC',
  quotaScope: 'ORG',
  modelOrdering: ['premium', 'standard', 'economy'],
  quotas: { premium: 1000, standard: 500, economy: 200 },
  ...over,
});

function setup(ids: IdGenerator = new SequentialIds()) {
  const clock = new FakeClock('2026-03-10T12:00:00Z');
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({ storage, clock, ids });
  return { clock, storage, keeper };
}

const fieldsOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InvalidRequestError);
  return (e as InvalidRequestError).fields.map((f) => f.field);
};

describe('audit trail (model and use case)', () => {
  it('rule: diffFields lists only changed fields, absent as null, never secret fields', () => {
    expect(
      diffFields(
        { a: 1, b: [1, 2], c: { x: 1 }, secret: 's1', secretHash: 'h1' },
        { a: 1, b: [1, 3], d: 'new', secret: 's2', previousSecret: 's1', token: 't' },
      ),
    ).toEqual({
      b: { before: [1, 2], after: [1, 3] },
      c: { before: { x: 1 }, after: null },
      d: { before: null, after: 'new' },
    });
    expect(diffFields(undefined, { a: undefined, b: 2 })).toEqual({ b: { before: null, after: 2 } });
  });

  it('rule: org changes are org.* items with the caller, alert settings apart as alerts.updated, nothing for a no-op', async () => {
    const { keeper, clock } = setup();
    const orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, orgInput(), ctx);
    clock.advance(1000);
    await keeper.provisioning.putOrg(orgId, orgInput({ orgName: 'Acme 2', alertThresholdsPct: [90] }), ctx);
    clock.advance(1000);
    await keeper.provisioning.putOrg(orgId, orgInput({ orgName: 'Acme 2', alertThresholdsPct: [90] }), ctx);
    const { items } = await keeper.audit.list(orgId, {});
    expect(items.map((i) => i.action).sort()).toEqual(['alerts.updated', 'org.created', 'org.updated']);
    const updated = items.find((i) => i.action === 'org.updated')!;
    expect(updated).toMatchObject({
      orgId,
      actor: ctx.actor,
      requestId: 'req-1',
      target: { type: 'org', id: orgId },
      changes: { orgName: { before: 'Acme', after: 'Acme 2' } },
      outcome: 'success',
    });
    expect(Object.keys(updated.changes)).toEqual(['orgName']);
    expect(items.find((i) => i.action === 'alerts.updated')!.changes).toEqual({
      alertThresholdsPct: { before: [50, 80, 100], after: [90] },
    });
    // 400 days of TTL.
    expect(updated.expiresAt - Date.parse(updated.occurredAt) / 1000).toBe(400 * 86_400);
  });

  it('rule: a rotation is recorded without the secret or its hash; a call without a context is the embedded admin', async () => {
    const { keeper, storage } = setup();
    const orgId = uniqueId();
    const created = await keeper.provisioning.putOrg(orgId, orgInput());
    const rotated = await keeper.provisioning.rotateCredentials(orgId, undefined, 2);
    const { items } = await keeper.audit.list(orgId, { action: 'credentials.rotated' });
    expect(items).toHaveLength(1);
    expect(items[0]!.actor).toEqual({ kind: 'admin', id: 'embedded' });
    expect(items[0]!.changes.secretVersion).toEqual({ before: 1, after: 2 });
    const text = JSON.stringify(await keeper.audit.list(orgId, {}));
    const cred = (await storage.credentials.get(`org-${orgId}`))!;
    for (const s of [
      created.credentials!.clientSecret,
      rotated.clientSecret,
      cred.secretHash,
      cred.previousSecretHash!,
    ])
      expect(text.includes(s)).toBe(false);
  });

  it('fail-closed: when the audit item cannot be written, the change is not made', async () => {
    // Every event id the same and the clock still: the second change's item collides with the first's.
    const ids: IdGenerator = {
      newId: () => '11111111-1111-4111-8111-111111111111',
      newSecret: () => 'c2VjcmV0',
    };
    const { keeper, storage } = setup(ids);
    const orgId = uniqueId();
    await keeper.provisioning.putOrg(orgId, orgInput());
    await expect(keeper.provisioning.putOrg(orgId, orgInput({ orgName: 'Changed' }))).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    expect((await storage.tenants.getOrg(orgId))!.orgName).toBe('Acme');
    await expect(keeper.provisioning.rotateCredentials(orgId, undefined)).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    expect((await storage.credentials.get(`org-${orgId}`))!.secretVersion).toBe(1);
    expect((await keeper.audit.list(orgId, {})).items.map((i) => i.action)).toEqual(['org.created']);
  });

  it('list: checks its filters, 404 for an unknown org, and refuses a cursor of another org or other filters', async () => {
    const { keeper, clock } = setup();
    expect(await fieldsOf(keeper.audit.list(uniqueId(), { from: 'x', to: '2026-01-01', limit: 0 }))).toEqual([
      'from',
      'to',
      'limit',
    ]);
    expect(await fieldsOf(keeper.audit.list(uniqueId(), { action: 'org.created,nope', actor: '' }))).toEqual([
      'action',
      'actor',
    ]);
    expect(
      await fieldsOf(
        keeper.audit.list(uniqueId(), { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }),
      ),
    ).toEqual(['from']);
    await expect(keeper.audit.list(uniqueId(), {})).rejects.toBeInstanceOf(NotFoundError);
    const a = uniqueId();
    const b = uniqueId();
    for (const id of [a, b]) {
      await keeper.provisioning.putOrg(id, orgInput());
      clock.advance(1000);
      await keeper.provisioning.putOrg(id, orgInput({ orgName: 'Two' }));
    }
    const page = await keeper.audit.list(a, { limit: 1 });
    expect(page.items).toHaveLength(1);
    expect((await keeper.audit.list(a, { limit: 1, cursor: page.nextCursor! })).items[0]!.action).toBe(
      'org.created',
    );
    expect(await fieldsOf(keeper.audit.list(b, { limit: 1, cursor: page.nextCursor! }))).toEqual(['cursor']);
    expect(
      await fieldsOf(keeper.audit.list(a, { limit: 1, action: 'org.created', cursor: page.nextCursor! })),
    ).toEqual(['cursor']);
  });

  it('failed attempts: one storage call per source and minute in a process; a storage failure is swallowed', async () => {
    const { keeper, storage, clock } = setup();
    let calls = 0;
    const record = storage.audit.recordFailure.bind(storage.audit);
    storage.audit.recordFailure = async (f) => {
      calls++;
      return record(f);
    };
    for (let i = 0; i < 50; i++)
      await keeper.audit.recordFailure({ attempt: 'admin_key', sourceIp: '10.0.0.1' });
    await keeper.audit.recordFailure({ attempt: 'token', sourceIp: '10.0.0.2', clientId: 'junk' });
    expect(calls).toBe(2);
    clock.advance(60_000);
    await keeper.audit.recordFailure({ attempt: 'admin_key', sourceIp: '10.0.0.1' });
    expect(calls).toBe(3);
    const { items } = await keeper.audit.listFailures({});
    expect(items.map((f) => [f.sourceIp, f.attempt, f.clientId])).toEqual([
      ['10.0.0.1', 'admin_key', undefined],
      ['10.0.0.2', 'token', undefined],
      ['10.0.0.1', 'admin_key', undefined],
    ]);
    storage.failWith(new StorageUnavailableError());
    clock.advance(60_000);
    await expect(
      keeper.audit.recordFailure({ attempt: 'admin_key', sourceIp: '10.0.0.1' }),
    ).resolves.toBeUndefined();
    storage.failWith(undefined);
    // Older than 7 days: out of the listing's reach.
    clock.advance(8 * 86_400_000);
    expect((await keeper.audit.listFailures({})).items).toEqual([]);
  });
});
