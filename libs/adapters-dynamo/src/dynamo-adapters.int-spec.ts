// Every storage contract suite, unchanged, against DynamoDB Local (started by test/dynamo/global-setup.js).
import { afterAll, beforeAll } from '@jest/globals';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type StorageAdapters } from '#core-domain';
import { runStorageContracts } from '#core-domain/contracts';
import { createTestTable } from '../../../test/dynamo/dynamo-test-client.js';
import { createDynamoAdapters } from './index.js';

let client: DynamoDBClient;
let adapters: StorageAdapters;

beforeAll(async () => {
  const table = await createTestTable('contracts');
  client = table.client;
  adapters = createDynamoAdapters({ client, tableName: table.tableName });
});

afterAll(() => {
  client?.destroy();
});

runStorageContracts('dynamo', () => adapters);
