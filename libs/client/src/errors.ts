/** A call the service refused for a reason a retry cannot fix (bad credentials, unknown app, a bad event). */
export class CostKeeperError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CostKeeperError';
  }
}

/** The service cannot be reached (or the circuit breaker is open) and there is no answer to fall back on. */
export class CostKeeperUnavailableError extends CostKeeperError {
  constructor(
    message = 'Bedrock Cost Keeper is unavailable and no earlier answer or default model is known',
  ) {
    super(message);
    this.name = 'CostKeeperUnavailableError';
  }
}

/** Every label is exhausted until `retryAfter` (thrown by `currentModel()` only; `selectModel()` returns it). */
export class QuotaExhaustedError extends CostKeeperError {
  constructor(readonly retryAfter: Date) {
    super(`every model quota is exhausted until ${retryAfter.toISOString()}`, 429, 'QUOTA_EXCEEDED');
    this.name = 'QuotaExhaustedError';
  }
}
