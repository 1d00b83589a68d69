// @bedrock-cost-keeper/client: the core (fetch only; runs on Node 20+, in browsers and edge runtimes).
// The Bedrock middleware is a separate entry point: @bedrock-cost-keeper/client/bedrock.
export {
  CostKeeperClient,
  type ClientStats,
  type CostKeeperClientOptions,
  type ModelChoice,
  type QuotaExhausted,
  type SelectModelResult,
  type UsageEvent,
} from './client.js';
export {
  SelectionGuidance,
  type CachedSelection,
  type Decision,
  type GuidanceRules,
  type Reaction,
  type SelectedAnswer,
} from './guidance.js';
export { CircuitBreaker, type BreakerOptions, type BreakerState } from './breaker.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { CostKeeperError, CostKeeperUnavailableError, QuotaExhaustedError } from './errors.js';
export { backoffMs, parseRetryAfter } from './retry.js';
export type * from './wire.js';
