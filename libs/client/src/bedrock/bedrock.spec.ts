// withCostKeeper(): what each Bedrock command reports. The transport is cut short inside the
// client's own middleware stack (no network): the deserialize step answers in the command's shape.
import { describe, expect, it } from '@jest/globals';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { CostKeeperClient, type UsageEvent } from '../client.js';
import { ManualClock } from '../clock.js';
import { withCostKeeper } from './index.js';

const T0 = Date.parse('2026-03-10T08:00:00Z');

type Answer =
  /** An HTTP response the SDK deserializes itself (Converse JSON, InvokeModel blob and headers). */
  | { http: { body: string; headers?: Record<string, string> } }
  /** A deserialized output, returned inside the initialize step (ConverseStream's event stream). */
  | { output: Record<string, unknown> };

function setup(answer: () => Answer) {
  const keeper = new CostKeeperClient({
    baseUrl: 'http://keeper.test',
    clientId: 'id',
    clientSecret: 'secret',
    orgId: 'org',
    appId: 'chat',
    clock: new ManualClock(T0),
    fetch: (async () => {
      throw new TypeError('not used');
    }) as typeof fetch,
  });
  const reported: UsageEvent[] = [];
  keeper.reportUsage = (e: UsageEvent) => {
    reported.push(e);
    return 'id';
  };
  let selected = 0;
  keeper.currentModel = async () => {
    selected++;
    return 'amazon.nova-pro-v1:0';
  };
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    // The transport: answers instead of sending the signed request.
    requestHandler: {
      handle: async () => {
        const a = answer() as Extract<Answer, { http: unknown }>;
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/json', ...a.http.headers },
            body: new TextEncoder().encode(a.http.body),
          },
        };
      },
    } as never,
  });
  const seenModels: string[] = [];
  withCostKeeper(client, keeper, { labelFor: () => 'premium', tags: { agent: 'test' } });
  // Inner to withCostKeeper's middleware (same step, lower priority).
  client.middlewareStack.add(
    (next) => async (args) => {
      seenModels.push((args.input as { modelId: string }).modelId);
      const a = answer();
      if ('output' in a) return { output: { $metadata: {}, ...a.output }, response: {} } as never;
      return next(args);
    },
    { step: 'initialize', priority: 'low', name: 'fakeDirect' },
  );
  return { client, reported, seenModels, selected: () => selected };
}

const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];

describe('withCostKeeper()', () => {
  it('Converse: reports input, output, cache read and cache write tokens, and metrics.latencyMs', async () => {
    const { client, reported } = setup(() => ({
      http: {
        body: JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
          stopReason: 'end_turn',
          usage: {
            inputTokens: 10,
            outputTokens: 20,
            totalTokens: 30,
            cacheReadInputTokens: 5,
            cacheWriteInputTokens: 7,
          },
          metrics: { latencyMs: 2350 },
        }),
      },
    }));
    await client.send(new ConverseCommand({ modelId: 'amazon.nova-pro-v1:0', messages }));
    expect(reported).toEqual([
      {
        bedrockModelId: 'amazon.nova-pro-v1:0',
        modelLabel: 'premium',
        inputTokens: 10,
        outputTokens: 20,
        cacheReadInputTokens: 5,
        cacheWriteInputTokens: 7,
        latencyMs: 2350,
        timestamp: T0,
        tags: { agent: 'test' },
      },
    ]);
  });

  it('a command without modelId gets keeper.currentModel()', async () => {
    const { client, seenModels, selected } = setup(() => ({
      http: { body: JSON.stringify({ usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }) },
    }));
    await client.send(new ConverseCommand({ messages } as never));
    expect(selected()).toBe(1);
    expect(seenModels).toEqual(['amazon.nova-pro-v1:0']);
  });

  it('ConverseStream: reports once, when the metadata event passes through', async () => {
    async function* events(): AsyncGenerator<ConverseStreamOutput> {
      yield { messageStart: { role: 'assistant' } } as ConverseStreamOutput;
      yield { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'hel' } } } as ConverseStreamOutput;
      yield {
        metadata: {
          usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7, cacheReadInputTokens: 2 },
          metrics: { latencyMs: 812 },
        },
      } as ConverseStreamOutput;
    }
    const { client, reported } = setup(() => ({ output: { stream: events() } }));
    const out = await client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-pro-v1:0', messages }));
    expect(reported).toHaveLength(0); // not before the stream is read
    const kinds: string[] = [];
    for await (const ev of out.stream!) kinds.push(Object.keys(ev)[0]!);
    expect(kinds).toEqual(['messageStart', 'contentBlockDelta', 'metadata']);
    expect(reported).toMatchObject([
      { inputTokens: 3, outputTokens: 4, cacheReadInputTokens: 2, latencyMs: 812 },
    ]);
  });

  it('InvokeModel: reads the token-count headers', async () => {
    const { client, reported } = setup(() => ({
      http: {
        body: '{}',
        headers: {
          'x-amzn-bedrock-input-token-count': '11',
          'x-amzn-bedrock-output-token-count': '22',
          'x-amzn-bedrock-cache-read-input-token-count': '33',
          'x-amzn-bedrock-cache-write-input-token-count': '44',
          'x-amzn-bedrock-invocation-latency': '1234',
        },
      },
    }));
    await client.send(new InvokeModelCommand({ modelId: 'amazon.nova-pro-v1:0', body: '{}' }));
    expect(reported).toMatchObject([
      {
        inputTokens: 11,
        outputTokens: 22,
        cacheReadInputTokens: 33,
        cacheWriteInputTokens: 44,
        latencyMs: 1234,
      },
    ]);
  });

  it('InvokeModel: falls back to the usage in the body (Anthropic shape)', async () => {
    const body = {
      usage: {
        input_tokens: 5,
        output_tokens: 6,
        cache_read_input_tokens: 7,
        cache_creation_input_tokens: 8,
      },
    };
    const { client, reported } = setup(() => ({ http: { body: JSON.stringify(body) } }));
    await client.send(new InvokeModelCommand({ modelId: 'anthropic.claude', body: '{}' }));
    expect(reported).toMatchObject([
      {
        bedrockModelId: 'anthropic.claude',
        inputTokens: 5,
        outputTokens: 6,
        cacheReadInputTokens: 7,
        cacheWriteInputTokens: 8,
        // No latency from Bedrock: the time measured around the call (the manual clock stands still).
        latencyMs: 0,
      },
    ]);
  });
});
