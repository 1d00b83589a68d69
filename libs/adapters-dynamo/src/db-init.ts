// Creates the table if it is missing (idempotent), then prints one line.
//   DYNAMODB_ENDPOINT  local endpoint (DynamoDB Local); unset for AWS
//   TABLE_NAME         default bedrock-cost-keeper
//   AWS_REGION         default us-east-1
// Run: npm run db:init  (node dist/libs/adapters-dynamo/src/db-init.js)
import { createDynamoClient } from './client.js';
import { createTableIfMissing } from './table.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
const tableName = process.env.TABLE_NAME || 'bedrock-cost-keeper';
const region = process.env.AWS_REGION || 'us-east-1';

const client = createDynamoClient({ endpoint, region, requestTimeoutMs: 10_000 });
try {
  const created = await createTableIfMissing(client, tableName);
  const where = endpoint ?? `AWS ${region}`;
  console.log(
    `db-init: table ${tableName} ${created ? 'created' : 'already exists'} at ${where} (TTL on expires_at)`,
  );
} catch (error) {
  console.error(`db-init: failed to create table ${tableName}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
