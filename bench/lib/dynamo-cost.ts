// DynamoDB capacity per usage event (ReturnConsumedCapacity=TOTAL), in process on DynamoDB Local: the
// real use cases (testCostKeeper on createDynamoAdapters) for a label far from and near its quota,
// at 8 and 64 shards. A FakeClock set to the wall clock paces two aggregation passes a minute apart
// before the measured events (as the worker would: a day total and a burn are known), so the figures
// are those of a running service, not of its first minute. Events carry a calling region and three tags.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as prettier from 'prettier';
import {
  countCommands,
  createDynamoAdapters,
  createDynamoClient,
  createTableIfMissing,
} from '#adapters-dynamo';
import { type ServiceConfig, type UsageInput } from '#core-domain';
import { FakeClock, testCostKeeper } from '#core-domain/testing';
import { meterCapacity } from './dynamo.js';

export interface CostRow {
  shards: number;
  /** The org's quota scope (APP: scope keys carry the app id, so the record's keys are longer). */
  scope: 'ORG' | 'APP';
  position: 'far' | 'near';
  events: number;
  /** Spend over quota at the start and end of the measured events (percent). */
  pctFrom: number;
  pctTo: number;
  callsPerEvent: number;
  byCommand: Record<string, number>;
  rcuPerEvent: number;
  wcuPerEvent: number;
  /** Events whose answer used live spend (shard counters). */
  liveAnswers: number;
  mode: string;
}

/** 1,500 in / 800 out on premium: 3,760 µUSD. */
const COST = 3760;
/** Events before each of the two aggregation passes: enough to populate every one of 64 shards. */
const PER_PASS = 300;

export async function measureCostPerEvent(o: {
  endpoint: string;
  config: ServiceConfig;
  events: number;
  shardCounts?: readonly number[];
}): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const shards of o.shardCounts ?? [8, 64]) {
    for (const position of ['far', 'near'] as const) {
      rows.push(await measureOne(o.endpoint, o.config, o.events, shards, position, 'ORG'));
    }
  }
  rows.push(await measureOne(o.endpoint, o.config, o.events, 8, 'far', 'APP'));
  return rows;
}

async function measureOne(
  endpoint: string,
  config: ServiceConfig,
  events: number,
  shards: number,
  position: 'far' | 'near',
  scope: 'ORG' | 'APP',
): Promise<CostRow> {
  const client = createDynamoClient({ endpoint, region: 'us-east-1' });
  const tableName = `bench-cost-${randomUUID()}`;
  await createTableIfMissing(client, tableName);
  const clock = new FakeClock(new Date().toISOString());
  const keeper = testCostKeeper({ storage: createDynamoAdapters({ client, tableName }), clock, config });
  // Near: the warm-up spend (600 events) is 75 % of the quota and the measured events take it to
  // 75 + events/8 %: near by the burn from the first measured event on. Far: a quota of $1M.
  const quota = position === 'far' ? 1e12 : Math.round((2 * PER_PASS * COST) / 0.75);
  const orgId = randomUUID();
  await keeper.provisioning.putOrg(orgId, {
    orgName: 'Bench',
    timezone: 'UTC',
    quotaScope: scope,
    overrides: { aggShardCount: shards },
    quotas: { premium: quota, standard: 1e12, economy: 1e12 },
  });
  await keeper.provisioning.putApp(orgId, 'bench', { appName: 'Bench' });
  const event = (): UsageInput => ({
    requestId: randomUUID(),
    modelLabel: 'premium',
    bedrockModelId: 'amazon.nova-pro-v1:0',
    inputTokens: 1500,
    outputTokens: 800,
    status: 'OK',
    timestamp: clock.now().toISOString(),
    // A typical event: the calling region and three tags (they count in the record's write units).
    callingRegion: config.region,
    tags: { feature: 'checkout-assistant', team: 'payments', env: 'production' },
  });
  const record = () => keeper.recordUsage.execute(orgId, 'bench', event());
  const batch = async (n: number) => {
    for (let i = 0; i < n; i += 20) await Promise.all(Array.from({ length: Math.min(20, n - i) }, record));
  };
  try {
    await batch(PER_PASS);
    await keeper.aggregator.runPass();
    await record();
    clock.advance(60_000);
    await batch(PER_PASS - 1);
    await keeper.aggregator.runPass();
    clock.advance(1000);
    await record(); // the first read after the pass learns the burn
    const counter = countCommands(client);
    const meter = meterCapacity(client);
    let live = 0;
    let mode = '';
    let pctFrom = NaN;
    let pctTo = NaN;
    for (let i = 0; i < events; i++) {
      clock.advance(100);
      const r = await record();
      if (r.quotaStatus.live) live++;
      mode = r.quotaStatus.mode;
      if (i === 0) pctFrom = r.quotaStatus.quotaPct;
      pctTo = r.quotaStatus.quotaPct;
    }
    const { rcu, wcu } = meter.totals();
    // DynamoDB Local does return ConsumedCapacity; a command without it would make the figures wrong.
    if (meter.unreported() > 0)
      throw new Error(`${meter.unreported()} commands reported no ConsumedCapacity`);
    const byCommand: Record<string, number> = {};
    for (const [k, v] of Object.entries(counter.byCommand()))
      byCommand[k.replace(/Command$/, '')] = v / events;
    counter.detach();
    meter.detach();
    return {
      shards,
      scope,
      position,
      events,
      pctFrom,
      pctTo,
      callsPerEvent: counter.total() / events,
      byCommand,
      rcuPerEvent: rcu / events,
      wcuPerEvent: wcu / events,
      liveAnswers: live,
      mode,
    };
  } finally {
    client.destroy();
  }
}

