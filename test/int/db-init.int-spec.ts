// `npm run db:init` against DynamoDB Local, twice in a row: created, then already exists.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION } from '#adapters-dynamo';
import { dynamoEndpoint, testDynamoClient, uniqueTableName } from '../dynamo/dynamo-test-client.js';

describe('npm run db:init', () => {
  it('creates the table from the adapter definition, and succeeds again when it exists', async () => {
    const tableName = uniqueTableName('db-init');
    const env = { ...process.env, DYNAMODB_ENDPOINT: dynamoEndpoint(), TABLE_NAME: tableName };
    const run = () =>
      execFileSync('npm', ['run', '--silent', 'db:init'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(run()).toContain(`table ${tableName} created`);
    expect(run()).toContain(`table ${tableName} already exists`);
    const client = testDynamoClient();
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table?.KeySchema).toEqual(TABLE_DEFINITION.KeySchema);
      expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(
        TABLE_DEFINITION.GlobalSecondaryIndexes?.map((g) => g.IndexName),
      );
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expires_at');
    } finally {
      client.destroy();
    }
  }, 180_000);
});
