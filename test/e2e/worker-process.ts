// The worker app as a real process on a DynamoDB Local table (started by PID, stopped by PID).
import { dynamoEndpoint } from '../dynamo/dynamo-test-client.js';
import { run, type Running } from '../../apps/http/test/process.js';

/** Starts `dist/apps/worker/main.js` on the table (1 s aggregation passes); call buildOnce() first. */
export function startWorkerOn(tableName: string, env: Record<string, string> = {}): Running {
  return run(['dist/apps/worker/main.js'], {
    STORAGE: 'dynamodb',
    DYNAMODB_ENDPOINT: dynamoEndpoint(),
    TABLE_NAME: tableName,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AGGREGATION_INTERVAL_SECS: '1',
    LOG_LEVEL: 'info',
    // A free port for GET /metrics (several workers run at once); the 'metrics listening' line names it.
    METRICS_PORT: '0',
    ...env,
  });
}

/** Polls `ok` every 200 ms until it holds; throws after `ms` (processes run on real time). */
export async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
