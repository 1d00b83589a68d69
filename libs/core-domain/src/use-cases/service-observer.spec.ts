import { describe, expect, it } from '@jest/globals';
import { createMemoryAdapters } from '#adapters-memory';
import { FakeClock, testCostKeeper, uniqueId } from '#core-domain/testing';
import {
  StorageUnavailableError,
  type LineState,
  type ObservedScope,
  type ServiceObserver,
  type UsageEventResult,
  type UsageInput,
} from '#core-domain';

/** Records what the domain tells it. */
class RecordingObserver implements ServiceObserver {
  readonly usage: Record<string, number> = {};
  readonly scopes: Array<{ scope: ObservedScope; lines: readonly LineState[] }> = [];
  usageEvents(result: UsageEventResult, count: number): void {
    this.usage[result] = (this.usage[result] ?? 0) + count;
  }
  linesEvaluated(scope: ObservedScope, lines: readonly LineState[]): void {
    this.scopes.push({ scope, lines });
  }
}

async function setup(quotaScope: 'ORG' | 'APP') {
  const clock = new FakeClock('2026-03-10T12:00:00Z');
  const storage = createMemoryAdapters();
  const observer = new RecordingObserver();
  const keeper = testCostKeeper({ storage, clock, observer, aggregation: { owner: 'w1' } });
  const orgId = uniqueId();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'A',
    timezone: 'UTC',
    quotaScope,
    quotas: { premium: 10_000, standard: 1_000_000, economy: 1_000_000 },
    budgets: [{ window: 'MONTH', limitUsdMicros: 500_000 }],
  });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });
  const event = (over: Partial<UsageInput> = {}): UsageInput => ({
    requestId: uniqueId(),
    modelLabel: 'premium',
    bedrockModelId: 'amazon.nova-pro-v1:0',
    inputTokens: 1500,
    outputTokens: 800, // 3,760 micro-USD
    status: 'OK',
    timestamp: clock.now().toISOString(),
    ...over,
  });
  return { clock, storage, observer, keeper, orgId, event };
}

describe('ServiceObserver (what the use cases tell the metrics)', () => {
  it('RecordUsage reports each event: accepted, duplicate, rejected (invalid) and failed (storage)', async () => {
    const { keeper, orgId, event, observer, storage } = await setup('ORG');
    const e = event();
    await keeper.recordUsage.execute(orgId, 'chat', e);
    await keeper.recordUsage.execute(orgId, 'chat', e);
    await expect(
      keeper.recordUsage.execute(orgId, 'chat', event({ modelLabel: 'nope' })),
    ).rejects.toMatchObject({ code: 'INVALID_MODEL_LABEL' });
    await expect(keeper.recordUsage.execute(orgId, 'chat', event({ inputTokens: -1 }))).rejects.toMatchObject(
      { code: 'INVALID_REQUEST' },
    );
    storage.failWith(new StorageUnavailableError());
    await expect(keeper.recordUsage.execute(orgId, 'chat', event())).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    storage.failWith(undefined);
    expect(observer.usage).toEqual({ accepted: 1, duplicate: 1, rejected: 2, failed: 1 });
  });

  it('a batch reports every item', async () => {
    const { keeper, orgId, event, observer } = await setup('ORG');
    const dup = event();
    await keeper.recordUsage.executeBatch(orgId, 'chat', [dup, dup, event(), event({ modelLabel: '' })]);
    expect(observer.usage).toEqual({ accepted: 2, duplicate: 1, rejected: 1 });
  });

  it('the aggregator reports the lines of each scope it wrote totals for, with their spend', async () => {
    const { keeper, orgId, event, observer, clock } = await setup('APP');
    await keeper.recordUsage.execute(orgId, 'chat', event());
    await keeper.recordUsage.execute(orgId, 'chat', event());
    clock.advanceSecs(1);
    await keeper.aggregator.runPass();
    expect(observer.scopes).toHaveLength(1);
    const [{ scope, lines }] = observer.scopes as [{ scope: ObservedScope; lines: LineState[] }];
    expect(scope).toEqual({ orgId, appId: 'chat' });
    const view = lines.map((l) => [l.scope, l.window, l.label, l.limitUsdMicros, l.spendUsdMicros]);
    expect(view).toEqual(
      expect.arrayContaining([
        ['APP', 'DAY', 'premium', 10_000, 7520],
        ['APP', 'DAY', 'standard', 1_000_000, 0],
        ['ORG', 'MONTH', null, 500_000, 7520],
      ]),
    );
    // The periods are the current ones: the day and the month of the clock.
    const month = lines.find((l) => l.window === 'MONTH')!;
    expect(month.period.end.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    // The next pass reports the new spend.
    await keeper.recordUsage.execute(orgId, 'chat', event());
    clock.advanceSecs(1);
    await keeper.aggregator.runPass();
    const last = observer.scopes.at(-1)!.lines.find((l) => l.label === 'premium')!;
    expect(last.spendUsdMicros).toBe(3 * 3760);
  });
});
