// The ONE place that decides what an error looks like to a client (design.md "Errors"), and the one log line per error.
// Token-style endpoints answer RFC 6749 §5.2 JSON, the authorization endpoint a redirect or a page, the account pages a
// page, bearer endpoints WWW-Authenticate, an unknown path a JSON 404; anything unexpected is server_error with no
// internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, ServerError, TemporarilyUnavailable, InvalidRequest } from '../oauth/errors.ts';
import { StoreUnavailable } from '../store/store.ts';
import type { AuthorizationFailure } from '../authorization/authorization-failure.ts';
import type { BrowserResponse } from '../endpoints/browser-exchange.ts';
import { errorResponse } from '../authorization/authorization-response.ts';
import { authorizationResponse } from '../endpoints/browser-exchange.ts';
import { safeDescription } from '../oauth/error-description.ts';
import { DPOP_ALGORITHMS } from '../oauth/dpop-proof.ts';
import type { ServerContext } from '../server-context.ts';
import { sendBrowserResponse, sendPage } from './browser-response.ts';
import { errorPage } from './views/error-page.ts';
import { diagnosticBudgetOf } from '../audit-trail/diagnostic-budget.ts';

const DATABASE_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', '08006', '08001', '53300', 'SQLITE_BUSY']);

function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailable) return true;
  const e = error as { code?: string; message?: string };
  if (e.message === 'aborted') return false; // the HTTP client hung up (handleJsonError), not the database
  // pg's "Client has encountered a connection error and is not queryable" is what a transaction reports when its
  // connection died: Kysely's rollback on the dead connection throws it in place of the original error.
  return (e.code !== undefined && DATABASE_DOWN_CODES.has(e.code))
    || /Connection terminated|timeout exceeded when trying to connect|is not queryable|database is locked/i.test(e.message ?? '');
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
      : fastifyError.code === 'FST_ERR_BAD_URL' ? 'malformed URL: the path is not valid percent-encoding'
      : 'malformed request';
    return new InvalidRequest(description, { debug: fastifyError.message, cause: error, status: status === 413 ? 413 : 400 });
  }
  return new ServerError('internal server error', { cause: error });
}

/**
 * The client closed the connection before its request was complete (Node's http server fails the body with
 * ECONNRESET "aborted"). Nothing went wrong on our side, and nobody is left to read an answer.
 */
function isClientAbort(error: unknown, request: FastifyRequest): boolean {
  const e = error as { code?: string; message?: string };
  return (e.code === 'ECONNRESET' && e.message === 'aborted') || request.raw.readableAborted;
}

/**
 * Fastify's error handler and its frameworkErrors hook (a malformed URL never reaches a route): every error of a JSON
 * endpoint goes through here. An aborted request is logged at debug level, without a stack.
 */
export function handleJsonError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isClientAbort(error, request)) {
    return sendJsonError(new InvalidRequest('the client closed the connection before the request was complete', { status: 400 }), request, reply, 'debug');
  }
  return sendJsonError(toOAuthError(error), request, reply);
}

const MAX_REASON = 2000;

/**
 * The one log line of an error (pino adds the request id), with the full reason: the description, the server-only
 * debug detail and the developer details (registered redirect URIs and how they differ), in production too; the stack
 * only for our own failures (5xx). The same reason goes to the audit trail as a diagnostic `request.failed` event for
 * `latchkey explain`.
 */
