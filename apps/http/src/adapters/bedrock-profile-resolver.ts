import { BedrockClient, GetInferenceProfileCommand } from '@aws-sdk/client-bedrock';
import { type Clock, type InferenceProfileResolver } from '#core-domain';

/** The part of the Bedrock client this adapter uses (a fake stands in for it in tests). */
export interface BedrockLike {
  send(
    command: GetInferenceProfileCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ models?: Array<{ modelArn?: string }> }>;
}

/** `arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0` -> region and model id. */
function parseModelArn(arn: string | undefined): { region: string; modelId: string } | undefined {
  const m = arn ? /^arn:aws[\w-]*:bedrock:([a-z0-9-]*):\d*:foundation-model\/(.+)$/.exec(arn) : null;
  return m ? { region: m[1]!, modelId: m[2]! } : undefined;
}

/**
 * The model behind an inference profile in a region, from Bedrock GetInferenceProfile. A
 * cross-region profile lists one model ARN per region: the calling region's is chosen, else the
 * first. Answers are memoized (1 h; unknown profiles 5 min); each lookup is bounded by a timeout.
 */
export class BedrockProfileResolver implements InferenceProfileResolver {
  private readonly memo = new Map<string, { modelId: string | undefined; until: number }>();

  constructor(
    private readonly bedrock: BedrockLike,
    private readonly clock: Clock,
    private readonly timeoutMs = 2000,
  ) {}

  static forRegion(region: string, clock: Clock): BedrockProfileResolver {
    return new BedrockProfileResolver(new BedrockClient({ region, maxAttempts: 2 }), clock);
  }

  async modelFor(arn: string, region: string): Promise<string | undefined> {
    const key = `${arn}|${region}`;
    const now = this.clock.now().getTime();
    const hit = this.memo.get(key);
    if (hit && hit.until > now) return hit.modelId;
    const out = await this.bedrock.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: arn }), {
      abortSignal: AbortSignal.timeout(this.timeoutMs),
    });
    const models = (out.models ?? []).map((m) => parseModelArn(m.modelArn)).filter((m) => m !== undefined);
    const chosen = models.find((m) => m.region === region) ?? models[0];
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(key, { modelId: chosen?.modelId, until: now + (chosen ? 3600_000 : 300_000) });
    return chosen?.modelId;
  }
}
