// A local stand-in for Amazon Bedrock Runtime: a node:http server on 127.0.0.1 (free port) answering
// Converse in Bedrock's JSON shape. No AWS access: point a BedrockRuntimeClient at `url` with dummy
// credentials (see `bedrockClient`).
import { createServer, type Server } from 'node:http';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface FakeBedrockUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface FakeBedrock {
  url: string;
  /** Model ids called, in order. */
  calls: string[];
  usage: FakeBedrockUsage;
  close(): Promise<void>;
}

export async function startFakeBedrock(
  usage: FakeBedrockUsage = { inputTokens: 1500, outputTokens: 800 },
): Promise<FakeBedrock> {
  const calls: string[] = [];
  const state = { usage };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const m = /^\/model\/([^/]+)\/converse$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
        return;
      }
      calls.push(decodeURIComponent(m[1]!));
      const u = state.usage;
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': `fake-${calls.length}` });
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text: 'Hello from the fake Bedrock.' }] } },
          stopReason: 'end_turn',
          usage: { ...u, totalTokens: u.inputTokens + u.outputTokens },
          metrics: { latencyMs: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    get usage() {
      return state.usage;
    },
    set usage(u: FakeBedrockUsage) {
      state.usage = u;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A BedrockRuntimeClient aimed at the fake endpoint, with dummy credentials, over HTTP/1.1. */
export function bedrockClient(url: string): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    maxAttempts: 1,
    // HTTP/1.1 (the runtime client's default handler speaks HTTP/2, which a node:http server does not).
    requestHandler: new NodeHttpHandler(),
  });
}
