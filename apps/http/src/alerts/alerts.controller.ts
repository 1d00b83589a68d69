import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import {
  ALERT_EVENT_TYPES,
  FieldProblems,
  type AlertEventType,
  type CostKeeper,
  type Principal,
} from '#core-domain';
import { COST_KEEPER } from '#composition';
import { auditContextOf } from '../audit/audit-context.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { ORG_ID_PARAM } from '../runtime/runtime.controller.js';
import {
  AlertEventListDto,
  CreatedWebhookDto,
  DeliveryDto,
  DeliveryListDto,
  RedeliveryDto,
  RotatedSecretDto,
  WebhookDto,
  WebhookInputDto,
  WebhookListDto,
} from './alerts.dto.js';
import { OrgTokenOrAdminGuard } from './alerts.guard.js';
import { authorizeAlerts, deliveryDto, eventDto, toWebhookInput, webhookDto } from './alerts.mapper.js';

type AlertRequest = FastifyRequest & { user?: Principal; admin?: boolean };
const WEBHOOK_PARAM = ApiParam({ name: 'webhook_id', example: 'wh_6f1c2a4e1b7d4c1e9a550c2f3b8e9d10' });
const EVENT_PARAM = ApiParam({ name: 'event_id', example: 'evt_3f7c0e2a9b1d4c5e8f6a7b8c9d0e1f2a' });
const ID = /^[A-Za-z0-9_.-]{1,128}$/;

function checkId(field: string, v: string): string {
  if (!ID.test(v)) {
    const p = new FieldProblems();
    p.add(field, 'is not an id');
    p.throwIfAny();
  }
  return v;
}

function limitOf(raw: unknown): number {
  if (raw === undefined) return 50;
  const n = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 100)) {
    const p = new FieldProblems();
    p.add('limit', 'must be an integer from 1 to 100');
    p.throwIfAny();
  }
  return n;
}

function cursorOf(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length > 1024) {
    const p = new FieldProblems();
    p.add('cursor', 'is not a cursor from a previous page');
    p.throwIfAny();
  }
  return raw as string;
}

@ApiTags('alerts')
@ApiBearerAuth('bearer')
@ApiSecurity('admin')
@UseGuards(OrgTokenOrAdminGuard, RateLimitGuard)
@Controller('api/v1/orgs/:org_id')
export class AlertsController {
  constructor(@Inject(COST_KEEPER) private readonly keeper: CostKeeper) {}

  private org(req: AlertRequest, raw: string): string {
    return authorizeAlerts(req.user, req.admin === true, raw);
  }

