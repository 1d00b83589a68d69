import { type OpenAPIObject } from '@nestjs/swagger';
import { createMemoryAdapters } from '#adapters-memory';
import { type ServiceConfig } from '#core-domain';
import { createHttpApp, createOpenApiDocument } from './http-app.js';

/** Sorts object keys so the committed document is stable. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The OpenAPI document as `npm run openapi` writes it (no server, memory storage, dummy keys). */
export async function generateOpenApiDocument(config: ServiceConfig): Promise<string> {
  const app = await createHttpApp({
    storage: createMemoryAdapters(),
    config,
    provisioningApiKey: 'openapi-generation-key-0123456789abcdef',
    jwtSecret: 'openapi-generation-secret-0123456789abcdef',
    rateLimits: false,
    logLevel: 'silent',
  });
  try {
    const doc: OpenAPIObject = createOpenApiDocument(app);
    return `${JSON.stringify(canonical(doc), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
