// The domain test kit the simulation uses (Jest-free: the contract suites live in #core-domain/contracts).
export {
  FakeClock,
  PlainTestHasher,
  SequentialIds,
  testCostKeeper,
  testServiceConfig,
} from '#core-domain/testing';
