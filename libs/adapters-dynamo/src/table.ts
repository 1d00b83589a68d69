import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/** The TTL attribute of every item that expires (epoch seconds). */
export const TTL_ATTRIBUTE = 'expires_at';

/** The change feed GSI (write-sharded by day, see docs/storage.md); also the due index and the record feed. */
export const FEED_INDEX = 'gsi1';

/** Usage records by (org, org day) in timestamp order, all attributes projected (records and export). */
export const RECORDS_INDEX = 'gsi2';

/**
 * The attributes the change-feed GSI projects besides its keys. Only attributes that never change
 * after a counter's first write, so that an increment inside the same minute costs no index write.
 * `__edb_e__` / `__edb_v__` are ElectroDB's entity identifiers (it needs them to parse query results).
 */
export const FEED_PROJECTED_ATTRIBUTES = ['scope_key', 'label', 'day', '__edb_e__', '__edb_v__'];

/**
 * The table, defined once in code (db-init, tests and the CloudFormation template use this
 * definition). Generic keys `pk`/`sk`, two GSIs, on-demand billing, TTL on `expires_at`.
 */
export const TABLE_DEFINITION = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
    { AttributeName: 'gsi2pk', AttributeType: 'S' },
    { AttributeName: 'gsi2sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: FEED_INDEX,
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: FEED_PROJECTED_ATTRIBUTES },
    },
    {
      IndexName: RECORDS_INDEX,
      KeySchema: [
        { AttributeName: 'gsi2pk', KeyType: 'HASH' },
        { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
  TimeToLiveAttribute: TTL_ATTRIBUTE,
} as const satisfies Omit<CreateTableCommandInput, 'TableName'> & { TimeToLiveAttribute: string };

const ACTIVE_TIMEOUT_MS = 120_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function describeStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

async function waitActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await describeStatus(client, tableName);
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`Table ${tableName} is not ACTIVE after ${ACTIVE_TIMEOUT_MS / 1000} s`);
    await sleep(status === undefined ? 200 : 500);
  }
}

async function ensureTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.TimeToLiveAttribute, Enabled: true },
    }),
  );
}

/**
 * Creates the table when it does not exist, waits until it is ACTIVE and enables TTL. Idempotent:
 * safe to call again, also concurrently (a table being created by someone else is waited for).
 * Raw SDK on purpose: ElectroDB has no table management. Returns whether this call created it.
 * `ttl: false` leaves TTL off: test tables, whose items carry expiry times from a fake clock that
 * DynamoDB Local's sweeper (on the machine's clock) would otherwise delete mid-test; reads hide
 * expired items themselves, so no behaviour depends on the sweeper.
 */
export async function createTableIfMissing(
  client: DynamoDBClient,
  tableName: string,
  opts: { ttl?: boolean } = {},
): Promise<boolean> {
  let created = false;
  if ((await describeStatus(client, tableName)) === undefined) {
    const { TimeToLiveAttribute: _ttl, ...definition } = TABLE_DEFINITION;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          ...structuredClone(definition),
        } as CreateTableCommandInput),
      );
      created = true;
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  await waitActive(client, tableName);
  if (opts.ttl !== false) await ensureTtl(client, tableName);
  return created;
}
