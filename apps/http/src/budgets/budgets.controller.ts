import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type CostKeeper, type Principal } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { BearerGuard, Caller } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { APP_ID_PARAM, ORG_ID_PARAM } from '../runtime/runtime.controller.js';
import { authorizePath } from '../runtime/runtime.mapper.js';
import { BudgetsDto, PeriodAggregatesDto } from './budgets.dto.js';
import { budgetsDto, periodAggregatesDto } from './budgets.mapper.js';

const AT_QUERY = ApiQuery({
  name: 'at',
  required: false,
  description: 'A local date (YYYY-MM-DD): the periods containing it (no forecast for closed periods)',
  example: '2026-11-15',
});
const WINDOW_PARAM = ApiParam({ name: 'window', enum: ['day', 'week', 'month'], example: 'week' });
const START_PARAM = ApiParam({
  name: 'start',
  description:
    "The period's start: YYYY-MM-DD for a day, the local date a week starts (a Monday or a Sunday, as the org's weeks start), YYYY-MM for a month",
  example: '2026-11-30',
});
const at = (raw: unknown) => (typeof raw === 'string' ? raw : undefined);

@ApiTags('budgets')
@ApiBearerAuth('bearer')
@UseGuards(BearerGuard, RateLimitGuard)
@Controller('api/v1/orgs/:org_id')
export class BudgetsController {
  constructor(@Inject(COST_KEEPER) private readonly keeper: CostKeeper) {}

  @Get('budgets')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @AT_QUERY
  @ApiOperation({
    operationId: 'getOrgBudgets',
    summary:
      "The org's lines (its budgets; in ORG scope its daily quotas too) with period status and forecast (org token only)",
  })
  @ApiResponse({ status: 200, type: BudgetsDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async orgBudgets(@Caller() c: Principal, @Param('org_id') org: string, @Query('at') when: unknown) {
    const orgId = authorizePath(c, org, undefined, true);
    return budgetsDto(await this.keeper.budgets.forOrg(orgId, at(when)));
  }

  @Get('apps/:app_id/budgets')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @AT_QUERY
  @ApiOperation({
    operationId: 'getAppBudgets',
    summary:
      'Every line that governs the app (daily quotas, org and app budgets) with period status and forecast',
  })
  @ApiResponse({ status: 200, type: BudgetsDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async appBudgets(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('app_id') app: string,
    @Query('at') when: unknown,
  ) {
    const orgId = authorizePath(c, org, app);
    return budgetsDto(await this.keeper.budgets.forApp(orgId, app, at(when)));
  }

  @Get('aggregates/periods/:window/:start')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @WINDOW_PARAM
  @START_PARAM
  @ApiOperation({
    operationId: 'getOrgPeriodAggregates',
    summary: 'Totals per label for the org over a whole day, week or month (org token only)',
  })
  @ApiResponse({ status: 200, type: PeriodAggregatesDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async orgPeriod(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('window') window: string,
    @Param('start') start: string,
  ) {
    const orgId = authorizePath(c, org, undefined, true);
    return periodAggregatesDto(await this.keeper.periodAggregates.forOrg(orgId, window, start));
  }

  @Get('apps/:app_id/aggregates/periods/:window/:start')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @WINDOW_PARAM
  @START_PARAM
  @ApiOperation({
    operationId: 'getAppPeriodAggregates',
    summary: 'Totals per label for the app over a whole day, week or month',
  })
  @ApiResponse({ status: 200, type: PeriodAggregatesDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async appPeriod(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('app_id') app: string,
    @Param('window') window: string,
    @Param('start') start: string,
  ) {
    const orgId = authorizePath(c, org, app);
    return periodAggregatesDto(await this.keeper.periodAggregates.forApp(orgId, app, window, start));
  }
}
