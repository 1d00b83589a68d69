import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type AuditContext, type CostKeeper, type Principal } from '#core-domain';
import { COST_KEEPER } from '#composition';
import { Audit } from '../audit/audit-context.js';
import { BearerGuard, Caller } from '../auth/guards.js';
import { ApiErrors } from '../common/api-errors.js';
import { RateLimit, RateLimitGuard } from '../common/rate-limit.js';
import { ProfileDto, ProfileListDto, RegisterProfileDto } from './runtime.dto.js';
import { authorizePath, profileDto } from './runtime.mapper.js';
import { APP_ID_PARAM, ORG_ID_PARAM } from './runtime.controller.js';

@ApiTags('inference-profiles')
@ApiBearerAuth('bearer')
@UseGuards(BearerGuard, RateLimitGuard)
@Controller('api/v1/orgs/:org_id/apps/:app_id/inference-profiles')
export class ProfilesController {
  constructor(@Inject(COST_KEEPER) private readonly keeper: CostKeeper) {}

  @Post()
  @HttpCode(201)
  @RateLimit('inference_profiles')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @ApiOperation({
    operationId: 'registerInferenceProfile',
    summary: 'Register a label for a Bedrock (application) inference profile',
  })
  @ApiResponse({ status: 201, type: ProfileDto })
  @ApiErrors(400, 401, 403, 404, 409, 413, 415, 429, 503)
  async register(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('app_id') app: string,
    @Body() body: RegisterProfileDto,
    @Audit() audit: AuditContext,
  ): Promise<ProfileDto> {
    const orgId = authorizePath(c, org, app);
    const input: { profileLabel: unknown; inferenceProfileArn: unknown; description?: unknown } = {
      profileLabel: body.profile_label,
      inferenceProfileArn: body.inference_profile_arn,
    };
    if (body.description !== undefined) input.description = body.description;
    return profileDto(await this.keeper.profiles.register(orgId, app, input, audit));
  }

  @Get()
  @RateLimit('inference_profiles')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @ApiOperation({ operationId: 'listInferenceProfiles', summary: "The app's inference profiles" })
  @ApiResponse({ status: 200, type: ProfileListDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async list(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('app_id') app: string,
  ): Promise<ProfileListDto> {
    const orgId = authorizePath(c, org, app);
    return { profiles: (await this.keeper.profiles.list(orgId, app)).map(profileDto) };
  }

  @Get(':profile_label')
  @RateLimit('inference_profiles')
  @ORG_ID_PARAM
  @APP_ID_PARAM
  @ApiParam({ name: 'profile_label', example: 'claude-prod' })
  @ApiOperation({ operationId: 'getInferenceProfile', summary: 'One inference profile of the app' })
  @ApiResponse({ status: 200, type: ProfileDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  async get(
    @Caller() c: Principal,
    @Param('org_id') org: string,
    @Param('app_id') app: string,
    @Param('profile_label') label: string,
  ): Promise<ProfileDto> {
    const orgId = authorizePath(c, org, app);
    return profileDto(await this.keeper.profiles.get(orgId, app, label));
  }
}
