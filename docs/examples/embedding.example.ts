import { readFileSync } from 'node:fs';
import { createCostKeeper, parseServiceConfig } from '#core-domain';
import { FakeClock } from '#core-domain/testing';
import { createMemoryAdapters } from '#adapters-memory';
import { BcryptSecretHasher, nodeIdGenerator } from '#adapters-node';

export async function embeddingExample() {
  // 1. Build the core on in-memory storage with a clock your test controls.
  const clock = new FakeClock('2026-01-23T15:00:00Z');
  const keeper = createCostKeeper({
    storage: createMemoryAdapters(),
    clock,
    config: parseServiceConfig(readFileSync('config.yaml', 'utf8')),
    ids: nodeIdGenerator,
    hasher: new BcryptSecretHasher(4), // low cost: fast tests
  });

  // 2. Provision an org (a tiny 3,000 micro-USD daily quota on premium) and an app.
  const orgId = '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10';
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'Acme',
    timezone: 'America/New_York',
    quotaScope: 'ORG',
    quotas: { premium: 3_000, standard: 5_000_000, economy: 2_000_000 },
  });
  await keeper.provisioning.putApp(orgId, 'chat', { appName: 'Chat' });

  // 3. Ask for a model, call Bedrock (not here), report the tokens.
  const before = await keeper.selectModel.execute(orgId, 'chat');
  const usage = await keeper.recordUsage.execute(orgId, 'chat', {
    requestId: '0b9f3e52-5a1c-4c07-8d0e-3c8f6f2f4a11',
    modelLabel: before.recommended.label,
    bedrockModelId: before.recommended.bedrockModelId,
    inputTokens: 1500,
    outputTokens: 800,
    status: 'OK',
    timestamp: clock.now().toISOString(),
  });

  // 4. The aggregator runs (the worker does this every 60 s); premium is now exhausted.
  clock.advanceSecs(60);
  await keeper.aggregator.runPass();
  const after = await keeper.selectModel.execute(orgId, 'chat');

  return {
    first: before.recommended.label, // 'premium'
    cost: usage.costUsdMicros, // 3760
    mode: usage.quotaStatus.mode, // 'EXCEEDED': the usage response says re-select now
    then: after.recommended.label, // 'standard'
    reason: after.recommended.reason, // 'STICKY_FALLBACK' (the aggregator advanced it)
  };
}
