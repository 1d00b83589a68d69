// Wire types of the public API. Most come from the OpenAPI document (libs/client/src/generated);
// the analytics routes (usage summary and audit, spec analytics.md) are typed here from the spec.
import type { components } from '../../../libs/client/src/generated/openapi.js';

type S = components['schemas'];
export type ModelSelection = S['ModelSelectionDto'];
export type ModelStatus = S['ModelStatusDto'];
export type Aggregates = S['AggregatesDto'];
export type Budgets = S['BudgetsDto'];
export type BudgetLine = S['BudgetLineViewDto'];
export type Webhook = S['WebhookDto'];
export type CreatedWebhook = S['CreatedWebhookDto'];
export type Delivery = S['DeliveryDto'];
export type AlertEvent = S['AlertEventDto'];
export type ErrorBody = S['ErrorBodyDto'];
export type AuditAction = S['AuditAction'];

export interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/** GET /usage/summary (analytics.md, "Summary"). */
export interface SummaryRow {
  group: Record<string, string>;
  cost_usd_micros: number;
  input_tokens: number;
  output_tokens: number;
  requests: number;
  errors: number;
}
export interface Summary {
  rows: SummaryRow[];
  totals: Omit<SummaryRow, 'group'>;
  as_of: string | null;
  complete: boolean;
}

/** GET /audit (analytics.md, "Audit trail"). */
export interface AuditItem {
  event_id: string;
  occurred_at: string;
  org_id: string;
  actor: { kind: string; id: string; source_ip?: string; user_agent?: string };
  action: string;
  target: { type: string; id: string };
  changes?: Record<string, { before?: unknown; after?: unknown }>;
  request_id?: string;
  outcome?: string;
}
export interface AuditPage {
  items: AuditItem[];
  next_cursor: string | null;
}

/** GET /api/v1/orgs/{org_id} (admin key): only the apps are read. */
export interface OrgView {
  apps?: { app_id: string; app_name?: string }[];
}
