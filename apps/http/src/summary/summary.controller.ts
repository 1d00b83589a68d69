import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type CostKeeper, type Principal, type RollupTotals, type UsageSummary } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { BearerGuard, Caller } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { ORG_ID_PARAM } from '../runtime/runtime.controller.js';
import { authorizePath } from '../runtime/runtime.mapper.js';
import { type SummaryTotalsDto, UsageSummaryDto } from './summary.dto.js';

function totalsDto(t: RollupTotals): SummaryTotalsDto {
  return {
    cost_usd_micros: t.costUsdMicros,
    input_tokens: t.inputTokens,
    output_tokens: t.outputTokens,
    cache_read_input_tokens: t.cacheReadInputTokens,
    cache_write_input_tokens: t.cacheWriteInputTokens,
    requests: t.requests,
    errors: t.errors,
  };
}

export function summaryDto(s: UsageSummary): UsageSummaryDto {
  return {
    rows: s.rows.map((r) => ({ group: r.group, ...totalsDto(r) })),
    totals: totalsDto(s.totals),
    as_of: s.asOf,
    complete: s.complete,
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

@ApiTags('usage')
@ApiBearerAuth('bearer')
@UseGuards(BearerGuard, RateLimitGuard)
@Controller('api/v1/orgs/:org_id/usage')
export class SummaryController {
  constructor(@Inject(COST_KEEPER) private readonly keeper: CostKeeper) {}

  @Get('summary')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @ApiQuery({
    name: 'from',
    required: true,
    description: 'First org-local date (YYYY-MM-DD)',
    example: '2026-11-01',
  })
  @ApiQuery({
    name: 'to',
    required: true,
    description: 'Last org-local date (YYYY-MM-DD), at most 400 days on',
    example: '2026-11-30',
  })
  @ApiQuery({
    name: 'group_by',
    required: true,
    description:
      'One or two comma-separated of day, week, month, app, label, model, tag:<key> (a declared rollup_tag_keys key; combines only with day, week, month, app)',
    example: 'day,app',
  })
  @ApiQuery({
    name: 'app_id',
    required: false,
    description: 'Only this app (an app token sees only its own)',
  })
  @ApiOperation({
    operationId: 'getUsageSummary',
    summary: "Usage totals over org days grouped by one or two dimensions, from the worker's daily rollups",
  })
  @ApiResponse({ status: 200, type: UsageSummaryDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async summary(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Query('from') from: unknown,
    @Query('to') to: unknown,
    @Query('group_by') groupBy: unknown,
    @Query('app_id') appIdRaw: unknown,
  ): Promise<UsageSummaryDto> {
    // An app token reads its own app (app_id defaults to it; another app is 403).
    const appId = appIdRaw === undefined ? c.appId : (str(appIdRaw) ?? '');
    const orgId = authorizePath(c, org, appId);
    const only = appId;
    return summaryDto(
      await this.keeper.usageSummary.run(orgId, {
        from,
        to,
        groupBy,
        ...(only !== undefined ? { appId: only } : {}),
      }),
    );
  }
}
