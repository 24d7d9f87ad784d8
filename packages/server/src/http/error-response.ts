// The ONE place that decides what an error looks like to a client (design.md "Errors").
// Token-style endpoints answer RFC 6749 §5.2 JSON; anything unexpected is server_error with no internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, ServerError, TemporarilyUnavailable, InvalidRequest } from '../oauth/errors.ts';
import { StoreUnavailable } from '../store/store.ts';

const DATABASE_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001', '53300', 'SQLITE_BUSY']);

function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailable) return true;
  const e = error as { code?: string; message?: string };
  return (e.code !== undefined && DATABASE_DOWN_CODES.has(e.code)) || /Connection terminated|timeout exceeded when trying to connect|database is locked/i.test(e.message ?? '');
}

/** Maps anything thrown to an OAuthError: protocol errors pass through, framework 4xx become invalid_request. */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (isDatabaseUnavailable(error)) return new TemporarilyUnavailable('the service is temporarily unavailable; retry shortly', { cause: error });
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const description =
      fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported content type: send application/x-www-form-urlencoded'
      : fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request body too large'
      : fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'empty request body'
      : 'malformed request';
    return new InvalidRequest(description, { debug: fastifyError.message, cause: error, status: status === 413 ? 413 : 400 });
  }
  return new ServerError('internal server error', { cause: error });
}

/** Logs the error once (with the request id) and sends the RFC 6749 §5.2 JSON body. */
export function sendJsonError(error: OAuthError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const level = error.status >= 500 ? 'error' : 'info';
  request.log[level]({ err: error.status >= 500 ? (error.cause ?? error) : undefined, error: error.code, debug: error.debug }, error.description);
  if (error.basicChallenge) reply.header('www-authenticate', 'Basic realm="latchkey", charset="UTF-8"');
  const description = error.status >= 500 ? `${error.description} (request id ${request.id})` : error.description;
  return reply.code(error.status).header('cache-control', 'no-store').header('pragma', 'no-cache')
    .send({ error: error.code, error_description: description });
}
