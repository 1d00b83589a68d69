import { Controller, Get, Inject, Param, Req, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { InvalidRequestError, type CostKeeper, type Principal } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { BearerGuard, Caller } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { ORG_ID_PARAM } from '../runtime/runtime.controller.js';
import { authorizePath } from '../runtime/runtime.mapper.js';
import { csvFile, jsonlFile } from './records-file.js';
import { UsageRecordsPageDto } from './usage-records.dto.js';
import { recordDto, recordsQuery } from './usage-records.mapper.js';

const FILTERS = [
  ApiQuery({
    name: 'from',
    required: true,
    description: 'ISO-8601 instant (inclusive)',
    example: '2026-03-01T00:00:00Z',
  }),
  ApiQuery({
    name: 'to',
    required: true,
    description: 'ISO-8601 instant (exclusive)',
    example: '2026-03-08T00:00:00Z',
  }),
  ApiQuery({
    name: 'app_id',
    required: false,
    description: "Only this app's records (an app token: its own app only)",
  }),
  ApiQuery({ name: 'model_label', required: false }),
  ApiQuery({ name: 'status', required: false, enum: ['OK', 'ERROR'] }),
  ApiQuery({
    name: 'tag.<key>',
    required: false,
    description: 'Only records whose tag <key> has this value, e.g. `tag.team=search` (up to 10)',
  }),
];
const applyAll =
  (decorators: MethodDecorator[]): MethodDecorator =>
  (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };

type Query = Record<string, unknown>;

/** The raw query (tag.<key> parameters have open names, so no DTO: the domain validates every value). */
const queryOf = (req: FastifyRequest): Query => (req.query ?? {}) as Query;

@ApiTags('usage')
@ApiBearerAuth('bearer')
@UseGuards(BearerGuard, RateLimitGuard)
@Controller('api/v1/orgs/:org_id/usage')
export class UsageRecordsController {
  constructor(@Inject(COST_KEEPER) private readonly keeper: CostKeeper) {}

  @Get('records')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @applyAll(FILTERS)
  @ApiQuery({ name: 'limit', required: false, description: '1..1000 (default 100)' })
  @ApiQuery({ name: 'cursor', required: false, description: "The previous page's next_cursor" })
  @ApiOperation({
    operationId: 'listUsageRecords',
    summary:
      'Usage records in a range of at most 31 days, oldest first, in pages (an app token: its own app)',
  })
  @ApiResponse({ status: 200, type: UsageRecordsPageDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async records(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Req() req: FastifyRequest,
  ): Promise<UsageRecordsPageDto> {
    const q = queryOf(req);
    const { orgId, input } = this.scoped(c, org, q);
    if (q.format !== undefined)
      throw new InvalidRequestError([{ field: 'format', message: 'is not a parameter of this route' }]);
    const page = await this.keeper.usageRecords.list(orgId, input);
    return { records: page.records.map(recordDto), next_cursor: page.nextCursor ?? null };
  }

  @Get('export')
  @RateLimit('aggregates')
  @ORG_ID_PARAM
  @applyAll(FILTERS)
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'jsonl'], description: 'Default csv' })
  @ApiOperation({
    operationId: 'exportUsageRecords',
    summary:
      'Every matching record as a CSV (RFC 4180, tag.<key> columns) or JSONL file, streamed; range at most the retention',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiResponse({
    status: 200,
    description: 'The file (chunked)',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async export(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const q = queryOf(req);
    const { orgId, input } = this.scoped(c, org, q);
    const format = q.format ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl') {
      throw new InvalidRequestError([{ field: 'format', message: 'must be csv or jsonl' }]);
    }
    if (input.limit !== undefined || input.cursor !== undefined) {
      throw new InvalidRequestError([
        {
          field: input.limit !== undefined ? 'limit' : 'cursor',
          message: 'is not a parameter of this route',
        },
      ]);
    }
    const file = await this.keeper.usageRecords.export(orgId, input);
    // Everything that can fail with a 4xx has been checked: from here on the body streams.
    const stream =
      format === 'csv' ? csvFile(file.records(), await file.tagKeys()) : jsonlFile(file.records());
    reply.header('cache-control', 'no-store');
    return new StreamableFile(stream, {
      type: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      disposition: `attachment; filename="usage-${orgId}-${file.from}-${file.to}.${format}"`,
    });
  }

  /** Org token: any app (or one); app token: its own app only (another app_id is 403). */
  private scoped(c: Principal, org: string, q: Query) {
    const asked = typeof q.app_id === 'string' ? q.app_id : undefined;
    const appId = asked ?? c.appId;
    const orgId = authorizePath(c, org, appId);
    return { orgId, input: recordsQuery(q, appId) };
  }
}
