import { type InferenceProfileResolver } from '../ports/inference-profile-resolver.port.js';

/**
 * In-process inference profile resolver for tests: a map of `${arn}|${region}` (or `${arn}`) to
 * model id. `failing = true` makes every lookup throw, as an unreachable Bedrock would.
 */
export class StaticProfileResolver implements InferenceProfileResolver {
  failing = false;
  lookups = 0;
  constructor(private readonly models: Record<string, string> = {}) {}
  set(arn: string, modelId: string, region?: string): void {
    this.models[region ? `${arn}|${region}` : arn] = modelId;
  }
  async modelFor(arn: string, region: string): Promise<string | undefined> {
    this.lookups++;
    if (this.failing) throw new Error('profile lookup failed');
    return this.models[`${arn}|${region}`] ?? this.models[arn];
  }
}
