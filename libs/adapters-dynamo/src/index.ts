// Public API of the DynamoDB storage adapter. Import the lib only through this file (#adapters-dynamo).
export { createDynamoAdapters, type DynamoAdapterOptions } from './adapters.js';
export { TABLE_DEFINITION, TTL_ATTRIBUTE, FEED_INDEX, createTableIfMissing } from './table.js';
export { countCommands, type CommandCounter } from './command-counter.js';
export { createDynamoClient, type DynamoClientOptions } from './client.js';
export { InFlightLimit, limitInFlight, MAX_IN_FLIGHT } from './in-flight-limit.js';
export { isStorageUnavailable, storageErrorKind, type StorageErrorListener } from './errors.js';
export { FEED_PARTITIONS, feedPartition, fnv1a32, minuteBucket } from './keys.js';
export { seedRollups } from './rollups.adapter.js';
export { seedUsageRecords } from './records.adapter.js';
