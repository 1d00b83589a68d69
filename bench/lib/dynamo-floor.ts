// The storage ceiling on DynamoDB Local: the DynamoDB calls the product makes per request, with the
// same items, keys, attributes and expressions (as captured from the product's adapter), sent straight
// through the SDK with no HTTP and no app, at the same concurrency. POST /usage = one
// TransactWriteItems (conditional Put of the usage record + upsert/ADD of one of 8 shard counters,
// which also writes the change-feed GSI keys) then one BatchGetItem of 9 keys (the label's total and
// its 8 shard counters); GET model-selection = one BatchGetItem of 4 keys (3 label totals and the
// sticky state). The product cannot beat this on the same DynamoDB Local.
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type RunResult } from './load.js';

type Op = (i: number) => Promise<unknown>;

export function storageOps(client: DynamoDBClient, table: string): { usage: Op; selection: Op } {
  const doc = DynamoDBDocumentClient.from(client);
  const orgId = randomUUID();
  const scope = `ORG#${orgId}`;
  const dayOf = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
  const day = dayOf(new Date());
  const counterKey = (shard: number) => ({
    pk: `CTR#${scope}#DAY#${day}#LABEL#premium#SHARD#${shard}`,
    sk: 'CTR',
  });
  const totalKey = (label: string) => ({ pk: `SCOPE#${scope}#DAY#${day}`, sk: `TOTAL#${label}` });
  const usageKeys = [totalKey('premium'), ...Array.from({ length: 8 }, (_, i) => counterKey(i))];
  const selectionKeys = [
    totalKey('premium'),
    totalKey('standard'),
    totalKey('economy'),
    { pk: `SCOPE#${scope}#DAY#${day}`, sk: 'STICKY' },
  ];
  return {
    usage: async (i) => {
      const requestId = randomUUID();
      const now = new Date();
      const nowSecs = Math.floor(now.getTime() / 1000);
      const bucket = now.toISOString().slice(0, 16).replace(/[-T:]/g, '');
      const shard = i % 8;
      await doc.send(
        new TransactWriteCommand({
          ClientRequestToken: randomUUID(),
          TransactItems: [
            {
              Put: {
                TableName: table,
                Item: {
                  scope_key: scope,
                  request_id: requestId,
                  org_id: orgId,
                  app_id: 'bench',
                  label: 'premium',
                  bedrock_model_id: 'amazon.nova-pro-v1:0',
                  day,
                  shard,
                  status: 'OK',
                  ts: now.toISOString(),
                  recorded_at: now.toISOString(),
                  cost_usd_micros: 3760,
                  input_tokens: 1500,
                  output_tokens: 800,
                  cache_read_input_tokens: 0,
                  cache_write_input_tokens: 0,
                  requests: 1,
                  counter_expires_at: nowSecs + 400 * 86400,
                  expires_at: nowSecs + 7 * 86400,
                  pk: `REQ#${scope}#${requestId}`,
                  sk: 'REQ',
                  __edb_e__: 'usageRecord',
                  __edb_v__: '1',
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                ConditionExpression: 'attribute_not_exists(#pk) AND attribute_not_exists(#sk)',
                ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
              },
            },
            {
              Update: {
                TableName: table,
                Key: counterKey(shard),
                UpdateExpression:
                  'SET #e = :e, #v = :v, #scope = :scope, #label = :label, #day = :day, #shard = :shard, ' +
                  '#feed = :feed, #bucket = :bucket, #updated = :updated, #exp = :exp, #g1pk = :g1pk, #g1sk = :g1sk ' +
                  'ADD #cost :cost, #in :in, #out :out, #cr :cr, #cw :cw, #req :req',
                ExpressionAttributeNames: {
                  '#e': '__edb_e__',
                  '#v': '__edb_v__',
                  '#scope': 'scope_key',
                  '#label': 'label',
                  '#day': 'day',
                  '#shard': 'shard',
                  '#feed': 'feed_k',
                  '#bucket': 'written_bucket',
                  '#updated': 'updated_at',
                  '#exp': 'expires_at',
                  '#g1pk': 'gsi1pk',
                  '#g1sk': 'gsi1sk',
                  '#cost': 'cost_usd_micros',
                  '#in': 'input_tokens',
                  '#out': 'output_tokens',
                  '#cr': 'cache_read_input_tokens',
                  '#cw': 'cache_write_input_tokens',
                  '#req': 'requests',
                },
                ExpressionAttributeValues: {
                  ':e': 'counter',
                  ':v': '1',
                  ':scope': scope,
                  ':label': 'premium',
                  ':day': day,
                  ':shard': shard,
                  ':feed': 2,
                  ':bucket': bucket,
                  ':updated': now.toISOString(),
                  ':exp': nowSecs + 400 * 86400,
                  ':g1pk': `FEED#${day}#2`,
                  ':g1sk': `B#${bucket}`,
                  ':cost': 3760,
                  ':in': 1500,
                  ':out': 800,
                  ':cr': 0,
                  ':cw': 0,
                  ':req': 1,
                },
              },
            },
          ],
        }),
      );
      await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: usageKeys } } }));
    },
    selection: async () => {
      await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: selectionKeys } } }));
    },
  };
}

/** Runs `op` with `inFlight` loops for `durationSecs`; req/s and latency percentiles like autocannon's. */
export async function runOps(
  target: string,
  route: string,
  op: Op,
  inFlight: number,
  durationSecs: number,
  warmupSecs: number,
): Promise<RunResult> {
  let i = 0;
  const drive = async (secs: number, latencies: number[] | undefined) => {
    const end = Date.now() + secs * 1000;
    let errors = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (Date.now() < end) {
          const t0 = performance.now();
          try {
            await op(i++);
            latencies?.push(performance.now() - t0);
          } catch {
            errors++;
          }
        }
      }),
    );
    return errors;
  };
  if (warmupSecs > 0) await drive(warmupSecs, undefined);
  const latencies: number[] = [];
  const t0 = performance.now();
  const errors = await drive(durationSecs, latencies);
  const secs = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length
      ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!)
      : 0;
  return {
    target,
    route,
    reqPerSec: latencies.length / secs,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    ok: latencies.length,
    non2xx: 0,
    errors,
    otherStatuses: '',
    durationSecs: secs,
  };
}
