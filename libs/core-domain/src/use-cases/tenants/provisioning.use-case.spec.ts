import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import { InvalidConfigError, InvalidRequestError, NotFoundError, type OrgInput } from '#core-domain';

function setup() {
  const clock = new FakeClock('2026-03-10T12:00:00Z');
  const storage = createMemoryAdapters();
  const keeper = testCostKeeper({
    storage,
    clock,
  });
  return { clock, storage, keeper, p: keeper.provisioning };
}

const orgInput = (over: Partial<OrgInput> = {}): OrgInput => ({
  orgName: 'Acme',
  timezone: 'Europe/Paris',
  quotaScope: 'ORG',
  modelOrdering: ['premium', 'standard', 'economy'],
  quotas: { premium: 1000, standard: 500, economy: 200 },
  ...over,
});

const fieldsOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InvalidRequestError);
  return (e as InvalidRequestError).fields.map((f) => f.field);
};

describe('Provisioning (use case)', () => {
  it('rule: creating an org issues one credential, shown once; repeating the PUT updates without new credentials', async () => {
    const { p, storage } = setup();
    const orgId = uniqueId();
    const created = await p.putOrg(orgId.toUpperCase(), orgInput());
    expect(created.status).toBe('created');
    expect(created.org.orgId).toBe(orgId);
    expect(created.credentials?.clientId).toBe(`org-${orgId}`);
    expect(created.credentials?.clientSecret).toBeTruthy();
    const stored = await storage.credentials.get(`org-${orgId}`);
    expect(stored?.secretHash).toBe(`plain:${created.credentials!.clientSecret}`); // only the hash is stored
    const updated = await p.putOrg(orgId, orgInput({ orgName: 'Acme 2' }));
    expect(updated.status).toBe('updated');
    expect(updated.credentials).toBeUndefined();
    expect(updated.org.createdAt).toBe(created.org.createdAt);
    expect((await storage.credentials.get(`org-${orgId}`))?.secretVersion).toBe(1);
  });

  it('rule: settings default as documented (95%, 8 shards, sticky on, 300 s) but 10 s tight (issue #8) and ordering/quotas default from config', async () => {
    const { p } = setup();
    const { org } = await p.putOrg(uniqueId(), { orgName: 'A', timezone: 'UTC', quotaScope: 'APP' });
    expect(org.settings).toEqual({
      weekStartsOn: 'MONDAY',
      alertThresholdsPct: [50, 80, 100],
      anomalyFactor: 3,
      rollupTagKeys: [],
      tightModeThresholdPct: 95,
      aggShardCount: 8,
      stickyFallbackEnabled: true,
      refreshIntervalNormalSecs: 300,
      refreshIntervalTightSecs: 10,
    });
    expect(org.modelOrdering).toEqual(['premium', 'standard', 'economy']);
    expect(org.quotas).toEqual({ premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 });
  });

  it('rule: the shard count is immutable once the org exists', async () => {
    const { p } = setup();
    const orgId = uniqueId();
    await p.putOrg(orgId, orgInput({ overrides: { aggShardCount: 16 } }));
    await expect(p.putOrg(orgId, orgInput({ overrides: { aggShardCount: 32 } }))).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
    const kept = await p.putOrg(orgId, orgInput());
    expect(kept.org.settings.aggShardCount).toBe(16);
  });

  it('lists every bad field at once', async () => {
    const { p } = setup();
    const fields = await fieldsOf(
      p.putOrg(uniqueId(), {
        orgName: '',
        timezone: 'Mars/Olympus',
        quotaScope: 'TEAM' as never,
        modelOrdering: ['premium', 'premium'],
        quotas: { premium: -1 },
        overrides: {
          tightModeThresholdPct: 10,
          aggShardCount: 7,
          refreshIntervalNormalSecs: 0,
          bogus: 1,
        } as never,
      }),
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        'org_name',
        'timezone',
        'quota_scope',
        'model_ordering[1]',
        'quotas.premium',
        'overrides.tight_mode_threshold_pct',
        'overrides.agg_shard_count',
        'overrides.refresh_interval_secs',
        'overrides.bogus',
      ]),
    );
    expect(await fieldsOf(p.putOrg('not-a-uuid', orgInput()))).toEqual(['org_id']);
  });

  it('answers INVALID_CONFIG for an unknown label or a missing quota, writing nothing', async () => {
    const { p, storage } = setup();
    const orgId = uniqueId();
    await expect(p.putOrg(orgId, orgInput({ modelOrdering: ['premium', 'turbo'] }))).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
    await expect(p.putOrg(orgId, orgInput({ quotas: { premium: 1, standard: 1 } }))).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
    expect(await storage.tenants.getOrg(orgId)).toBeUndefined();
  });

  it('creates apps with their own credential, 404 for an unknown org, and resolves the effective config', async () => {
    const { p } = setup();
    const orgId = uniqueId();
    await expect(p.putApp(orgId, 'chat', { appName: 'Chat' })).rejects.toBeInstanceOf(NotFoundError);
    await p.putOrg(orgId, orgInput({ quotaScope: 'APP' }));
    const created = await p.putApp(orgId, 'chat', {
      appName: 'Chat',
      modelOrdering: ['standard', 'economy'],
      quotas: { standard: 42 },
      overrides: { tightModeThresholdPct: 80 },
    });
    expect(created.status).toBe('created');
    expect(created.credentials?.clientId).toBe(`org-${orgId}-app-chat`);
    expect(created.effective).toMatchObject({
      scopeKey: `ORG#${orgId}#APP#chat`,
      modelOrdering: ['standard', 'economy'],
      quotas: { premium: 1000, standard: 42, economy: 200 },
      tightModeThresholdPct: 80,
      timezone: 'Europe/Paris',
    });
    const again = await p.putApp(orgId, 'chat', { appName: 'Chat v2' });
    expect(again.status).toBe('updated');
    expect(again.credentials).toBeUndefined();
    const read = await p.getApp(orgId, 'chat');
    expect(read.app.appName).toBe('Chat v2');
    expect((await p.getOrg(orgId)).apps.map((a) => a.appId)).toEqual(['chat']);
  });

  it('rule: an app of an ORG-scoped org may not set quotas (INVALID_CONFIG); switching an org with such apps to ORG fails', async () => {
    const { p } = setup();
    const orgId = uniqueId();
    await p.putOrg(orgId, orgInput({ quotaScope: 'ORG' }));
    await expect(p.putApp(orgId, 'a', { appName: 'A', quotas: { premium: 1 } })).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
    const appOrg = uniqueId();
    await p.putOrg(appOrg, orgInput({ quotaScope: 'APP' }));
    await p.putApp(appOrg, 'a', { appName: 'A', quotas: { premium: 1 } });
    await expect(p.putOrg(appOrg, orgInput({ quotaScope: 'ORG' }))).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
  });

  it('rejects an app ordering with an unregistered label and accepts a registered profile label with a quota', async () => {
    const { p, keeper } = setup();
    const orgId = uniqueId();
    await p.putOrg(orgId, orgInput({ quotaScope: 'APP' }));
    await p.putApp(orgId, 'a', { appName: 'A' });
    await expect(
      p.putApp(orgId, 'a', {
        appName: 'A',
        modelOrdering: ['my-profile', 'economy'],
        quotas: { 'my-profile': 5 },
      }),
    ).rejects.toBeInstanceOf(InvalidConfigError);
    await keeper.profiles.register(orgId, 'a', {
      profileLabel: 'my-profile',
      inferenceProfileArn: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1',
    });
    const ok = await p.putApp(orgId, 'a', {
      appName: 'A',
      modelOrdering: ['my-profile', 'economy'],
      quotas: { 'my-profile': 5 },
    });
    expect(ok.effective.modelOrdering).toEqual(['my-profile', 'economy']);
    await expect(
      p.putApp(orgId, 'a', { appName: 'A', modelOrdering: ['my-profile', 'economy'] }),
    ).rejects.toBeInstanceOf(InvalidConfigError);
  });

  it('validates app ids and names', async () => {
    const { p } = setup();
    const orgId = uniqueId();
    await p.putOrg(orgId, orgInput());
    expect(await fieldsOf(p.putApp(orgId, 'bad#id', { appName: 'x' }))).toEqual(['app_id']);
    expect(
      await fieldsOf(p.putApp(orgId, 'ok', { appName: '', overrides: { refreshIntervalTightSecs: 5 } })),
    ).toEqual(['app_name', 'overrides.refresh_interval_tight_secs']);
  });

  it('rule: rotation issues a new secret and keeps the old one for the grace period (0..168 h)', async () => {
    const { p, clock, storage } = setup();
    const orgId = uniqueId();
    await p.putOrg(orgId, orgInput());
    clock.advanceSecs(60);
    const r = await p.rotateCredentials(orgId, undefined, 2);
    expect(r.clientId).toBe(`org-${orgId}`);
    expect(r.gracePeriodHours).toBe(2);
    expect(Date.parse(r.oldSecretExpiresAt) - Date.parse(r.rotatedAt)).toBe(2 * 3600 * 1000);
    const stored = await storage.credentials.get(`org-${orgId}`);
    expect(stored).toMatchObject({ secretVersion: 2, previousSecretVersion: 1 });
    expect(await fieldsOf(p.rotateCredentials(orgId, undefined, 169))).toEqual(['grace_period_hours']);
    await expect(p.rotateCredentials(uniqueId(), undefined)).rejects.toBeInstanceOf(NotFoundError);
    await expect(p.rotateCredentials(orgId, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('concurrent first PUTs of one org create it once', async () => {
    const { p } = setup();
    const orgId = uniqueId();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => p.putOrg(orgId, orgInput({ orgName: `n${i}` }))),
    );
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.credentials)).toHaveLength(1);
  });

  it('rule: names of Object.prototype members are never labels or quota keys', async () => {
    const { p } = setup();
    for (const label of ['constructor', 'toString', 'hasOwnProperty']) {
      await expect(
        p.putOrg(uniqueId(), orgInput({ modelOrdering: ['premium', label] })),
      ).rejects.toBeInstanceOf(InvalidConfigError);
      expect(
        await fieldsOf(
          p.putOrg(uniqueId(), orgInput({ quotas: { premium: 1, standard: 1, economy: 1, [label]: 1 } })),
        ),
      ).toEqual([`quotas.${label}`]);
    }
  });

  describe('budgets and week_starts_on (README, "Budgets")', () => {
    const month = { window: 'MONTH', limitUsdMicros: 50_000_000 };
    const week = { window: 'WEEK', limitUsdMicros: 9_000_000, label: 'premium' };

    it('rule: org budgets and week_starts_on are stored and read back; a PUT without them clears budgets', async () => {
      const { p } = setup();
      const orgId = uniqueId();
      const created = await p.putOrg(orgId, orgInput({ budgets: [month, week], weekStartsOn: 'SUNDAY' }));
      expect(created.org.budgets).toEqual([month, week]);
      expect(created.org.settings.weekStartsOn).toBe('SUNDAY');
      expect((await p.getOrg(orgId)).org.budgets).toEqual([month, week]);
      const cleared = await p.putOrg(orgId, orgInput());
      expect(cleared.org.budgets).toEqual([]);
      expect(cleared.org.settings.weekStartsOn).toBe('MONDAY');
    });

    it('rule: two budgets with the same window and label are INVALID_CONFIG; a budget on a label the ordering lacks too', async () => {
      const { p } = setup();
      await expect(
        p.putOrg(uniqueId(), orgInput({ budgets: [month, { ...month, limitUsdMicros: 1 }] })),
      ).rejects.toBeInstanceOf(InvalidConfigError);
      await expect(
        p.putOrg(uniqueId(), orgInput({ budgets: [{ window: 'WEEK', limitUsdMicros: 1, label: 'nope' }] })),
      ).rejects.toBeInstanceOf(InvalidConfigError);
      // Same window, different labels (and all labels): fine.
      const ok = await p.putOrg(
        uniqueId(),
        orgInput({ budgets: [week, { ...week, label: 'standard' }, { window: 'WEEK', limitUsdMicros: 5 }] }),
      );
      expect(ok.org.budgets).toHaveLength(3);
    });

    it('rule: bad budget shapes and week starts are INVALID_REQUEST, each listed by wire name', async () => {
      const { p } = setup();
      expect(
        await fieldsOf(
          p.putOrg(
            uniqueId(),
            orgInput({
              budgets: [
                { window: 'YEAR', limitUsdMicros: -1, label: 'premium' },
                { window: 'DAY', limitUsdMicros: 1.5 },
              ],
              weekStartsOn: 'FRIDAY',
            }),
          ),
        ),
      ).toEqual([
        'budgets[0].window',
        'budgets[0].limit_usd_micros',
        'budgets[1].limit_usd_micros',
        'week_starts_on',
      ]);
      expect(
        await fieldsOf(p.putOrg(uniqueId(), orgInput({ budgets: Array.from({ length: 11 }, () => month) }))),
      ).toEqual(['budgets']);
    });

    it('rule: app budgets only in APP scope (INVALID_CONFIG otherwise); stored on the app and in its effective config', async () => {
      const { p } = setup();
      const orgScoped = uniqueId();
      await p.putOrg(orgScoped, orgInput());
      await expect(p.putApp(orgScoped, 'chat', { appName: 'Chat', budgets: [week] })).rejects.toBeInstanceOf(
        InvalidConfigError,
      );
      const appScoped = uniqueId();
      await p.putOrg(appScoped, orgInput({ quotaScope: 'APP', budgets: [month] }));
      const app = await p.putApp(appScoped, 'chat', { appName: 'Chat', budgets: [week] });
      expect(app.app.overrides.budgets).toEqual([week]);
      expect(app.effective).toMatchObject({ orgBudgets: [month], appBudgets: [week] });
      await expect(
        p.putApp(appScoped, 'chat', { appName: 'Chat', budgets: [week, { ...week, limitUsdMicros: 2 }] }),
      ).rejects.toBeInstanceOf(InvalidConfigError);
    });
  });

  it('rule: alert thresholds and the anomaly factor are org settings; apps override thresholds in APP scope only', async () => {
    const { p } = setup();
    const orgId = uniqueId();
    const org = await p.putOrg(
      orgId,
      orgInput({ quotaScope: 'APP', alertThresholdsPct: [90, 25], anomalyFactor: 0 }),
    );
    expect(org.org.settings).toMatchObject({ alertThresholdsPct: [25, 90], anomalyFactor: 0 });
    const app = await p.putApp(orgId, 'chat', { appName: 'Chat', alertThresholdsPct: [75] });
    expect(app.effective).toMatchObject({ alertThresholdsPct: [75], anomalyFactor: 0 });
    const plain = await p.putApp(orgId, 'plain', { appName: 'Plain' });
    expect(plain.effective.alertThresholdsPct).toEqual([25, 90]);
    expect(
      await fieldsOf(
        p.putOrg(uniqueId(), orgInput({ alertThresholdsPct: [0, 1001, 5.5], anomalyFactor: -1 })),
      ),
    ).toEqual([
      'alert_thresholds_pct[0]',
      'alert_thresholds_pct[1]',
      'alert_thresholds_pct[2]',
      'anomaly_factor',
    ]);
    expect(await fieldsOf(p.putOrg(uniqueId(), orgInput({ alertThresholdsPct: [] })))).toEqual([
      'alert_thresholds_pct',
    ]);
    expect(await fieldsOf(p.putOrg(uniqueId(), orgInput({ alertThresholdsPct: [50, 50] })))).toEqual([
      'alert_thresholds_pct',
    ]);
    const orgScoped = uniqueId();
    await p.putOrg(orgScoped, orgInput());
    await expect(p.putApp(orgScoped, 'x', { appName: 'X', alertThresholdsPct: [10] })).rejects.toBeInstanceOf(
      InvalidConfigError,
    );
  });
});
