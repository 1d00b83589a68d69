import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import {
  CLOCK,
  InvalidRequestError,
  QuotaExceededError,
  type Clock,
  type CostKeeper,
  type Principal,
} from '#core-domain';
import { COST_KEEPER } from '#composition';
import { BearerGuard, Caller } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import {
  ModelSelectionDto,
  UsageAcceptedDto,
  UsageBatchDto,
  UsageBatchResultDto,
  UsageDto,
} from './runtime.dto.js';
import {
  authorizePath,
  etagOf,
  matchesEtag,
  selectionDto,
  toUsageInput,
  usageAccepted,
} from './runtime.mapper.js';

export const ORG_ID_PARAM = ApiParam({
  name: 'org_id',
  description: 'The org id (a UUID)',
  example: '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10',
});
export const APP_ID_PARAM = ApiParam({ name: 'app_id', description: 'The app id', example: 'chat' });

@ApiTags('runtime')
@ApiBearerAuth('bearer')
@UseGuards(BearerGuard, RateLimitGuard)
@Controller('api/v1/orgs/:org_id/apps/:app_id')
export class RuntimeController {
  constructor(
    @Inject(COST_KEEPER) private readonly keeper: CostKeeper,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('model-selection')
  @RateLimit('model_selection')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @ApiQuery({
    name: 'force_check',
    required: false,
    enum: ['true', 'false'],
    description: 'Read live spend (the shard counters) for every label',
  })
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'The ETag of a previous answer: 304 when nothing changed',
  })
  @ApiOperation({
    operationId: 'selectModel',
    summary: 'Which model to use now, with quota status and how long to cache the answer',
  })
  @ApiResponse({
    status: 200,
    type: ModelSelectionDto,
    description: 'The recommendation (Cache-Control and ETag headers)',
  })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag given in If-None-Match' })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async select(
    @Caller() caller: Principal,
    @Param('org_id') rawOrgId: string,
    @Param('app_id') appId: string,
    @Query('force_check') forceCheck: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ModelSelectionDto | undefined> {
    const orgId = authorizePath(caller, rawOrgId, appId);
    if (forceCheck !== undefined && forceCheck !== 'true' && forceCheck !== 'false') {
      throw new InvalidRequestError([{ field: 'force_check', message: "must be 'true' or 'false'" }]);
    }
    let selection;
    try {
      selection = await this.keeper.selectModel.execute(orgId, appId, { forceCheck: forceCheck === 'true' });
    } catch (e) {
      if (e instanceof QuotaExceededError) {
        const wait = Math.max(1, Math.ceil((Date.parse(e.retryAfter) - this.clock.now().getTime()) / 1000));
        void reply.header('Retry-After', String(wait));
      }
      throw e;
    }
    const body = selectionDto(selection);
    const { checked_at: _c, org_local_time: _l, ...stable } = body;
    const etag = etagOf(stable);
    void reply
      .header('Cache-Control', `private, max-age=${body.client_guidance.cache_duration_secs}`)
      .header('ETag', etag);
    if (matchesEtag(ifNoneMatch, etag)) {
      void reply.status(304);
      return undefined;
    }
    return body;
  }

  @Post('usage')
  @HttpCode(202)
  @RateLimit('usage')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @ApiOperation({
    operationId: 'recordUsage',
    summary: 'Report the tokens of one Bedrock call (priced by the server, counted once per request_id)',
  })
  @ApiResponse({
    status: 202,
    type: UsageAcceptedDto,
    description: 'Accepted (or a duplicate, counted once)',
  })
  @ApiBody({ type: UsageDto })
  @ApiErrors(400, 401, 403, 404, 413, 415, 429, 503)
  async usage(
    @Caller() caller: Principal,
    @Param('org_id') rawOrgId: string,
    @Param('app_id') appId: string,
    // The hottest route: the body (already checked to be a JSON object of bounded depth by the global
    // pipe) goes straight to the domain's validateUsage, which checks every field UsageDto describes
    // (unknown fields, types, ranges, UUID, timestamp window) and names each problem by its wire name.
    // Running class-validator first would repeat that work on every event (docs/performance.md).
    @Body() body: Record<string, unknown>,
  ): Promise<UsageAcceptedDto> {
    const orgId = authorizePath(caller, rawOrgId, appId);
    return usageAccepted(await this.keeper.recordUsage.execute(orgId, appId, toUsageInput(body)));
  }

  @Post('usage/batch')
  @HttpCode(207)
  @RateLimit('usage_batch')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @ApiOperation({
    operationId: 'recordUsageBatch',
    summary: 'Report 1..100 usage events; one bad item never fails the others',
  })
  @ApiResponse({ status: 207, type: UsageBatchResultDto, description: 'Per-item results' })
  @ApiErrors(400, 401, 403, 404, 413, 415, 429, 503)
  async batch(
    @Caller() caller: Principal,
    @Param('org_id') rawOrgId: string,
    @Param('app_id') appId: string,
    @Body() body: UsageBatchDto,
  ): Promise<UsageBatchResultDto> {
    const orgId = authorizePath(caller, rawOrgId, appId);
    const r = await this.keeper.recordUsage.executeBatch(orgId, appId, body.requests.map(toUsageInput));
    return {
      accepted: r.accepted,
      failed: r.failed,
      duplicates: r.duplicates,
      results: r.results.map((x) =>
        x.status === 'failed'
          ? { request_id: x.requestId, status: 'failed', error: x.error }
          : {
              request_id: x.requestId,
              status: x.status,
              shard_id: x.shard,
              cost_usd_micros: x.costUsdMicros,
            },
      ),
      timestamp: r.timestamp,
    };
  }
}
