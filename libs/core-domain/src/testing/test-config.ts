import { validateServiceConfig, type ServiceConfig } from '../model/config/service-config.js';

/** The default config (the same as config.yaml; see README.md, "Configuration"), for tests. */
export function testServiceConfig(extra: Record<string, unknown> = {}): ServiceConfig {
  return validateServiceConfig({
    region: 'us-east-1',
    labels: {
      premium: {
        bedrock_model_id: 'amazon.nova-pro-v1:0',
        description: 'Nova Pro',
        input_price_usd_micros_per_1m: 800000,
        output_price_usd_micros_per_1m: 3200000,
      },
      standard: {
        bedrock_model_id: 'amazon.nova-2-lite-v1:0',
        description: 'Nova 2 Lite',
        input_price_usd_micros_per_1m: 330000,
        output_price_usd_micros_per_1m: 2750000,
      },
      economy: {
        bedrock_model_id: 'amazon.nova-micro-v1:0',
        description: 'Nova Micro',
        input_price_usd_micros_per_1m: 35000,
        output_price_usd_micros_per_1m: 140000,
      },
    },
    defaults: {
      model_ordering: ['premium', 'standard', 'economy'],
      quotas: { premium: 10_000_000, standard: 5_000_000, economy: 2_000_000 },
    },
    ...extra,
  });
}
