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
import { CLOCK, type Clock, type CostKeeper, type Principal } from '#core-domain';
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
import { authorizePath, toUsageInput } from './runtime.mapper.js';
import { recordUsageAnswer, selectModelAnswer } from './runtime.handlers.js';

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
    return selectModelAnswer(
      this.keeper,
      this.clock,
      caller,
      rawOrgId,
      appId,
      forceCheck,
      ifNoneMatch,
      reply,
    );
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
    // The hottest route: served by runtime.fast-routes.ts; see recordUsageAnswer.
    @Body() body: Record<string, unknown>,
  ): Promise<UsageAcceptedDto> {
    return recordUsageAnswer(this.keeper, caller, rawOrgId, appId, body);
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
