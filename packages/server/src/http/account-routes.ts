// Routes of the account page. Thin: parse, call endpoints/account.ts, reply (303 after every POST).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNT_PATHS, revokeApp, showAccount, signOut, submitAccountLogin } from '../endpoints/account.ts';
import type { ServerContext } from '../server-context.ts';
import { sendBrowserResponse, sendPage, type BrowserRequest, type BrowserResponse } from './browser-response.ts';
import { parseCookies } from './cookies.ts';
import type { CsrfTokens } from './csrf.ts';
import { toOAuthError } from './error-response.ts';
import { FormParams } from './form-params.ts';
import { errorPage } from './views/error-page.ts';

function browserRequest(request: FastifyRequest): BrowserRequest {
  const params = request.body instanceof FormParams ? request.body : FormParams.parse('');
  return { params, cookies: parseCookies(request.headers.cookie), ip: request.ip, requestId: request.id };
}

async function respond(request: FastifyRequest, reply: FastifyReply, work: () => Promise<BrowserResponse>): Promise<FastifyReply> {
  try {
    return sendBrowserResponse(reply, await work());
  } catch (error) {
    const failure = toOAuthError(error);
    request.log[failure.status >= 500 ? 'error' : 'info']({ err: failure.cause ?? failure, error: failure.code }, failure.description);
    const title = failure.status >= 500 ? 'Something went wrong' : 'The request could not be handled';
    return sendPage(reply, failure.status, errorPage({ title, message: failure.status >= 500 ? 'Please try again in a moment.' : failure.description, requestId: request.id }));
  }
}

export function registerAccountRoutes(app: FastifyInstance, ctx: ServerContext, csrf: CsrfTokens): void {
  app.get<{ Querystring: { revoked?: string } }>(ACCOUNT_PATHS.page, (request, reply) =>
    respond(request, reply, () => showAccount(ctx, csrf, browserRequest(request), typeof request.query.revoked === 'string' ? request.query.revoked : undefined)));
  app.post(ACCOUNT_PATHS.login, (request, reply) => respond(request, reply, () => submitAccountLogin(ctx, csrf, browserRequest(request))));
  app.post(ACCOUNT_PATHS.revoke, (request, reply) => respond(request, reply, () => revokeApp(ctx, csrf, browserRequest(request))));
  app.post(ACCOUNT_PATHS.signOut, (request, reply) => respond(request, reply, () => signOut(ctx, csrf, browserRequest(request))));
}
