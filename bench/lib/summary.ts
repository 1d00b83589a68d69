// The usage summary over 400 days (analytics.md): an org with 100 apps x 3 labels active every day,
// its daily rollups seeded straight into DynamoDB Local with batch writes, then GET .../usage/summary's
// use case (GetUsageSummary on the DynamoDB adapters, in process) timed for several groupings.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  addDays,
  createCostKeeper,
  dimsEntryKey,
  emptyRollup,
  tagEntryKey,
  type DayRollup,
  type ServiceConfig,
} from '#core-domain';
import {
  createDynamoAdapters,
  createDynamoClient,
  createTableIfMissing,
  seedRollups,
} from '#adapters-dynamo';
import { startDynamoLocal } from './dynamo.js';

export interface SummaryBenchRow {
  groupBy: string;
  rows: number;
  runs: number[];
}

export interface SummaryBenchResult {
  days: number;
  apps: number;
  labels: number;
  items: number;
  seedMs: number;
  rows: SummaryBenchRow[];
}

const LABELS: Array<[string, string]> = [
  ['premium', 'amazon.nova-pro-v1:0'],
  ['standard', 'amazon.nova-lite-v1:0'],
  ['economy', 'amazon.nova-micro-v1:0'],
];

export async function measureSummary(
  config: ServiceConfig,
  o: { days?: number; apps?: number; runs?: number; log: (line: string) => void },
): Promise<SummaryBenchResult> {
  const days = o.days ?? 400;
  const apps = o.apps ?? 100;
  const runs = o.runs ?? 5;
  const ddb = await startDynamoLocal();
  const client = createDynamoClient({ endpoint: ddb.endpoint, region: 'us-east-1' });
  try {
    const tableName = `bench-summary-${randomUUID()}`;
    await createTableIfMissing(client, tableName);
    const storage = createDynamoAdapters({ client, tableName });
    let ids = 0;
    const keeper = createCostKeeper({
      storage,
      clock: { now: () => new Date('2026-12-01T12:00:00Z') },
      config,
      ids: { newId: () => randomUUID(), newSecret: () => `secret-${++ids}` },
      hasher: { hash: async (s: string) => s, verify: async (s: string, h: string) => s === h },
    });
    const orgId = randomUUID();
    await keeper.provisioning.putOrg(orgId, {
      orgName: 'Bench',
      timezone: 'UTC',
      quotaScope: 'APP',
      rollupTagKeys: ['team'],
    });
    const first = addDays('2026-11-30', -(days - 1));
    const rollups: DayRollup[] = [];
    for (let d = 0; d < days; d++) {
      const day = addDays(first, d);
      const dims = emptyRollup(orgId, 'dims', day);
      const team = emptyRollup(orgId, 'tag:team', day);
      for (let a = 0; a < apps; a++) {
        for (const [label, model] of LABELS) {
          const n = 1 + ((a + d) % 17);
          const t = {
            costUsdMicros: 3760 * n,
            inputTokens: 1500 * n,
            outputTokens: 800 * n,
            cacheReadInputTokens: 0,
            cacheWriteInputTokens: 0,
            requests: n,
            errors: n % 5 === 0 ? 1 : 0,
          };
          dims.entries.set(
            dimsEntryKey({ scope: 'APP', app: `app-${String(a).padStart(3, '0')}`, label, model }),
            t,
          );
          const key = tagEntryKey(`app-${String(a).padStart(3, '0')}`, `team-${(a + d) % 20}`);
          const prev = team.entries.get(key);
          team.entries.set(
            key,
            prev
              ? { ...t, requests: prev.requests + n, costUsdMicros: prev.costUsdMicros + t.costUsdMicros }
              : t,
          );
        }
      }
      dims.window = team.window = 'seed';
      rollups.push(dims, team);
    }
    const t0 = performance.now();
    await seedRollups(client, tableName, rollups);
    const seedMs = performance.now() - t0;
    o.log(
      `  seeded ${rollups.length} rollup items (${days} days x (dims + 1 tag key)) in ${Math.round(seedMs)} ms`,
    );
    const rows: SummaryBenchRow[] = [];
    for (const groupBy of ['day', 'month', 'app', 'label,model', 'week,app', 'tag:team']) {
      const q = { from: first, to: '2026-11-30', groupBy };
      await keeper.usageSummary.run(orgId, q); // warm (config cache, connections)
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        const out = await keeper.usageSummary.run(orgId, q);
        times.push(performance.now() - s);
        count = out.rows.length;
      }
      rows.push({ groupBy, rows: count, runs: times });
      o.log(
        `  group_by=${groupBy.padEnd(12)} ${String(count).padStart(6)} rows  median ${median(times).toFixed(0)} ms  max ${Math.max(...times).toFixed(0)} ms`,
      );
    }
    return { days, apps, labels: LABELS.length, items: rollups.length, seedMs, rows };
  } finally {
    client.destroy();
    await ddb.child.stop();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const START = '<!-- bench:summary:start -->';
const END = '<!-- bench:summary:end -->';
const SECTION = '## Usage summary from rollups (400 days)';

export function writeSummaryResult(file: string, r: SummaryBenchResult, date: string, machine: string): void {
  const table = [
    '| group_by | rows | median ms | max ms |',
    '|---|---:|---:|---:|',
    ...r.rows.map(
      (x) =>
        `| \`${x.groupBy}\` | ${x.rows} | ${median(x.runs).toFixed(0)} | ${Math.max(...x.runs).toFixed(0)} |`,
    ),
  ].join('\n');
  const worst = Math.max(...r.rows.flatMap((x) => x.runs));
  const block =
    `${START}\n\nLast run: ${date}, ${machine}. ${r.days} days x ${r.apps} apps x ${r.labels} labels active every day ` +
    `(${r.items} rollup items seeded with BatchWriteItem in ${Math.round(r.seedMs)} ms), DynamoDB Local in memory, ` +
    `GetUsageSummary in process, ${r.rows[0]?.runs.length ?? 0} timed runs after one warm-up each. ` +
    `Slowest run **${worst.toFixed(0)} ms** (target < 2000 ms).\n\n${table}\n\n${END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const out =
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + END.length)
      : `${text.replace(/\n*$/, '\n\n')}${SECTION}\n\nMeasured by \`BENCH_ONLY=summary npm run bench\` (also part of the full \`npm run bench\`): the summary route's use case reads one rollup item per org day (deflated JSON of its (scope, app, label, model) entries, or of a tag key's (app, value) entries) with one paged Query, and groups in memory.\n\n${block}\n`;
  writeFileSync(file, out);
}
