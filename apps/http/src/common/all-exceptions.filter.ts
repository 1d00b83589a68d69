import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Clock } from '#core-domain';
import { mapError, type ErrorBody } from './error-body.js';

/** Writes the error body (ErrorBodyDto) for anything thrown, in Nest or in Fastify's own request handling. */
export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply, clock: Clock): void {
  const mapped = mapError(err);
  // request.log carries the request id on every line.
  if (mapped.unexpected) request.log.error({ err }, 'Unhandled error');
  else if (mapped.status === 503) request.log.warn({ cause: (err as Error)?.message }, 'Storage unavailable');
  const body: ErrorBody = {
    ...mapped.body,
    timestamp: clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z'),
    request_id: String(request.id),
  };
  for (const [k, v] of Object.entries(mapped.headers)) void reply.header(k, v);
  void reply.status(mapped.status).type('application/json; charset=utf-8').send(body);
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly clock: Clock) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.clock);
  }
}
