import { Controller, Get, Headers, Inject, Param, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { CLOCK, type Clock, type CostKeeper, type DailyAggregates, type Principal } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { BearerGuard, Caller } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { AggregatesDto } from './runtime.dto.js';
import { aggregatesDto, authorizePath, etagOf, matchesEtag } from './runtime.mapper.js';
import { APP_ID_PARAM, ORG_ID_PARAM } from './runtime.controller.js';

const DATE_PARAM = ApiParam({
  name: 'date',
  description: 'A past or present org day, YYYY-MM-DD',
  example: '2026-01-23',
});

@ApiTags('aggregates')
@ApiBearerAuth('bearer')
@UseGuards(BearerGuard, RateLimitGuard)
@Controller('api/v1/orgs/:org_id')
export class AggregatesController {
  constructor(
    @Inject(COST_KEEPER) private readonly keeper: CostKeeper,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('aggregates/today')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @ApiOperation({
    operationId: 'getOrgAggregatesToday',
    summary: "Today's totals per label for the org (org token only)",
  })
  @ApiResponse({ status: 200, type: AggregatesDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  orgToday(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Headers('if-none-match') inm: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.orgView(c, org, 'today', inm, reply);
  }

  @Get('aggregates/:date')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @DATE_PARAM
  @ApiOperation({
    operationId: 'getOrgAggregatesForDate',
    summary: 'Totals per label for the org on a past org day (org token only)',
  })
  @ApiResponse({ status: 200, type: AggregatesDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  orgDate(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('date') date: string,
    @Headers('if-none-match') inm: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.orgView(c, org, date, inm, reply);
  }

  @Get('apps/:app_id/aggregates/today')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @ApiOperation({
    operationId: 'getAppAggregatesToday',
    summary: "Today's totals per label for the app (its token or its org's)",
  })
  @ApiResponse({ status: 200, type: AggregatesDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  appToday(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('app_id') app: string,
    @Headers('if-none-match') inm: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.appView(c, org, app, 'today', inm, reply);
  }

  @Get('apps/:app_id/aggregates/:date')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @DATE_PARAM
  @ApiOperation({
    operationId: 'getAppAggregatesForDate',
    summary: 'Totals per label for the app on a past org day',
  })
  @ApiResponse({ status: 200, type: AggregatesDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  appDate(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('app_id') app: string,
    @Param('date') date: string,
    @Headers('if-none-match') inm: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.appView(c, org, app, date, inm, reply);
  }

  private async orgView(
    c: Principal,
    rawOrg: string,
    date: string,
    inm: string | undefined,
    reply: FastifyReply,
  ) {
    const orgId = authorizePath(c, rawOrg, undefined, true);
    return this.send(await this.keeper.aggregates.forOrg(orgId, date), inm, reply);
  }

  private async appView(
    c: Principal,
    rawOrg: string,
    appId: string,
    date: string,
    inm: string | undefined,
    reply: FastifyReply,
  ) {
    const orgId = authorizePath(c, rawOrg, appId);
    return this.send(await this.keeper.aggregates.forApp(orgId, appId, date), inm, reply);
  }

  /** Cache-Control 30 s, ETag, and X-Data-Lag-Secs (now minus the latest aggregation). */
  private send(a: DailyAggregates, inm: string | undefined, reply: FastifyReply): AggregatesDto | undefined {
    const body = aggregatesDto(a);
    const etag = etagOf(body);
    const lag = a.updatedAt
      ? Math.max(0, Math.round((this.clock.now().getTime() - Date.parse(a.updatedAt)) / 1000))
      : 0;
    void reply
      .header('Cache-Control', 'private, max-age=30')
      .header('ETag', etag)
      .header('X-Data-Lag-Secs', String(lag));
    if (matchesEtag(inm, etag)) {
      void reply.status(304);
      return undefined;
    }
    return body;
  }
}