  @Post('webhooks')
  @HttpCode(201)
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Add a webhook (standard or Slack body) or an SNS topic; the secret is shown once',
  })
  @ApiBody({ type: WebhookInputDto })
  @ApiResponse({ status: 201, type: CreatedWebhookDto })
  @ApiErrors(400, 401, 403, 404, 413, 415, 429, 503)
  async create(
    @Req() req: AlertRequest,
    @Param('org_id') org: string,
    @Body() body: Record<string, unknown>,
  ) {
    const w = await this.keeper.webhooks.create(
      this.org(req, org),
      toWebhookInput(body),
      auditContextOf(req),
    );
    return { ...webhookDto(w), secret: w.secret };
  }

  @Get('webhooks')
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @ApiOperation({
    operationId: 'listWebhooks',
    summary: "The org's webhooks and SNS channels (never secrets)",
  })
  @ApiResponse({ status: 200, type: WebhookListDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async list(@Req() req: AlertRequest, @Param('org_id') org: string): Promise<WebhookListDto> {
    return { webhooks: (await this.keeper.webhooks.list(this.org(req, org))).map(webhookDto) };
  }

  @Get('webhooks/:webhook_id')
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @WEBHOOK_PARAM
  @ApiOperation({ operationId: 'getWebhook', summary: 'One webhook (never its secret)' })
  @ApiResponse({ status: 200, type: WebhookDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async get(@Req() req: AlertRequest, @Param('org_id') org: string, @Param('webhook_id') id: string) {
    return webhookDto(await this.keeper.webhooks.get(this.org(req, org), checkId('webhook_id', id)));
  }

  @Patch('webhooks/:webhook_id')
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @WEBHOOK_PARAM
  @ApiOperation({
    operationId: 'updateWebhook',
    summary: 'Change url, description, event_types, format or enabled',
  })
  @ApiBody({ type: WebhookInputDto })
  @ApiResponse({ status: 200, type: WebhookDto })
  @ApiErrors(400, 401, 403, 404, 413, 415, 429, 503)
  async update(
    @Req() req: AlertRequest,
    @Param('org_id') org: string,
    @Param('webhook_id') id: string,
    @Body() body: Record<string, unknown>,
  ) {
    return webhookDto(
      await this.keeper.webhooks.update(
        this.org(req, org),
        checkId('webhook_id', id),
        toWebhookInput(body),
        auditContextOf(req),
      ),
    );
  }

  @Delete('webhooks/:webhook_id')
  @HttpCode(204)
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @WEBHOOK_PARAM
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Remove a webhook' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async remove(@Req() req: AlertRequest, @Param('org_id') org: string, @Param('webhook_id') id: string) {
    await this.keeper.webhooks.delete(this.org(req, org), checkId('webhook_id', id), auditContextOf(req));
  }

  @Post('webhooks/:webhook_id/rotate-secret')
  @HttpCode(200)
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @WEBHOOK_PARAM
  @ApiOperation({
    operationId: 'rotateWebhookSecret',
    summary: 'A new secret; the old one keeps signing beside it for 24 h',
  })
  @ApiResponse({ status: 200, type: RotatedSecretDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async rotate(@Req() req: AlertRequest, @Param('org_id') org: string, @Param('webhook_id') id: string) {
    const r = await this.keeper.webhooks.rotateSecret(
      this.org(req, org),
      checkId('webhook_id', id),
      auditContextOf(req),
    );
    return { secret: r.secret, previous_secret_expires_at: r.previousSecretExpiresAt };
  }

  @Post('webhooks/:webhook_id/test')
  @HttpCode(200)
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @WEBHOOK_PARAM
  @ApiOperation({
    operationId: 'testWebhook',
    summary: 'Send a webhook.test event now; answers with its delivery',
  })
  @ApiResponse({ status: 200, type: DeliveryDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async test(@Req() req: AlertRequest, @Param('org_id') org: string, @Param('webhook_id') id: string) {
    return deliveryDto(await this.keeper.webhooks.test(this.org(req, org), checkId('webhook_id', id)));
  }

  @Get('webhooks/:webhook_id/deliveries')
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @WEBHOOK_PARAM
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, example: 50 })
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'The delivery log of a webhook, newest first',
  })
  @ApiResponse({ status: 200, type: DeliveryListDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async deliveries(
    @Req() req: AlertRequest,
    @Param('org_id') org: string,
    @Param('webhook_id') id: string,
    @Query('cursor') cursor: unknown,
    @Query('limit') limit: unknown,
  ): Promise<DeliveryListDto> {
    const page = await this.keeper.webhooks.deliveries(
      this.org(req, org),
      checkId('webhook_id', id),
      cursorOf(cursor),
      limitOf(limit),
    );
    return { deliveries: page.deliveries.map(deliveryDto), next_cursor: page.nextCursor ?? null };
  }

  @Get('events')
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @ApiQuery({ name: 'type', required: false, description: 'Comma-separated event types' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO instant' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO instant' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, example: 50 })
  @ApiOperation({ operationId: 'listEvents', summary: "The org's alert events, newest first (kept 30 days)" })
  @ApiResponse({ status: 200, type: AlertEventListDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async events(
    @Req() req: AlertRequest,
    @Param('org_id') org: string,
    @Query('type') type: unknown,
    @Query('from') from: unknown,
    @Query('to') to: unknown,
    @Query('cursor') cursor: unknown,
    @Query('limit') limit: unknown,
  ): Promise<AlertEventListDto> {
    const orgId = this.org(req, org);
    const p = new FieldProblems();
    let types: AlertEventType[] | undefined;
    if (type !== undefined) {
      const list = typeof type === 'string' ? type.split(',') : [];
      if (!list.length || !list.every((t) => ALERT_EVENT_TYPES.includes(t as AlertEventType)))
        p.add('type', `must be a comma-separated list of ${ALERT_EVENT_TYPES.join(', ')}`);
      else types = list as AlertEventType[];
    }
    const instant = (name: string, v: unknown) => {
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v)) || v.length > 40) {
        p.add(name, 'must be an ISO 8601 instant');
        return undefined;
      }
      return new Date(v).toISOString();
    };
    const query = { from: instant('from', from), to: instant('to', to), limit: 50 };
    query.limit = limitOf(limit);
    p.throwIfAny();
    const page = await this.keeper.webhooks.events(orgId, {
      limit: query.limit,
      ...(types ? { types } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      ...(cursorOf(cursor) ? { cursor: cursorOf(cursor)! } : {}),
    });
    return { events: page.events.map(eventDto), next_cursor: page.nextCursor ?? null };
  }

  @Post('events/:event_id/redeliver')
  @HttpCode(202)
  @RateLimit('alerts')
  @ORG_ID_PARAM
  @EVENT_PARAM
  @ApiOperation({
    operationId: 'redeliverEvent',
    summary: 'A new delivery of an event to every enabled endpoint that takes its type',
  })
  @ApiResponse({ status: 202, type: RedeliveryDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async redeliver(@Req() req: AlertRequest, @Param('org_id') org: string, @Param('event_id') id: string) {
    const list = await this.keeper.webhooks.redeliver(this.org(req, org), checkId('event_id', id));
    return { deliveries: list.map(deliveryDto) };
  }
}
