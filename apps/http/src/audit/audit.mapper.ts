import { type AuditEntry, type AuditFailure, type Budget } from '#core-domain';
import { budgetsWire } from '../budgets/budgets.mapper.js';
import { type AuditFailureDto, type AuditItemDto } from './audit.dto.js';

/** Domain field names whose wire name is not their snake_case spelling. */
const WIRE_NAMES: Record<string, string> = {
  refreshIntervalNormalSecs: 'refresh_interval_secs',
  kind: 'type',
};

function wireName(field: string): string {
  return WIRE_NAMES[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function wireValue(field: string, value: unknown): unknown {
  return field === 'budgets' && Array.isArray(value) ? budgetsWire(value as Budget[]) : value;
}

export function auditItemDto(e: AuditEntry): AuditItemDto {
  const changes: AuditItemDto['changes'] = {};
  for (const [field, c] of Object.entries(e.changes)) {
    changes[wireName(field)] = { before: wireValue(field, c.before), after: wireValue(field, c.after) };
  }
  return {
    event_id: e.eventId,
    occurred_at: e.occurredAt,
    org_id: e.orgId,
    actor: {
      kind: e.actor.kind,
      id: e.actor.id,
      source_ip: e.actor.sourceIp ?? null,
      user_agent: e.actor.userAgent ?? null,
    },
    action: e.action,
    target: { type: e.target.type, id: e.target.id },
    changes,
    request_id: e.requestId ?? null,
    outcome: e.outcome,
  };
}

export function auditFailureDto(f: AuditFailure): AuditFailureDto {
  const out: AuditFailureDto = {
    attempt: f.attempt,
    minute: f.minute,
    occurred_at: f.occurredAt,
    source_ip: f.sourceIp,
    user_agent: f.userAgent ?? null,
    request_id: f.requestId ?? null,
    outcome: f.outcome,
  };
  if (f.clientId !== undefined) out.client_id = f.clientId;
  if (f.orgId !== undefined) out.org_id = f.orgId;
  return out;
}
