// @bedrock-cost-keeper/client/bedrock: middleware for @aws-sdk/client-bedrock-runtime that reports the
// usage of Converse, ConverseStream and InvokeModel through a CostKeeperClient, with no app code.
import type {
  BedrockRuntimeClient,
  ConverseStreamOutput,
  ConverseStreamCommandOutput,
  TokenUsage,
} from '@aws-sdk/client-bedrock-runtime';
import type { CostKeeperClient, UsageEvent } from '../index.js';

export interface WithCostKeeperOptions {
  /** The label of a model id (default: the label the keeper's selections gave it). */
  labelFor?: (bedrockModelId: string) => string | undefined;
  /** Tags sent with every event. */
  tags?: Record<string, string>;
}

type Tokens = Pick<
  UsageEvent,
  'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheWriteInputTokens' | 'latencyMs'
>;

const COMMANDS = new Set(['ConverseCommand', 'ConverseStreamCommand', 'InvokeModelCommand']);
const HEADERS_KEY = '__costKeeperTokenHeaders';
const MIDDLEWARE = 'costKeeperUsage';

/**
 * Adds the Cost Keeper to a BedrockRuntimeClient: a command sent without `modelId` gets
 * `keeper.currentModel()`; after each Converse, ConverseStream (when its metadata event arrives) and
 * InvokeModel call, the tokens (input, output, cache read, cache write) are queued with
 * `keeper.reportUsage()` with the call's latency (Bedrock's `metrics.latencyMs` or the
 * `x-amzn-bedrock-invocation-latency` header, else the time measured here). Returns the same client.
 */
export function withCostKeeper<C extends Pick<BedrockRuntimeClient, 'middlewareStack'>>(
  client: C,
  keeper: CostKeeperClient,
  opts: WithCostKeeperOptions = {},
): C {
  const stack = client.middlewareStack;
  stack.remove(MIDDLEWARE);
  stack.remove(`${MIDDLEWARE}Headers`);
  stack.add(
    (next, context) => async (args) => {
      if (!COMMANDS.has(context.commandName ?? '')) return next(args);
      const input = args.input as { modelId?: string };
      const modelId = input.modelId || (await keeper.currentModel());
      const started = keeper.now();
      const result = await next(modelId === input.modelId ? args : { ...args, input: { ...input, modelId } });
      const report = (t: Tokens) => {
        // Bedrock's own latency when it gives one, else the time this call took as measured here.
        const latencyMs = t.latencyMs ?? Math.max(0, keeper.now() - started);
        keeper.reportUsage({
          bedrockModelId: modelId,
          ...t,
          latencyMs,
          timestamp: started,
          ...(opts.labelFor?.(modelId) ? { modelLabel: opts.labelFor(modelId) } : {}),
          ...(opts.tags ? { tags: opts.tags } : {}),
        });
      };
      const output = result.output as unknown as Record<string, unknown>;
      if (context.commandName === 'ConverseCommand') {
        const t = fromTokenUsage(
          output.usage as TokenUsage | undefined,
          output.metrics as { latencyMs?: number } | undefined,
        );
        if (t) report(t);
      } else if (context.commandName === 'ConverseStreamCommand') {
        const out = output as unknown as ConverseStreamCommandOutput;
        if (out.stream) out.stream = watchStream(out.stream, report);
      } else {
        const t =
          fromHeaders(
            (context as Record<string, unknown>)[HEADERS_KEY] as Record<string, string> | undefined,
          ) ?? fromInvokeBody(output.body);
        if (t) report(t);
      }
      return result;
    },
    { step: 'initialize', name: MIDDLEWARE, override: true },
  );
  // InvokeModel reports its token counts in response headers: keep them for the middleware above.
  stack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> } | undefined)?.headers;
      if (headers) (context as Record<string, unknown>)[HEADERS_KEY] = headers;
      return result;
    },
    { step: 'deserialize', name: `${MIDDLEWARE}Headers`, override: true },
  );
  return client;
}

function fromTokenUsage(u: TokenUsage | undefined, metrics?: { latencyMs?: number }): Tokens | undefined {
  if (!u) return undefined;
  const latency = int(metrics?.latencyMs);
  return {
    inputTokens: u.inputTokens ?? 0,
    outputTokens: u.outputTokens ?? 0,
    ...(u.cacheReadInputTokens ? { cacheReadInputTokens: u.cacheReadInputTokens } : {}),
    ...(u.cacheWriteInputTokens ? { cacheWriteInputTokens: u.cacheWriteInputTokens } : {}),
    ...(latency !== undefined ? { latencyMs: latency } : {}),
  };
}

async function* watchStream(
  stream: AsyncIterable<ConverseStreamOutput>,
  report: (t: Tokens) => void,
): AsyncGenerator<ConverseStreamOutput> {
  let reported = false;
  for await (const event of stream) {
    if (!reported && event.metadata?.usage) {
      const t = fromTokenUsage(event.metadata.usage, event.metadata.metrics);
      if (t) {
        reported = true;
        report(t);
      }
    }
    yield event;
  }
}

const int = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
};

function fromHeaders(h: Record<string, string> | undefined): Tokens | undefined {
  if (!h) return undefined;
  const get = (k: string) => int(h[k] ?? h[k.toLowerCase()]);
  const input = get('x-amzn-bedrock-input-token-count');
  const output = get('x-amzn-bedrock-output-token-count');
  if (input === undefined || output === undefined) return undefined;
  const read = get('x-amzn-bedrock-cache-read-input-token-count');
  const write = get('x-amzn-bedrock-cache-write-input-token-count');
  const latency = get('x-amzn-bedrock-invocation-latency');
  return {
    inputTokens: input,
    outputTokens: output,
    ...(read ? { cacheReadInputTokens: read } : {}),
    ...(write ? { cacheWriteInputTokens: write } : {}),
    ...(latency !== undefined ? { latencyMs: latency } : {}),
  };
}

/** The usage in an InvokeModel body: Anthropic, Nova/Converse-style, Llama or Titan shapes. */
function fromInvokeBody(body: unknown): Tokens | undefined {
  if (!(body instanceof Uint8Array)) return undefined;
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const u = (j.usage ?? {}) as Record<string, unknown>;
  const input = int(u.input_tokens ?? u.inputTokens ?? j.prompt_token_count ?? j.inputTextTokenCount);
  const results = j.results as Array<Record<string, unknown>> | undefined;
  const output = int(
    u.output_tokens ?? u.outputTokens ?? j.generation_token_count ?? results?.[0]?.tokenCount,
  );
  if (input === undefined || output === undefined) return undefined;
  const read = int(u.cache_read_input_tokens ?? u.cacheReadInputTokens ?? u.cacheReadInputTokenCount);
  const write = int(u.cache_creation_input_tokens ?? u.cacheWriteInputTokens ?? u.cacheWriteInputTokenCount);
  return {
    inputTokens: input,
    outputTokens: output,
    ...(read ? { cacheReadInputTokens: read } : {}),
    ...(write ? { cacheWriteInputTokens: write } : {}),
  };
}
