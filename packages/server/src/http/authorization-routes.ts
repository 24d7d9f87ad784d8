// Routes of the browser-facing part: the authorization endpoint (GET and POST), the login and consent steps,
// and UserInfo. Thin: parse, call the endpoint, reply; errors go through http/error-response.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationFailure } from '../authorization/authorization-failure.ts';
import type { CsrfTokens } from '../browser/csrf.ts';
import { handleAuthorize } from '../endpoints/authorize.ts';
import { confirmEndSession, handleEndSession } from '../endpoints/end-session.ts';
import type { BrowserResponse } from '../endpoints/browser-exchange.ts';
import { showInteraction, submitConsent, submitLogin, submitPasskey, submitSecondFactor } from '../endpoints/interaction.ts';
import { handleUserinfo, presentedToken, type PresentedToken } from '../endpoints/userinfo.ts';
import { InvalidToken } from '../oauth/errors.ts';
import { FormParams } from '../oauth/form-params.ts';
import type { ServerContext } from '../server-context.ts';
import { browserRequest } from './browser-response.ts';
import { respondToBrowser, sendAccountPageError, sendAuthorizationError, sendBearerError, toOAuthError } from './error-response.ts';
import { PATHS } from './paths.ts';

function rawQuery(request: FastifyRequest): string {
  const at = request.url.indexOf('?');
  return at < 0 ? '' : request.url.slice(at + 1);
}

function bodyParams(request: FastifyRequest): FormParams {
  return request.body instanceof FormParams ? request.body : FormParams.parse('');
}

function respond(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, work: () => Promise<BrowserResponse>): Promise<FastifyReply> {
  return respondToBrowser(request, reply, work, (thrown) =>
    sendAuthorizationError(thrown instanceof AuthorizationFailure ? thrown : new AuthorizationFailure(thrown, undefined), ctx, request, reply));
}

export function registerAuthorizationRoutes(app: FastifyInstance, ctx: ServerContext, csrf: CsrfTokens): void {

  // The query is parsed from the raw URL with the same rules as form bodies (repeats kept, so they can be refused).
  // HEAD is not an authorization request (it would start interactions nobody sees).
  app.get(PATHS.authorization, { exposeHeadRoute: false }, (request, reply) =>
    respond(ctx, request, reply, () => handleAuthorize(ctx, browserRequest(request, FormParams.parse(rawQuery(request))))));
  app.post(PATHS.authorization, (request, reply) =>
    respond(ctx, request, reply, () => handleAuthorize(ctx, browserRequest(request, bodyParams(request)))));

  app.get<{ Params: { id: string } }>(PATHS.interaction, { exposeHeadRoute: false }, (request, reply) =>
    respond(ctx, request, reply, () => showInteraction(ctx, csrf, browserRequest(request, FormParams.parse('')), request.params.id)));
  app.post<{ Params: { id: string } }>(PATHS.interactionLogin, (request, reply) =>
    respond(ctx, request, reply, () => submitLogin(ctx, csrf, browserRequest(request, bodyParams(request)), request.params.id)));
  app.post<{ Params: { id: string } }>(PATHS.interactionPasskey, (request, reply) =>
    respond(ctx, request, reply, () => submitPasskey(ctx, csrf, browserRequest(request, bodyParams(request)), request.params.id)));
  app.post<{ Params: { id: string } }>(PATHS.interactionSecondFactor, (request, reply) =>
    respond(ctx, request, reply, () => submitSecondFactor(ctx, csrf, browserRequest(request, bodyParams(request)), request.params.id)));
  app.post<{ Params: { id: string } }>(PATHS.interactionConsent, (request, reply) =>
    respond(ctx, request, reply, () => submitConsent(ctx, csrf, browserRequest(request, bodyParams(request)), request.params.id)));

  // RP-Initiated Logout 1.0 §2: GET and POST. Errors are pages (never a redirect).
  app.get(PATHS.endSession, { exposeHeadRoute: false }, (request, reply) =>
    respondToBrowser(request, reply, () => handleEndSession(ctx, csrf, browserRequest(request, FormParams.parse(rawQuery(request)))), sendAccountPageError));
  app.post(PATHS.endSession, (request, reply) =>
    respondToBrowser(request, reply, () => handleEndSession(ctx, csrf, browserRequest(request, bodyParams(request))), sendAccountPageError));
  app.post(PATHS.endSessionConfirm, (request, reply) =>
    respondToBrowser(request, reply, () => confirmEndSession(ctx, csrf, browserRequest(request, bodyParams(request))), sendAccountPageError));

  const userinfo = async (request: FastifyRequest, reply: FastifyReply) => {
    const input = {
      authorization: request.headers.authorization, body: request.body instanceof FormParams ? request.body : undefined,
      method: request.method, dpop: request.headers.dpop,
    };
    let presented: PresentedToken | undefined;
    try {
      presented = presentedToken(input);
      if (presented === undefined) return sendBearerError(new InvalidToken('an access token is required'), request, reply, { credentialsPresented: false });
      const claims = await handleUserinfo(ctx, presented, input);
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(claims);
    } catch (error) {
      return sendBearerError(toOAuthError(error), request, reply, { credentialsPresented: true, scheme: presented?.scheme ?? 'Bearer' });
    }
  };
  app.get(PATHS.userinfo, userinfo);
  app.post(PATHS.userinfo, userinfo);
}
