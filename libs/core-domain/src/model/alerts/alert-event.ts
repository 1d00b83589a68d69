import { type LineState } from '../quota/budget-lines.js';
import { isoUtc } from '../time/org-time.js';

/** What the service tells people about (alerts.md of the project: docs/alerts.md). */
export type AlertEventType =
  | 'budget.threshold_crossed'
  | 'budget.exhausted'
  | 'budget.forecast_at_risk'
  | 'budget.spend_anomaly'
  | 'model.fallback_activated'
  | 'quota.all_exhausted'
  | 'webhook.test'
  | 'webhook.disabled';

export const ALERT_EVENT_TYPES: readonly AlertEventType[] = [
  'budget.threshold_crossed',
  'budget.exhausted',
  'budget.forecast_at_risk',
  'budget.spend_anomaly',
  'model.fallback_activated',
  'quota.all_exhausted',
  'webhook.test',
  'webhook.disabled',
];

export const ALERT_API_VERSION = '2026-12-01';
/** Events are kept 30 days. */
export const ALERT_EVENT_TTL_DAYS = 30;

export interface AlertEvent {
  /** Derived from what the event is about, so the same crossing always has the same id. */
  id: string;
  type: AlertEventType;
  orgId: string;
  createdAt: string;
  data: Record<string, unknown>;
  /** Epoch seconds. */
  expiresAt: number;
}

const utf8 = new TextEncoder();
const MASK64 = (1n << 64n) - 1n;

/** FNV-1a over UTF-8, 64 bits, from a given offset basis. */
function fnv1a64(text: string, basis: bigint): bigint {
  let hash = basis;
  for (const b of utf8.encode(text)) {
    hash ^= BigInt(b);
    hash = (hash * 0x100000001b3n) & MASK64;
  }
  return hash;
}

/**
 * A stable event id for what the event is about: `evt_` + 32 hex digits (two FNV-1a 64 hashes of
 * the parts with different bases). The same (org, line, period, threshold) gives the same id in every
 * process and release, so a conditional create fires it once.
 */
export function alertEventId(parts: readonly string[]): string {
  const text = parts.join('\u001f');
  const a = fnv1a64(text, 0xcbf29ce484222325n);
  const b = fnv1a64(`~${text}`, 0x84222325cbf29ce4n);
  return `evt_${a.toString(16).padStart(16, '0')}${b.toString(16).padStart(16, '0')}`;
}

/** The identity of a line inside its org: whose limit, over which window, on which label, quota or budget. */
export function lineIdentity(
  line: Pick<LineState, 'spendScopeKey' | 'scope' | 'window' | 'label' | 'source'>,
): string {
  return [line.spendScopeKey, line.scope, line.window, line.label ?? '*', line.source].join('|');
}

/** The `data` of a budget event (threshold crossed, exhausted, forecast at risk, spend anomaly). */
export function budgetEventData(input: {
  line: LineState;
  appId?: string;
  thresholdPct?: number;
  asOf: string;
}): Record<string, unknown> {
  const { line } = input;
  const data: Record<string, unknown> = {
    scope: line.scope,
    line: { window: line.window, label: line.label, kind: line.source === 'QUOTA' ? 'quota' : 'budget' },
    period: { key: line.period.key, start: isoUtc(line.period.start), end: isoUtc(line.period.end) },
    spend_usd_micros: line.spendUsdMicros,
    limit_usd_micros: line.limitUsdMicros,
    pct: line.pct,
    as_of: input.asOf,
  };
  if (input.appId) data.app_id = input.appId;
  if (input.thresholdPct !== undefined) data.threshold_pct = input.thresholdPct;
  return data;
}

/** The wire body every channel carries: `{ id, type, api_version, created_at, org_id, data }`. */
export function eventBody(event: AlertEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    api_version: ALERT_API_VERSION,
    created_at: event.createdAt,
    org_id: event.orgId,
    data: event.data,
  };
}
