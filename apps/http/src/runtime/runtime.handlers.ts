import { type FastifyReply } from 'fastify';
import {
  InvalidRequestError,
  QuotaExceededError,
  type Clock,
  type CostKeeper,
  type Principal,
} from '#core-domain';
import { type ModelSelectionDto, type UsageAcceptedDto } from './runtime.dto.js';
import {
  authorizePath,
  etagOf,
  matchesEtag,
  selectionDto,
  toUsageInput,
  usageAccepted,
} from './runtime.mapper.js';

/*
 * What GET model-selection and POST usage do once the caller is authenticated, rate-limited and the
 * body is a JSON object. One implementation for both ways a request can reach them: the Nest
 * controller (RuntimeController, whose declarations also make the OpenAPI document) and the plain
 * Fastify handlers of runtime.fast-routes.ts that serve them on the hot path (docs/architecture.md,
 * "The two hot routes").
 */

/** GET model-selection: the answer body, or undefined for a 304 (status and headers set on `reply`). */
export async function selectModelAnswer(
  keeper: CostKeeper,
  clock: Clock,
  caller: Principal,
  rawOrgId: string,
  appId: string,
  forceCheck: string | undefined,
  ifNoneMatch: string | undefined,
  reply: FastifyReply,
): Promise<ModelSelectionDto | undefined> {
  const orgId = authorizePath(caller, rawOrgId, appId);
  if (forceCheck !== undefined && forceCheck !== 'true' && forceCheck !== 'false') {
    throw new InvalidRequestError([{ field: 'force_check', message: "must be 'true' or 'false'" }]);
  }
  let selection;
  try {
    selection = await keeper.selectModel.execute(orgId, appId, { forceCheck: forceCheck === 'true' });
  } catch (e) {
    if (e instanceof QuotaExceededError) {
      const wait = Math.max(1, Math.ceil((Date.parse(e.retryAfter) - clock.now().getTime()) / 1000));
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

/**
 * POST usage: the body (already checked to be a JSON object of bounded depth) goes straight to the
 * domain's validateUsage, which checks every field UsageDto describes (unknown fields, types, ranges,
 * UUID, timestamp window) and names each problem by its wire name. Running class-validator first
 * would repeat that work on every event (docs/performance.md).
 */
export async function recordUsageAnswer(
  keeper: CostKeeper,
  caller: Principal,
  rawOrgId: string,
  appId: string,
  body: Record<string, unknown>,
): Promise<UsageAcceptedDto> {
  const orgId = authorizePath(caller, rawOrgId, appId);
  return usageAccepted(await keeper.recordUsage.execute(orgId, appId, toUsageInput(body)));
}
