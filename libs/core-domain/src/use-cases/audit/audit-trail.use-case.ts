import {
  AUDIT_ACTIONS,
  AUDIT_FAILURE_TTL_DAYS,
  AUDIT_TTL_DAYS,
  auditMinute,
  EMBEDDED_AUDIT_CONTEXT,
  type AuditAction,
  type AuditChange,
  type AuditContext,
  type AuditEntry,
  type AuditFailure,
} from '../../model/audit/audit-entry.js';
import { parseClientId } from '../../model/credentials/credential.entity.js';
import { FieldProblems, NotFoundError } from '../../model/errors.js';
import { type AuditLog } from '../../ports/audit-log.port.js';
import { type Clock } from '../../ports/clock.port.js';
import { type CursorSealer } from '../../ports/cursor-sealer.port.js';
import { type IdGenerator } from '../../ports/id-generator.port.js';
import { type TenantDirectory } from '../../ports/tenant-directory.port.js';
import { openCursor, sealCursor } from '../shared/page-cursor.js';
import { TtlCache } from '../shared/ttl-cache.js';

const DAY_MS = 86_400_000;
export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;
/** Longest kept text of a caller-chosen value (user agent, client id tried). */
const MAX_TEXT = 256;

/** Builds the audit items of the changes a use case makes (ids and time from the ports). */
export class AuditStamp {
  constructor(
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  entry(
    context: AuditContext | undefined,
    orgId: string,
    action: AuditAction,
    target: { type: string; id: string },
    changes: Record<string, AuditChange>,
    now: Date = this.clock.now(),
  ): AuditEntry {
    const ctx = context ?? EMBEDDED_AUDIT_CONTEXT;
    const entry: AuditEntry = {
      eventId: `aud_${this.ids.newId().replaceAll('-', '')}`,
      occurredAt: now.toISOString(),
      orgId,
      actor: { ...ctx.actor },
      action,
      target,
      changes,
      outcome: 'success',
      expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_TTL_DAYS * 86_400,
    };
    if (ctx.requestId !== undefined) entry.requestId = ctx.requestId;
    return entry;
  }
}

/** What the audit route takes, as sent (the edge only renames). */
export interface AuditListInput {
  from?: string;
  to?: string;
  /** One action or a comma-separated list. */
  action?: string;
  actor?: string;
  cursor?: string;
  limit?: number;
}

export interface AuditTrailOptions {
  audit: AuditLog;
  tenants: TenantDirectory;
  sealer: CursorSealer;
  clock: Clock;
}

/** Where a request came from, for a failed attempt. */
export interface FailedAttempt {
  attempt: 'admin_key' | 'token';
  sourceIp: string;
  userAgent?: string;
  requestId?: string;
  /** Token attempts: the client_id sent (kept only when it has our form). */
  clientId?: unknown;
}

function instant(p: FieldProblems, field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    p.add(field, 'must be an ISO-8601 instant');
    return undefined;
  }
  return ms;
}

function limitOf(p: FieldProblems, limit: number | undefined): number {
  if (limit === undefined) return AUDIT_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) {
    p.add('limit', `must be an integer from 1 to ${AUDIT_MAX_LIMIT}`);
  }
  return limit;
}

/** Reads the audit trail (newest first, sealed cursors) and keeps failed attempts apart. */
export class AuditTrail {
  /** Sources already recorded this minute by this process: no storage call for the rest of the flood. */
  private readonly recent: TtlCache<true>;

  constructor(private readonly o: AuditTrailOptions) {
    this.recent = new TtlCache(o.clock, 120_000, 50_000);
  }

