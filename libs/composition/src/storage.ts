import { type StorageAdapters } from '#core-domain';
import { createMemoryAdapters } from '#adapters-memory';
import { type Settings } from './settings.js';

/** The storage adapters for the settings: memory, or DynamoDB (adaptive retry, bounded timeouts). */
export async function storageFor(settings: Settings): Promise<StorageAdapters> {
  if (settings.storage === 'memory') return createMemoryAdapters();
  const { createDynamoAdapters, createDynamoClient } = await import('#adapters-dynamo');
  const client = createDynamoClient({
    region: settings.awsRegion,
    ...(settings.dynamodbEndpoint ? { endpoint: settings.dynamodbEndpoint } : {}),
  });
  return createDynamoAdapters({ client, tableName: settings.tableName });
}
