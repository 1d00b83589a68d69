import { randomBytes, randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import {
  type Clock,
  type IdGenerator,
  type InferenceProfileResolver,
  type PriceQuote,
  type PricingSource,
  type SecretHasher,
  type ServiceConfig,
} from '#core-domain';

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** UUID v4 ids and 32-byte base64 secrets from node:crypto. */
export const nodeIdGenerator: IdGenerator = {
  newId: () => randomUUID(),
  newSecret: () => randomBytes(32).toString('base64'),
};

/** bcrypt (pure JS bcryptjs). Cost 10 in production; tests may lower it to 4 for speed. */
export class BcryptSecretHasher implements SecretHasher {
  constructor(private readonly cost = 10) {}
  hash(secret: string): Promise<string> {
    return bcrypt.hash(secret, this.cost);
  }
  verify(secret: string, hash: string): Promise<boolean> {
    return bcrypt.compare(secret, hash);
  }
}

/**
 * In-process inference profile resolver: a map of `${arn}|${region}` (or `${arn}`) to model id.
 * `failing = true` makes every lookup throw, as an unreachable Bedrock would.
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

/** Prices from the config file: the default PricingSource of the daily refresh. */
export class ConfigPricingSource implements PricingSource {
  readonly origin = 'CONFIG' as const;
  constructor(private readonly config: ServiceConfig) {}
  async quotes(models: Array<{ bedrockModelId: string; region?: string }>): Promise<PriceQuote[]> {
    const out: PriceQuote[] = [];
    for (const m of models) {
      const def = Object.values(this.config.labels).find((d) => d.bedrockModelId === m.bedrockModelId);
      if (def)
        out.push(
          m.region
            ? { bedrockModelId: m.bedrockModelId, region: m.region, price: def.price }
            : { bedrockModelId: m.bedrockModelId, price: def.price },
        );
    }
    return out;
  }
}
