// Request logging: one line per request at the default level (info), written when the answer has gone out, with the
// request id (`reqId`, also in the x-request-id header and on every other line of the request), method, URL with
// secrets redacted (logger-options.ts), address, status and time. Fastify's own pair of lines (one when the request
// starts, one when it ends) costs twice the logging work for the same information: its start line is kept at debug
// level only, for following a request that never finishes. Fastify's other lines (stream errors, 503 while closing)
// are unchanged.
//
// The completed line holds only what the req and res serializers make of the request (id, method, the URL with its
// secrets redacted, address; status) and the time: there is nothing for pino's path redaction to find, and that walk
// cost 9 of the 13 µs the line took. So it is written through a child of the server's logger without path redaction,
// made once per server (docs/decisions.md 2026-11-30 "The request line skips path redaction"). Every other line, the
// failed request's included (it carries the error), keeps the redaction of logger-options.ts.
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

const requestLineLoggers = new WeakMap<FastifyBaseLogger, FastifyBaseLogger>();

/** The server logger's child for the completed line: same level, serializers and destination; no path redaction. */
function requestLineLogger(server: FastifyBaseLogger): FastifyBaseLogger {
  let logger = requestLineLoggers.get(server);
  if (logger === undefined) {
    logger = server.child({}, { redact: { paths: [] } });
    requestLineLoggers.set(server, logger);
  }
  return logger;
}

export class OneLinePerRequest extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) request.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    // The same level as the request's logger: the server's (no route sets its own).
    else requestLineLogger(request.server.log).info({ reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
