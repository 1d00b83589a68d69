import { Controller, Get, Inject, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AUDIT_ACTIONS, AUDIT_MAX_LIMIT, FieldProblems, type CostKeeper } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { OrgTokenOrAdminGuard } from '../alerts/alerts.guard.js';
import { authorizeAlerts } from '../alerts/alerts.mapper.js';
import { AdminKeyGuard } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { ORG_ID_PARAM } from '../runtime/runtime.controller.js';
import { type AuditedRequest } from './audit-context.js';
import { AuditFailureListDto, AuditListDto } from './audit.dto.js';
import { auditFailureDto, auditItemDto } from './audit.mapper.js';

/** A query parameter given at most once, as a string of at most `max` characters. */
function text(p: FieldProblems, field: string, raw: unknown, max: number): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > max) {
    p.add(field, `must be given once, 1 to ${max} characters`);
    return undefined;
  }
  return raw;
}

function limit(p: FieldProblems, raw: unknown): number | undefined {
  const s = text(p, 'limit', raw, 4);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) {
    p.add('limit', `must be an integer from 1 to ${AUDIT_MAX_LIMIT}`);
    return undefined;
  }
  return Number(s);
}

const RANGE = [
  ApiQuery({ name: 'from', required: false, description: 'ISO instant (inclusive)' }),
  ApiQuery({ name: 'to', required: false, description: 'ISO instant (inclusive; default now)' }),
];
const PAGE = [
  ApiQuery({ name: 'cursor', required: false, description: 'next_cursor of the previous page' }),
  ApiQuery({ name: 'limit', required: false, example: 100, description: `1 to ${AUDIT_MAX_LIMIT}` }),
];
const apply =
  (...decorators: MethodDecorator[]): MethodDecorator =>
  (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };

@ApiTags('audit')
@Controller('api/v1')
export class AuditController {
  constructor(@Inject(COST_KEEPER) private readonly keeper: CostKeeper) {}

  @Get('orgs/:org_id/audit')
  @UseGuards(OrgTokenOrAdminGuard, RateLimitGuard)
  @RateLimit('provisioning_get')
  @ApiBearerAuth('bearer')
  @ApiSecurity('admin')
  @ORG_ID_PARAM
  @apply(...RANGE)
  @ApiQuery({
    name: 'action',
    required: false,
    description: `One or more (comma-separated) of ${AUDIT_ACTIONS.join(', ')}`,
  })
  @ApiQuery({
    name: 'actor',
    required: false,
    description: 'An actor id: admin key fingerprint or client_id',
  })
  @apply(...PAGE)
  @ApiOperation({
    operationId: 'listAudit',
    summary: "The org's audit trail, newest first (kept 400 days; the admin key or the org token)",
  })
  @ApiResponse({ status: 200, type: AuditListDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async list(
    @Req() req: AuditedRequest,
    @Param('org_id') org: string,
    @Query() query: Record<string, unknown>,
  ): Promise<AuditListDto> {
    const orgId = authorizeAlerts(req.user, req.admin === true, org);
    const p = new FieldProblems();
    for (const k of Object.keys(query)) {
      if (!['from', 'to', 'action', 'actor', 'cursor', 'limit'].includes(k))
        p.add(k, 'is not a known parameter');
    }
    const input = {
      from: text(p, 'from', query.from, 40),
      to: text(p, 'to', query.to, 40),
      action: text(p, 'action', query.action, 400),
      actor: text(p, 'actor', query.actor, 128),
      cursor: text(p, 'cursor', query.cursor, 2048),
      limit: limit(p, query.limit),
    };
    p.throwIfAny();
    const page = await this.keeper.audit.list(
      orgId,
      Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    );
    return { items: page.items.map(auditItemDto), next_cursor: page.nextCursor ?? null };
  }

  @Get('audit/failures')
  @UseGuards(AdminKeyGuard, RateLimitGuard)
  @RateLimit('provisioning_get')
  @ApiSecurity('admin')
  @apply(...RANGE, ...PAGE)
  @ApiOperation({
    operationId: 'listAuditFailures',
    summary:
      'Failed admin-key and token attempts, newest first: at most one per source and minute, kept 7 days (admin)',
  })
  @ApiResponse({ status: 200, type: AuditFailureListDto })
  @ApiErrors(400, 401, 429, 503)
  async failures(@Query() query: Record<string, unknown>): Promise<AuditFailureListDto> {
    const p = new FieldProblems();
    for (const k of Object.keys(query)) {
      if (!['from', 'to', 'cursor', 'limit'].includes(k)) p.add(k, 'is not a known parameter');
    }
    const input = {
      from: text(p, 'from', query.from, 40),
      to: text(p, 'to', query.to, 40),
      cursor: text(p, 'cursor', query.cursor, 2048),
      limit: limit(p, query.limit),
    };
    p.throwIfAny();
    const page = await this.keeper.audit.listFailures(
      Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    );
    return { items: page.items.map(auditFailureDto), next_cursor: page.nextCursor ?? null };
  }
}
