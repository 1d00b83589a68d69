import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteHandlerMethod,
  type RouteOptions,
} from 'fastify';
import { type Clock, type CostKeeper, type Principal, type RateLimitName } from '#core-domain';
import { type BearerGuard } from '../auth/guards.js';
import { type VerifiedTokens } from '../auth/verified-tokens.js';
import { sendError } from '../common/all-exceptions.filter.js';
import { trackerOf, type RateLimitGuard } from '../common/rate-limit.js';
import { checkBodyShape } from '../common/validation.pipe.js';
import { recordUsageAnswer, selectModelAnswer } from './runtime.handlers.js';

/**
 * The two hot routes, POST usage and GET model-selection, served by plain Fastify handlers instead
 * of Nest's router, guards, pipes and exception filter (docs/architecture.md, "The two hot routes").
 *
 * RuntimeController still declares them: Nest registers them on this Fastify instance (so they are
 * in the OpenAPI document and keep their route template for the metrics), and the onRoute hook
 * below puts the fast handler in place of Nest's. The fast handler does what Nest's pipeline does
 * for these routes, step by step with the same code:
 *
 * 1. BearerGuard: a token seen before (VerifiedTokens) goes to the domain's checks
 *    (BearerGuard.principalOf); any other request, a missing, new or forged token, is handed to
 *    Nest's handler as it is (passport checks the signature there), as is a path with an empty
 *    parameter (Nest answers 404 for it).
 * 2. RateLimitGuard: the same provider's hit() with the route's limit name (the app has one limiter).
 * 3. The status Nest sets before its pipes (@HttpCode: 202 for usage, 200 for selection).
 * 4. StrictValidationPipe: checkBodyShape on the usage body; `force_check` turned into a string as
 *    the pipe turns a string query parameter (String(value)).
 * 5. The controller's own code (runtime.handlers.ts), then reply.send() as Nest's adapter sends.
 * 6. AllExceptionsFilter: any error goes to sendError, as the filter does.
 */

export interface FastRouteDeps {
  keeper: CostKeeper;
  clock: Clock;
  verified: VerifiedTokens;
  bearer: BearerGuard;
  limits: RateLimitGuard;
}

const PREFIX = '/api/v1/orgs/:org_id/apps/:app_id/';
const USAGE_URL = `${PREFIX}usage`;
const SELECTION_URL = `${PREFIX}model-selection`;

interface RuntimeParams {
  org_id: string;
  app_id: string;
}
type RuntimeRequest = FastifyRequest & { user?: Principal };

/**
 * Adds the onRoute hook that serves the two routes from fast handlers. Must run before Nest registers
 * its routes (app.init()); `deps` is read on each request, so it may be filled after init.
 */
export function installFastRoutes(fastify: FastifyInstance, deps: () => FastRouteDeps): void {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.length !== 1) return;
    const method = methods[0];
    if (route.url === USAGE_URL && method === 'POST') route.handler = usageHandler(route.handler, deps);
    else if (route.url === SELECTION_URL && (method === 'GET' || method === 'HEAD'))
      route.handler = selectionHandler(route.handler, deps);
  });
}

/** The caller when the fast path can serve the request; undefined hands it to Nest's handler. */
function knownToken(request: FastifyRequest, d: FastRouteDeps): Record<string, unknown> | undefined {
  const params = request.params as RuntimeParams;
  if (params.org_id === '' || params.app_id === '') return undefined;
  return d.verified.get(request.headers.authorization);
}

async function authenticate(
  request: RuntimeRequest,
  reply: FastifyReply,
  d: FastRouteDeps,
  claims: Record<string, unknown>,
  limit: RateLimitName,
): Promise<Principal> {
  const caller = await d.bearer.principalOf(claims);
  request.user = caller;
  await d.limits.hit(limit, trackerOf(request), reply);
  return caller;
}

function usageHandler(nest: RouteHandlerMethod, deps: () => FastRouteDeps): RouteHandlerMethod {
  return async function (this: FastifyInstance, request: RuntimeRequest, reply: FastifyReply) {
    const d = deps();
    const claims = knownToken(request, d);
    if (claims === undefined) return nest.call(this, request, reply);
    try {
      const caller = await authenticate(request, reply, d, claims, 'usage');
      void reply.status(202);
      const body = request.body;
      checkBodyShape(body);
      const { org_id, app_id } = request.params as RuntimeParams;
      return reply.send(await recordUsageAnswer(d.keeper, caller, org_id, app_id, body));
    } catch (e) {
      sendError(e, request, reply, d.clock);
      return reply;
    }
  };
}

function selectionHandler(nest: RouteHandlerMethod, deps: () => FastRouteDeps): RouteHandlerMethod {
  return async function (this: FastifyInstance, request: RuntimeRequest, reply: FastifyReply) {
    const d = deps();
    const claims = knownToken(request, d);
    if (claims === undefined) return nest.call(this, request, reply);
    try {
      const caller = await authenticate(request, reply, d, claims, 'model_selection');
      void reply.status(200);
      const { org_id, app_id } = request.params as RuntimeParams;
      const raw = (request.query as Record<string, unknown> | undefined)?.force_check;
      const forceCheck = raw === undefined ? undefined : String(raw);
      const ifNoneMatch = request.headers['if-none-match'];
      const body = await selectModelAnswer(
        d.keeper,
        d.clock,
        caller,
        org_id,
        app_id,
        forceCheck,
        ifNoneMatch,
        reply,
      );
      return reply.send(body);
    } catch (e) {
      sendError(e, request, reply, d.clock);
      return reply;
    }
  };
}
