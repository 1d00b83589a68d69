import { createHash } from 'node:crypto';
import {
  authorize,
  FieldProblems,
  isoUtc,
  isValidAppId,
  normalizeOrgId,
  type DailyAggregates,
  type LineState,
  type InferenceProfile,
  type ModelSelection,
  type Principal,
  type UsageInput,
  type UsageResult,
} from '#core-domain';
import {
  type AggregatesDto,
  type BindingDto,
  type BudgetLineDto,
  type ModelSelectionDto,
  type ProfileDto,
  type UsageAcceptedDto,
} from './runtime.dto.js';

/** Validates the path ids (400), then the token's right to act on them (403). Returns the normalized org id. */
export function authorizePath(caller: Principal, rawOrgId: string, appId?: string, orgOnly = false): string {
  const p = new FieldProblems();
  const orgId = normalizeOrgId(rawOrgId);
  if (!orgId) p.add('org_id', 'must be a UUID');
  if (appId !== undefined && !isValidAppId(appId))
    p.add('app_id', 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
  p.throwIfAny();
  authorize(caller, appId === undefined ? { orgId: orgId!, orgOnly } : { orgId: orgId!, appId });
  return orgId!;
}

const WIRE_TO_DOMAIN: Record<string, keyof UsageInput> = {
  request_id: 'requestId',
  model_label: 'modelLabel',
  bedrock_model_id: 'bedrockModelId',
  calling_region: 'callingRegion',
  input_tokens: 'inputTokens',
  output_tokens: 'outputTokens',
  cache_read_input_tokens: 'cacheReadInputTokens',
  cache_write_input_tokens: 'cacheWriteInputTokens',
  status: 'status',
  timestamp: 'timestamp',
  tags: 'tags',
  latency_ms: 'latencyMs',
};

/** A wire usage item -> domain input. Unknown keys are kept so the domain reports them by name. */
export function toUsageInput(raw: unknown): UsageInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw as UsageInput;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) out[WIRE_TO_DOMAIN[k] ?? k] = v;
  return out as unknown as UsageInput;
}

export function usageAccepted(r: UsageResult): UsageAcceptedDto {
  return {
    request_id: r.requestId,
    status: 'accepted',
    duplicate: r.duplicate,
    message: r.duplicate
      ? 'Duplicate request_id: already counted, the first cost is returned'
      : 'Usage recorded',
    processing: {
      shard_id: r.shard,
      expected_aggregation_lag_secs: r.expectedAggregationLagSecs,
      cost_usd_micros: r.costUsdMicros,
    },
    quota_status: {
      model_label: r.quotaStatus.modelLabel,
      spend_usd_micros: r.quotaStatus.spendUsdMicros,
      quota_usd_micros: r.quotaStatus.quotaUsdMicros,
      quota_pct: r.quotaStatus.quotaPct,
      mode: r.quotaStatus.mode,
      binding: bindingDto(r.quotaStatus.binding),
    },
    timestamp: r.timestamp,
  };
}

export function selectionDto(s: ModelSelection): ModelSelectionDto {
  const models: ModelSelectionDto['quota_status']['models_status'] = {};
  for (const [label, m] of Object.entries(s.quotaStatus.modelsStatus)) {
    models[label] = {
      spend_usd_micros: m.spendUsdMicros,
      quota_usd_micros: m.quotaUsdMicros,
      quota_pct: m.quotaPct,
      status: m.status,
    };
  }
  return {
    org_id: s.orgId,
    app_id: s.appId,
    recommended_model: {
      label: s.recommended.label,
      bedrock_model_id: s.recommended.bedrockModelId,
      reason: s.recommended.reason,
      description: s.recommended.description,
    },
    quota_status: {
      scope: s.quotaStatus.scope,
      mode: s.quotaStatus.mode,
      current_model: s.quotaStatus.currentModel,
      spend_usd_micros: s.quotaStatus.spendUsdMicros,
      quota_usd_micros: s.quotaStatus.quotaUsdMicros,
      quota_pct: s.quotaStatus.quotaPct,
      sticky_fallback_active: s.quotaStatus.stickyFallbackActive,
      models_status: models,
      binding: bindingDto(s.quotaStatus.binding),
      budgets: s.quotaStatus.lines.map(lineDto),
    },
    pricing: {
      input_price_usd_micros_per_1m: s.pricing.inputPricePerMillion,
      output_price_usd_micros_per_1m: s.pricing.outputPricePerMillion,
      version: s.pricing.version,
      source: s.pricing.source,
    },
    client_guidance: {
      check_frequency: s.guidance.checkFrequency,
      cache_duration_secs: s.guidance.cacheDurationSecs,
      explanation: s.guidance.explanation,
    },
    checked_at: s.checkedAt,
    org_day: s.orgDay,
    org_local_time: s.orgLocalTime,
  };
}

