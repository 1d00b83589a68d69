import { createCostKeeper, type CostKeeper, type CostKeeperDeps } from '../cost-keeper.js';
import { PlainTestHasher, SequentialIds } from './builders.js';
import { testServiceConfig } from './test-config.js';

/**
 * `createCostKeeper` with the test ports unless given: the default config, sequential ids and a
 * plain (fast, not secure) secret hasher. Storage and clock are always the caller's.
 */
export function testCostKeeper(
  deps: Pick<CostKeeperDeps, 'storage' | 'clock'> & Partial<CostKeeperDeps>,
): CostKeeper {
  return createCostKeeper({
    config: testServiceConfig(),
    ids: new SequentialIds(),
    hasher: new PlainTestHasher(),
    ...deps,
  });
}