const f2 = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

export function costLine(r: CostRow): string {
  return (
    `${String(r.shards).padStart(2)} shards, ${r.scope} scope, ${r.position.padEnd(4)} (${r.pctFrom.toFixed(1)} -> ${r.pctTo.toFixed(1)} % of quota): ` +
    `RCU/event ${f2(r.rcuPerEvent)}  WCU/event ${f2(r.wcuPerEvent)}  calls/event ${f2(r.callsPerEvent)} ${JSON.stringify(r.byCommand)}  live answers ${r.liveAnswers}/${r.events}  last mode ${r.mode}`
  );
}

export function costTable(rows: CostRow[]): string {
  const lines = [
    '| shards | scope | label | spend / quota during the events | RCU / event | WCU / event | DynamoDB calls / event | by command (per event) | answers with live spend | last mode |',
    '|--:|---|---|---|--:|--:|--:|---|--:|---|',
  ];
  for (const r of rows) {
    const by = Object.entries(r.byCommand)
      .map(([k, v]) => `${k} ${f2(v)}`)
      .join(', ');
    lines.push(
      `| ${r.shards} | ${r.scope} | ${r.position} | ${r.pctFrom.toFixed(1)} % to ${r.pctTo.toFixed(1)} % | ${f2(r.rcuPerEvent)} | ${f2(r.wcuPerEvent)} | ${f2(r.callsPerEvent)} | ${by} | ${r.liveAnswers} / ${r.events} | ${r.mode} |`,
    );
  }
  return lines.join('\n');
}

export const COST_START = '<!-- bench:dynamo-cost:start (written by npm run bench) -->';
export const COST_END = '<!-- bench:dynamo-cost:end -->';

/** Rewrites the block between the markers (they must exist in the file), formatted as the repo's prettier does. */
export async function writeCostResult(file: string, rows: CostRow[], date: string): Promise<void> {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(COST_START);
  const end = text.indexOf(COST_END);
  if (start < 0 || end < start) return;
  const block = `${COST_START}\n\nLast run: ${date}, ${rows[0]?.events ?? 0} events per row, one at a time.\n\n${costTable(rows)}\n\n${COST_END}`;
  const out = text.slice(0, start) + block + text.slice(end + COST_END.length);
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(out, { ...options, parser: 'markdown' }));
}
