// Request logging: one line per request at the default level (info), written when the answer has gone out, with the
// request id (`reqId`, also in the x-request-id header and on every other line of the request), method, URL with
// secrets redacted (logger-options.ts), address, status and time. Fastify's own pair of lines (one when the request
// starts, one when it ends) costs twice the logging work for the same information: its start line is kept at debug
// level only, for following a request that never finishes. Fastify's other lines (stream errors, 503 while closing)
// are unchanged.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) request.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
