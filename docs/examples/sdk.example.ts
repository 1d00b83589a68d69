/**
 * The client SDK in an app: ask the Cost Keeper which model to use, call Bedrock with it, and let the
 * middleware report the tokens. `apps/http/test/sdk-example.e2e-spec.ts` runs `runSdkExample` against
 * the real service (and a local stand-in for Bedrock).
 *
 * Run it against your deployment (Node 20+):
 *   COST_KEEPER_URL=https://... ORG_ID=... APP_ID=chat CLIENT_ID=... CLIENT_SECRET=... node sdk.example.js
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CostKeeperClient, QuotaExhaustedError, type ClientStats } from '@bedrock-cost-keeper/client';
import { withCostKeeper } from '@bedrock-cost-keeper/client/bedrock';

export interface ExampleOptions {
  baseUrl: string;
  orgId: string;
  appId: string;
  clientId: string;
  clientSecret: string;
  questions: string[];
  /** The Bedrock client to wrap (default: one for AWS_REGION with the default credential chain). */
  bedrock?: BedrockRuntimeClient;
}

export interface ExampleResult {
  answers: string[];
  /** The model id each question went to. */
  models: string[];
  stats: ClientStats;
}

export async function runSdkExample(o: ExampleOptions): Promise<ExampleResult> {
  // One keeper per app process: it caches the selection, batches usage and retries it.
  const keeper = new CostKeeperClient({
    baseUrl: o.baseUrl,
    orgId: o.orgId,
    appId: o.appId,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    // Used (marked stale) if the Cost Keeper is unreachable before it ever answered.
    defaultModel: { label: 'economy', bedrockModelId: 'amazon.nova-micro-v1:0' },
    onError: (e) => console.warn('cost keeper:', e instanceof Error ? e.message : e),
  });
  // Every Converse / ConverseStream / InvokeModel call through this client now reports its usage.
  const bedrock = withCostKeeper(o.bedrock ?? new BedrockRuntimeClient({}), keeper);

  const answers: string[] = [];
  const models: string[] = [];
  try {
    for (const question of o.questions) {
      let modelId: string;
      try {
        modelId = await keeper.currentModel();
      } catch (e) {
        if (e instanceof QuotaExhaustedError) {
          answers.push(`(every model budget is spent until ${e.retryAfter.toISOString()})`);
          continue;
        }
        throw e;
      }
      const out = await bedrock.send(
        new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: question }] }] }),
      );
      models.push(modelId);
      answers.push(out.output?.message?.content?.[0]?.text ?? '');
    }
  } finally {
    // On shutdown: send what is still queued.
    await keeper.close();
  }
  return { answers, models, stats: keeper.stats };
}

const env = typeof process !== 'undefined' ? process.env : {};
if (env.COST_KEEPER_URL && import.meta.url === `file://${process.argv[1]}`) {
  const r = await runSdkExample({
    baseUrl: env.COST_KEEPER_URL,
    orgId: env.ORG_ID ?? '',
    appId: env.APP_ID ?? 'chat',
    clientId: env.CLIENT_ID ?? '',
    clientSecret: env.CLIENT_SECRET ?? '',
    questions: ['What is Amazon Bedrock?'],
  });
  console.log(r.answers.join('\n'), r.stats);
}