export function aggregatesDto(a: DailyAggregates): AggregatesDto {
  const models: AggregatesDto['models'] = {};
  for (const [label, m] of Object.entries(a.models)) {
    models[label] = {
      label,
      bedrock_model_id: m.bedrockModelId,
      cost_usd_micros: m.costUsdMicros,
      quota_usd_micros: m.quotaUsdMicros,
      quota_pct: m.quotaPct,
      quota_status: m.quotaStatus,
      input_tokens: m.inputTokens,
      output_tokens: m.outputTokens,
      cache_read_input_tokens: m.cacheReadInputTokens,
      cache_write_input_tokens: m.cacheWriteInputTokens,
      requests: m.requests,
      average_cost_per_request: m.averageCostPerRequest,
    };
  }
  const out: AggregatesDto = {
    org_id: a.orgId,
    date: a.date,
    timezone: a.timezone,
    quota_scope: a.quotaScope,
    models,
    total_cost_usd_micros: a.totalCostUsdMicros,
    total_quota_usd_micros: a.totalQuotaUsdMicros,
    total_quota_pct: a.totalQuotaPct,
    sticky_fallback_active: a.stickyFallbackActive,
    current_active_model: a.currentActiveModel,
    updated_at: a.updatedAt,
  };
  if (a.appId !== undefined) {
    out.app_id = a.appId;
    out.app_name = a.appName!;
  }
  if (a.apps) {
    out.apps = Object.fromEntries(
      Object.entries(a.apps).map(([id, v]) => [
        id,
        { cost_usd_micros: v.costUsdMicros, requests: v.requests },
      ]),
    );
  }
  return out;
}

export function profileDto(p: InferenceProfile): ProfileDto {
  const out: ProfileDto = {
    profile_label: p.profileLabel,
    inference_profile_arn: p.inferenceProfileArn,
    status: 'registered',
    created_at: p.createdAt,
  };
  if (p.description !== undefined) out.description = p.description;
  return out;
}

/**
 * The ETags of recent bodies by their JSON text: a client polling model selection mostly gets the
 * same answer again, and the SHA-1 was a few percent of a selection's CPU (docs/performance.md,
 * "Lean comparison"). Bounded: emptied at 1,000 entries.
 */
const recentEtags = new Map<string, string>();

/** A weak ETag over what a client acts on; 304 when it matches If-None-Match. */
export function etagOf(value: unknown): string {
  const text = JSON.stringify(value);
  const hit = recentEtags.get(text);
  if (hit !== undefined) return hit;
  const etag = `W/"${createHash('sha1').update(text).digest('base64url')}"`;
  if (recentEtags.size >= 1000) recentEtags.clear();
  recentEtags.set(text, etag);
  return etag;
}

export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

export function bindingDto(l: LineState | undefined): BindingDto | null {
  if (!l) return null;
  return {
    scope: l.scope,
    window: l.window,
    label: l.label,
    spend_usd_micros: l.spendUsdMicros,
    limit_usd_micros: l.limitUsdMicros,
    pct: l.pct,
    resets_at: isoUtc(l.period.end),
  };
}

export function lineDto(l: LineState): BudgetLineDto {
  return {
    scope: l.scope,
    window: l.window,
    label: l.label,
    source: l.source,
    spend_usd_micros: l.spendUsdMicros,
    limit_usd_micros: l.limitUsdMicros,
    pct: l.pct,
    status: l.status,
    period: { key: l.period.key, start: isoUtc(l.period.start), end: isoUtc(l.period.end) },
    resets_at: isoUtc(l.period.end),
  };
}