function logError(request: FastifyRequest, error: OAuthError, extra: { details?: string[]; redirected?: boolean; page?: boolean; status?: number } = {}, quietLevel?: 'debug'): void {
  const { page, status, ...logged } = extra;
  const level = quietLevel ?? (error.status >= 500 ? 'error' : 'info');
  request.log[level]({ err: error.status >= 500 ? (error.cause ?? error) : undefined, error: error.code, debug: error.debug, ...logged }, error.description);
  // Not for outages, 429s, and failed client or token authentication at the JSON endpoints (401): floods of one uniform
  // reason (an unknown client on the authorization page is recorded). At most DIAGNOSTIC_EVENTS_PER_SECOND per
  // instance, so error pages cannot be turned into database rows at line rate.
  if (quietLevel || error.code === 'temporarily_unavailable' || error.status === 429 || (error.status === 401 && !page)) return;
  const ctx = (request.server as { latchkeyServer?: ServerContext }).latchkeyServer;
  if (!ctx || !diagnosticBudgetOf(ctx).take(Date.now())) return;
  const cut = (text: string) => (text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}...` : text);
  void ctx.store.recordAuditEvent({
    type: 'request.failed', requestId: request.id,
    detail: {
      method: request.method, route: request.routeOptions.url ?? 'unmatched', status: status ?? error.status, error: error.code, reason: cut(error.description),
      ...(error.debug ? { debug: cut(error.debug) } : {}), ...(extra.details && extra.details.length > 0 ? { details: extra.details.map(cut) } : {}),
      ...(extra.redirected !== undefined ? { redirected: extra.redirected } : {}),
    },
  }, ctx.now()).catch((failure: unknown) => request.log.warn({ err: failure }, 'could not record the diagnostic event'));
}

/** The RFC 6749 §5.2 JSON body with the request id (so a developer can quote it), never cached. */
function sendJson(reply: FastifyReply, status: number, body: Record<string, string>): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').send({ ...body, request_id: reply.request.id });
}

/** Logs the error once (with the request id) and sends the RFC 6749 §5.2 JSON body. */
function sendJsonError(error: OAuthError, request: FastifyRequest, reply: FastifyReply, quietLevel?: 'debug'): FastifyReply {
  logError(request, error, {}, quietLevel);
  if (error.basicChallenge) reply.header('www-authenticate', 'Basic realm="latchkey", charset="UTF-8"');
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  if (error.dpopNonce !== undefined) reply.header('dpop-nonce', error.dpopNonce);
  const description = error.status >= 500 ? `${error.description} (request id ${request.id})` : error.description;
  return sendJson(reply, error.status, { error: error.code, error_description: safeDescription(description) });
}

/** No route for this method and path (answered in the JSON shape of every other error). */
export function sendNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const description = `no such endpoint: ${request.method} ${request.url.split('?')[0]}`;
  request.log.info({ error: 'not_found' }, 'no such endpoint');
  return sendJson(reply, 404, { error: 'not_found', error_description: safeDescription(description) });
}

/**
 * Authorization endpoint errors (RFC 6749 §4.1.2.1, RFC 9207): redirected to the client with error,
 * error_description, state and iss when the client and redirect URI were validated; otherwise an HTML page that
 * never redirects. In production the page says what kind of problem it was and nothing about the registration.
 */
export function sendAuthorizationError(failure: AuthorizationFailure, ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = toOAuthError(failure.reason);
  const answered = failure.target ? (failure.target.responseMode === 'form_post' ? 200 : 303) : error.status >= 500 ? error.status : 400;
  logError(request, error, { redirected: failure.target !== undefined, details: [...failure.received, ...failure.developerDetails], page: true, status: answered });
  if (failure.target) {
    return sendBrowserResponse(reply, authorizationResponse(errorResponse(ctx.config.issuer, failure.target, error, request.id), failure.cookies));
  }
  if (failure.cookies.length > 0) reply.header('set-cookie', failure.cookies);
  const description = error.status >= 500 ? 'Something went wrong on our side.' : `${error.description}.`;
  const page = errorPage({
    title: error.status >= 500 ? 'Sign-in is unavailable' : 'The application sent an invalid sign-in request',
    message: `${description} (${error.code}) Contact the application's developer if this keeps happening.`,
    // In dev mode what was received, what is registered and how they differ. In production nothing: no echo of
    // request values (content spoofing on our origin) and nothing of the registration; the log and
    // `latchkey explain <request id>` (shown on the page) give the operator both.
    details: ctx.config.dev ? [...failure.received, ...failure.developerDetails] : [],
    requestId: request.id,
  });
  return sendPage(reply, error.status >= 500 ? error.status : 400, page);
}

/**
 * RFC 6750 §3: Bearer errors in WWW-Authenticate; without any credentials, only the challenge (§3.1). A request that
 * used the DPoP scheme gets a DPoP challenge with the accepted proof algorithms (RFC 9449 §7.1).
 */
export function sendBearerError(error: OAuthError, request: FastifyRequest, reply: FastifyReply, options: { credentialsPresented: boolean; scheme?: 'Bearer' | 'DPoP' }): FastifyReply {
  logError(request, error);
  const quoted = (v: string) => `"${safeDescription(v)}"`;
  const challenge = options.scheme === 'DPoP' ? [`DPoP realm="latchkey", algs="${DPOP_ALGORITHMS.join(' ')}"`] : ['Bearer realm="latchkey"'];
  if (options.credentialsPresented || error.code !== 'invalid_token') {
    challenge.push(`error=${quoted(error.code)}`, `error_description=${quoted(error.description)}`);
    if (error.code === 'insufficient_scope') challenge.push('scope="openid"');
  }
  if (error.status === 401 || error.status === 403 || error.status === 400) reply.header('www-authenticate', challenge.join(', '));
  const description = error.status >= 500 ? `${error.description} (request id ${request.id})` : error.description;
  if (!options.credentialsPresented && error.code === 'invalid_token') {
    return reply.code(error.status).header('cache-control', 'no-store').header('pragma', 'no-cache').send({});
  }
  return sendJson(reply, error.status, { error: error.code, error_description: safeDescription(description) });
}

/**
 * The account pages (a signed-in user's own requests, no client to redirect to): an error page that says what kind
 * of problem it was, and for our own failures only that it was ours.
 */
export function sendAccountPageError(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = toOAuthError(thrown);
  logError(request, error);
  const ours = error.status >= 500;
  return sendPage(reply, error.status, errorPage({
    title: ours ? 'Something went wrong' : 'The request could not be handled',
    message: ours ? 'Please try again in a moment.' : error.description,
    requestId: request.id,
  }));
}

/** Runs a browser-facing endpoint and sends its answer; whatever it throws goes to `onError`. */
export async function respondToBrowser(request: FastifyRequest, reply: FastifyReply, work: () => Promise<BrowserResponse>,
  onError: (thrown: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply): Promise<FastifyReply> {
  try {
    return sendBrowserResponse(reply, await work());
  } catch (error) {
    return onError(error, request, reply);
  }
}

/** respondToBrowser with errors shown on the account page's frame (the account and device routes). */
export const respondOnAccountPages = (request: FastifyRequest, reply: FastifyReply, work: () => Promise<BrowserResponse>): Promise<FastifyReply> =>
  respondToBrowser(request, reply, work, sendAccountPageError);