  /** GET /orgs/{org_id}/audit. 404 for an unknown org; 400 for bad filters or a cursor not of them. */
  async list(orgId: string, input: AuditListInput): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
    const p = new FieldProblems();
    const now = this.o.clock.now();
    const from = instant(p, 'from', input.from);
    const to = instant(p, 'to', input.to);
    if (from !== undefined && to !== undefined && from > to) p.add('from', 'must not be after to');
    let actions: AuditAction[] | undefined;
    if (input.action !== undefined) {
      actions = input.action.split(',').map((a) => a.trim()) as AuditAction[];
      if (actions.length === 0 || actions.some((a) => !AUDIT_ACTIONS.includes(a))) {
        p.add('action', `must be one or more (comma-separated) of ${AUDIT_ACTIONS.join(', ')}`);
      }
    }
    if (input.actor !== undefined && (input.actor.length < 1 || input.actor.length > 128)) {
      p.add('actor', 'must be an actor id of 1 to 128 characters');
    }
    const limit = limitOf(p, input.limit);
    p.throwIfAny();
    const scope = {
      orgId,
      listing: 'audit',
      filters: [input.from ?? null, input.to ?? null, actions ?? null, input.actor ?? null],
    };
    const after = openCursor(this.o.sealer, scope, input.cursor);
    if (!(await this.o.tenants.getOrg(orgId))) throw new NotFoundError(`Org ${orgId} not found`);
    const page = await this.o.audit.list(
      orgId,
      {
        from: new Date(from ?? now.getTime() - AUDIT_TTL_DAYS * DAY_MS).toISOString(),
        to: new Date(to ?? now.getTime()).toISOString(),
        ...(actions ? { actions } : {}),
        ...(input.actor !== undefined ? { actor: input.actor } : {}),
        ...(after !== undefined ? { after } : {}),
        limit,
      },
      now,
    );
    return page.next === undefined
      ? { items: page.items }
      : { items: page.items, nextCursor: sealCursor(this.o.sealer, scope, page.next) };
  }

  /**
   * Keeps a failed admin-key or token attempt: one item per source and minute (this process skips
   * the storage call for a source it already recorded this minute). Never throws: a failed attempt
   * is answered 401 whatever happens here.
   */
  async recordFailure(attempt: FailedAttempt): Promise<void> {
    const now = this.o.clock.now();
    const minute = auditMinute(now);
    const sourceIp = attempt.sourceIp.slice(0, 64) || 'unknown';
    const key = `${sourceIp}|${minute}`;
    if (this.recent.get(key) !== undefined) return;
    this.recent.set(key, true);
    const failure: AuditFailure = {
      sourceIp,
      minute,
      occurredAt: now.toISOString(),
      attempt: attempt.attempt,
      outcome: 'failure',
      expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_FAILURE_TTL_DAYS * 86_400,
    };
    if (attempt.userAgent) failure.userAgent = attempt.userAgent.slice(0, MAX_TEXT);
    if (attempt.requestId) failure.requestId = attempt.requestId;
    const parsed = parseClientId(attempt.clientId);
    if (parsed) {
      failure.clientId = attempt.clientId as string;
      failure.orgId = parsed.orgId;
    }
    try {
      await this.o.audit.recordFailure(failure);
    } catch {
      this.recent.delete(key);
    }
  }

  /** GET /audit/failures (admin): the last 7 days at most, newest first. */
  async listFailures(input: {
    from?: string;
    to?: string;
    cursor?: string;
    limit?: number;
  }): Promise<{ items: AuditFailure[]; nextCursor?: string }> {
    const p = new FieldProblems();
    const now = this.o.clock.now();
    const from = instant(p, 'from', input.from);
    const to = instant(p, 'to', input.to);
    if (from !== undefined && to !== undefined && from > to) p.add('from', 'must not be after to');
    const limit = limitOf(p, input.limit);
    p.throwIfAny();
    const scope = { orgId: '-', listing: 'audit-failures', filters: [input.from ?? null, input.to ?? null] };
    const after = openCursor(this.o.sealer, scope, input.cursor);
    const oldest = now.getTime() - AUDIT_FAILURE_TTL_DAYS * DAY_MS;
    const hi = Math.min(to ?? now.getTime(), now.getTime());
    const lo = Math.max(from ?? oldest, oldest);
    if (lo > hi) return { items: [] };
    const page = await this.o.audit.listFailures(
      {
        from: new Date(lo).toISOString(),
        to: new Date(hi).toISOString(),
        ...(after !== undefined ? { after } : {}),
        limit,
      },
      now,
    );
    return page.next === undefined
      ? { items: page.items }
      : { items: page.items, nextCursor: sealCursor(this.o.sealer, scope, page.next) };
  }
}
