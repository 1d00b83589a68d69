import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { type AuditContext, type CostKeeper, DEFAULT_GRACE_HOURS } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { Audit } from '../audit/audit-context.js';
import { AdminKeyGuard } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import {
  AppDto,
  OrgDto,
  PutAppDto,
  PutAppResponseDto,
  PutOrgDto,
  PutOrgResponseDto,
  RotateDto,
  RotationResponseDto,
} from './provisioning.dto.js';
import {
  appView,
  effectiveConfiguration,
  orgConfiguration,
  toAppInput,
  toOrgInput,
} from './provisioning.mapper.js';

const ORG_ID = ApiParam({
  name: 'org_id',
  description: 'The org id (a UUID)',
  example: '6f1c2a4e-1b7d-4c1e-9a55-0c2f3b8e9d10',
});
const APP_ID = ApiParam({
  name: 'app_id',
  description: 'The app id (`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)',
  example: 'chat',
});

@ApiTags('provisioning')
@ApiSecurity('admin')
@UseGuards(AdminKeyGuard, RateLimitGuard)
@Controller('api/v1/orgs')
export class ProvisioningController {
  constructor(@Inject(COST_KEEPER) private readonly keeper: CostKeeper) {}

  @Put(':org_id')
  @RateLimit('provisioning_put')
  @ORG_ID
  @ApiOperation({
    operationId: 'putOrg',
    summary: 'Create or update an org (credentials are returned once, on creation)',
  })
  @ApiResponse({ status: 201, type: PutOrgResponseDto, description: 'Created, with credentials' })
  @ApiResponse({ status: 200, type: PutOrgResponseDto, description: 'Updated' })
  @ApiErrors(400, 401, 413, 415, 429, 503)
  async putOrg(
    @Param('org_id') orgId: string,
    @Body() body: PutOrgDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: AuditContext,
  ): Promise<PutOrgResponseDto> {
    const r = await this.keeper.provisioning.putOrg(orgId, toOrgInput(body), audit);
    void reply.status(r.status === 'created' ? 201 : 200);
    const out: PutOrgResponseDto = {
      org_id: r.org.orgId,
      status: r.status,
      configuration: orgConfiguration(r.org),
    };
    if (r.status === 'created') {
      out.created_at = r.org.createdAt;
      out.credentials = { client_id: r.credentials!.clientId, client_secret: r.credentials!.clientSecret };
      void reply.header('Cache-Control', 'no-store');
    } else out.updated_at = r.org.updatedAt;
    return out;
  }

  @Get(':org_id')
  @RateLimit('provisioning_get')
  @ORG_ID
  @ApiOperation({ operationId: 'getOrg', summary: 'Read an org configuration and its apps (never secrets)' })
  @ApiResponse({ status: 200, type: OrgDto })
  @ApiErrors(400, 401, 404, 429, 503)
  async getOrg(@Param('org_id') orgId: string): Promise<OrgDto> {
    const { org, apps } = await this.keeper.provisioning.getOrg(orgId);
    return {
      org_id: org.orgId,
      configuration: orgConfiguration(org),
      apps: apps.map((a) => ({
        app_id: a.appId,
        app_name: a.appName,
        created_at: a.createdAt,
        updated_at: a.updatedAt,
      })),
      created_at: org.createdAt,
      updated_at: org.updatedAt,
    };
  }

  @Put(':org_id/apps/:app_id')
  @RateLimit('provisioning_put')
  @ORG_ID
  @APP_ID
  @ApiOperation({ operationId: 'putApp', summary: 'Create or update an app of an org' })
  @ApiResponse({ status: 201, type: PutAppResponseDto, description: 'Created, with credentials' })
  @ApiResponse({ status: 200, type: PutAppResponseDto, description: 'Updated' })
  @ApiErrors(400, 401, 404, 413, 415, 429, 503)
  async putApp(
    @Param('org_id') orgId: string,
    @Param('app_id') appId: string,
    @Body() body: PutAppDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: AuditContext,
  ): Promise<PutAppResponseDto> {
    const r = await this.keeper.provisioning.putApp(orgId, appId, toAppInput(body), audit);
    void reply.status(r.status === 'created' ? 201 : 200);
    const eff = effectiveConfiguration(r.effective, '');
    const out: PutAppResponseDto = {
      org_id: r.app.orgId,
      app_id: r.app.appId,
      status: r.status,
      configuration: {
        app_name: r.app.appName,
        model_ordering: eff.model_ordering,
        quotas: eff.quotas,
        inherited_fields: eff.inherited_fields,
      },
    };
    if (r.status === 'created') {
      out.created_at = r.app.createdAt;
      out.credentials = { client_id: r.credentials!.clientId, client_secret: r.credentials!.clientSecret };
      void reply.header('Cache-Control', 'no-store');
    } else out.updated_at = r.app.updatedAt;
    return out;
  }

  @Get(':org_id/apps/:app_id')
  @RateLimit('provisioning_get')
  @ORG_ID
  @APP_ID
  @ApiOperation({
    operationId: 'getApp',
    summary: 'Read an app: its own overrides and its effective configuration',
  })
  @ApiResponse({ status: 200, type: AppDto })
  @ApiErrors(400, 401, 404, 429, 503)
  async getApp(@Param('org_id') orgId: string, @Param('app_id') appId: string): Promise<AppDto> {
    const [{ app, effective }, { org }] = await Promise.all([
      this.keeper.provisioning.getApp(orgId, appId),
      this.keeper.provisioning.getOrg(orgId),
    ]);
    return appView(app, effective, org.orgName);
  }

  @Post(':org_id/credentials/rotate')
  @HttpCode(200)
  @RateLimit('rotate')
  @ORG_ID
  @ApiOperation({
    operationId: 'rotateOrgCredentials',
    summary: 'Issue a new org secret; the old one works for the grace period',
  })
  @ApiResponse({ status: 200, type: RotationResponseDto })
  @ApiErrors(400, 401, 404, 413, 415, 429, 503)
  rotateOrg(
    @Param('org_id') orgId: string,
    @Body() body: RotateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: AuditContext,
  ): Promise<RotationResponseDto> {
    return this.rotate(orgId, undefined, body, reply, audit);
  }

  @Post(':org_id/apps/:app_id/credentials/rotate')
  @HttpCode(200)
  @RateLimit('rotate')
  @ORG_ID
  @APP_ID
  @ApiOperation({
    operationId: 'rotateAppCredentials',
    summary: 'Issue a new app secret; the old one works for the grace period',
  })
  @ApiResponse({ status: 200, type: RotationResponseDto })
  @ApiErrors(400, 401, 404, 413, 415, 429, 503)
  rotateApp(
    @Param('org_id') orgId: string,
    @Param('app_id') appId: string,
    @Body() body: RotateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: AuditContext,
  ): Promise<RotationResponseDto> {
    return this.rotate(orgId, appId, body, reply, audit);
  }

  private async rotate(
    orgId: string,
    appId: string | undefined,
    body: RotateDto,
    reply: FastifyReply,
    audit: AuditContext,
  ): Promise<RotationResponseDto> {
    const r = await this.keeper.provisioning.rotateCredentials(
      orgId,
      appId,
      body.grace_period_hours ?? DEFAULT_GRACE_HOURS,
      audit,
    );
    void reply.header('Cache-Control', 'no-store');
    return {
      client_id: r.clientId,
      client_secret: r.clientSecret,
      rotated_at: r.rotatedAt,
      old_secret_expires_at: r.oldSecretExpiresAt,
      grace_period_hours: r.gracePeriodHours,
    };
  }
}
