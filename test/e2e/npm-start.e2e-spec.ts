// `npm start` as a newcomer uses it: on a free port, the README walkthrough run as written, then
// Ctrl-C (SIGTERM here); with DynamoDB Local, a restart keeps the data and the admin key.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../apps/http/test/process.js';

const README = readFileSync('README.md', 'utf8');
const WALKTHROUGH = README.slice(
  README.indexOf('<!-- walkthrough:start -->'),
  README.indexOf('<!-- walkthrough:end -->'),
)
  .split('```bash\n')[1]!
  .split('```')[0]!;

/** Appended to the walkthrough: wait (bounded) for the worker's next pass to show the usage. */
const AWAIT_AGGREGATION = `
for i in $(seq 1 240); do
  out=$(curl -sS "$BASE/api/v1/orgs/$ORG_ID/aggregates/today" -H "Authorization: Bearer $ORG_TOKEN")
  case "$out" in *'"total_cost_usd_micros":3760'*) echo "AGGREGATED $ORG_ID"; exit 0;; esac
  sleep 0.25
done
echo "NOT AGGREGATED: $out"; exit 1
`;

interface Started {
  proc: ChildProcess;
  output: () => string;
  base: string;
  stop(): Promise<number | null>;
}

/** What `npm start` runs, started directly so that the test stops it by its own PID (npm does not pass SIGTERM on). */
const START = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string;

async function npmStart(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const [cmd, ...args] = START.split(' ');
  const proc = spawn(cmd === 'node' ? process.execPath : cmd!, args, {
    env: {
      ...process.env,
      DYNAMODB_ENDPOINT: '',
      PORT: String(port),
      AGGREGATION_INTERVAL_SECS: '1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, 150_000);
  // The banner follows the start script's own health check: wait for it (bounded).
  for (let i = 0; i < 100 && !out.includes('Ctrl-C stops everything.'); i++)
    await new Promise((r) => setTimeout(r, 100));
  return {
    proc,
    output: () => out,
    base,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM'); // by its own PID, as Ctrl-C would
      return exited;
    },
  };
}

function walkthrough(base: string, adminKey: string): string {
  return execFileSync('bash', ['-euo', 'pipefail', '-c', WALKTHROUGH + AWAIT_AGGREGATION], {
    env: { ...process.env, BASE: base, ADMIN_KEY: adminKey },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('npm start and the README walkthrough', () => {
  it('npm start is the start script', () => {
    expect(START).toBe('node scripts/start.mjs');
  });

  it('STORAGE=memory: runs without Java, warns that nothing is persisted, and serves the walkthrough', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bck-start-'));
    dirs.push(dataDir);
    const s = await npmStart({ STORAGE: 'memory', DATA_DIR: dataDir });
    try {
      expect(s.output()).toContain('nothing is persisted');
      const adminKey = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'))
        .PROVISIONING_API_KEY as string;
      expect(s.output()).toContain(`admin key:       ${adminKey}`);
      expect(s.output()).toContain(`${s.base.replace('127.0.0.1', 'localhost')}/docs`);
      const out = walkthrough(s.base, adminKey);
      expect(out).toContain('"status":"created"');
      expect(out).toContain('"recommended_model"');
      expect(out).toContain('"cost_usd_micros":3760');
      expect(out).toMatch(/AGGREGATED [0-9a-f-]{36}/);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    await expect(fetch(`${s.base}/health`)).rejects.toThrow();
  }, 300_000);

  it('DynamoDB Local: the walkthrough, then a restart keeps the data and the same admin key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bck-start-'));
    dirs.push(dataDir);
    const first = await npmStart({ STORAGE: 'dynamodb', DATA_DIR: dataDir });
    let orgId: string;
    let orgCredentials: { client_id: string; client_secret: string };
    const adminKey = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'))
      .PROVISIONING_API_KEY as string;
    try {
      expect(first.output()).toContain('DynamoDB Local on http://127.0.0.1:');
      const out = walkthrough(first.base, adminKey);
      orgId = /AGGREGATED ([0-9a-f-]{36})/.exec(out)![1]!;
      orgCredentials = JSON.parse(out.split('\n')[0]!).credentials;
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const second = await npmStart({ STORAGE: 'dynamodb', DATA_DIR: dataDir });
    try {
      expect(second.output()).toContain(`admin key:       ${adminKey}`);
      const org = await fetch(`${second.base}/api/v1/orgs/${orgId}`, { headers: { 'X-API-Key': adminKey } });
      expect(org.status).toBe(200);
      const token = await fetch(`${second.base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', ...orgCredentials! }),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const agg = await fetch(`${second.base}/api/v1/orgs/${orgId}/aggregates/today`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(((await agg.json()) as { total_cost_usd_micros: number }).total_cost_usd_micros).toBe(3760);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 400_000);
});
