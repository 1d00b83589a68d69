// Test helper: a DynamoDBClient for the DynamoDB Local started by global-setup.js, and a table per
// test file (tests use random ids instead of emptying tables).
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, createTableIfMissing } from '../../libs/adapters-dynamo/src/index.js';

export function dynamoEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error(
      'DYNAMODB_ENDPOINT is not set: run the int/e2e projects through Jest (test/dynamo/global-setup.js starts DynamoDB Local)',
    );
  }
  return endpoint;
}

/** A client for the test DynamoDB (adaptive retry, short timeouts). */
export function testDynamoClient(options: { maxAttempts?: number } = {}): DynamoDBClient {
  return createDynamoClient({
    endpoint: dynamoEndpoint(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 3,
  });
}

/** A fresh table name for one test file. */
export function uniqueTableName(prefix = 'bck-test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** Creates a fresh table and returns a client and its name. Destroy the client in afterAll. */
export async function createTestTable(
  prefix?: string,
): Promise<{ client: DynamoDBClient; tableName: string }> {
  const client = testDynamoClient();
  const tableName = uniqueTableName(prefix);
  // TTL off: items expire by fake clocks here, and DynamoDB Local's sweeper runs on the real one.
  await createTableIfMissing(client, tableName, { ttl: false });
  return { client, tableName };
}
