import { type StorageAdapters, type StorageErrorKind } from '#core-domain';
import { createMemoryAdapters } from '#adapters-memory';
import { type Settings } from './settings.js';

/**
 * The storage adapters for the settings: memory, or DynamoDB (adaptive retry, bounded timeouts).
 * `onStorageError` is told the kind of every failed DynamoDB call (storage_errors_total).
 */
export async function storageFor(
  settings: Settings,
  opts: { onStorageError?: (kind: StorageErrorKind) => void } = {},
): Promise<StorageAdapters> {
  if (settings.storage === 'memory') return createMemoryAdapters();
  const { createDynamoAdapters, createDynamoClient } = await import('#adapters-dynamo');
  const client = createDynamoClient({
    region: settings.awsRegion,
    ...(settings.dynamodbEndpoint ? { endpoint: settings.dynamodbEndpoint } : {}),
  });
  return createDynamoAdapters({
    client,
    tableName: settings.tableName,
    ...(opts.onStorageError ? { onStorageError: opts.onStorageError } : {}),
  });
}
