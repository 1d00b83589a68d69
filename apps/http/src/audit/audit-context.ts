import { createHash } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { type AuditActor, type AuditContext, type Principal } from '#core-domain';

export type AuditedRequest = FastifyRequest & { user?: Principal; admin?: boolean };

/** How an admin key appears in the audit trail: the first 12 hex digits of its SHA-256. */
export function adminKeyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** A caller-chosen header, bounded. */
export function userAgentOf(req: FastifyRequest): string | undefined {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' && ua.length > 0 ? ua.slice(0, 256) : undefined;
}

/**
 * The audit context of an authenticated request: the admin (X-API-Key, marked by the guards) or the
 * token's client, its source address and user agent, and the request id (X-Request-Id).
 */
export function auditContextOf(req: AuditedRequest): AuditContext {
  const actor: AuditActor = req.admin
    ? { kind: 'admin', id: adminKeyFingerprint(String(req.headers['x-api-key'])) }
    : { kind: 'client', id: req.user!.clientId };
  if (req.ip) actor.sourceIp = req.ip;
  const ua = userAgentOf(req);
  if (ua) actor.userAgent = ua;
  return { actor, requestId: String(req.id) };
}

/** The audit context of the request (use on routes behind AdminKeyGuard, BearerGuard or both). */
export const Audit = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditContext =>
  auditContextOf(ctx.switchToHttp().getRequest<AuditedRequest>()),
);
