// Jest globalTeardown: stops the DynamoDB Local child started by global-setup.js, by its own PID.
const STOP_TIMEOUT_MS = 5_000;

export default async function globalTeardown() {
  const child = globalThis.__BCK_DYNAMO_LOCAL__;
  if (!child) return;
  globalThis.__BCK_DYNAMO_LOCAL__ = undefined;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    const fallback = setTimeout(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve();
    }, STOP_TIMEOUT_MS);
    fallback.unref();
    child.once('exit', () => {
      clearTimeout(fallback);
      resolve();
    });
    child.kill('SIGTERM');
  });
  delete process.env.DYNAMODB_ENDPOINT;
}
