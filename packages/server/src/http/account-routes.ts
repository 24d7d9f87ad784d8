// Routes of the account page. Thin: parse, call endpoints/account.ts, reply (303 after every POST); errors go through
// http/error-response.ts.
import type { FastifyInstance } from 'fastify';
import type { CsrfTokens } from '../browser/csrf.ts';
import {
  addPasskey, changePassword, confirmTotp, deletePasskey, deleteTotp, removePassword, revokeApp, showAccount, signOut, signOutSessions, startTotp, submitAccountLogin,
  submitAccountPasskeyLogin, submitAccountSecondFactor,
} from '../endpoints/account.ts';
import type { ServerContext } from '../server-context.ts';
import { browserRequest } from './browser-response.ts';
import { respondOnAccountPages as respond } from './error-response.ts';
import { PATHS } from './paths.ts';

export function registerAccountRoutes(app: FastifyInstance, ctx: ServerContext, csrf: CsrfTokens): void {
  app.get<{ Querystring: { revoked?: unknown; done?: unknown; reauth?: unknown } }>(PATHS.account, (request, reply) => {
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const query = { revoked: text(request.query.revoked), done: text(request.query.done), reauth: request.query.reauth === '1' };
    return respond(request, reply, () => showAccount(ctx, csrf, browserRequest(request), query));
  });
  app.post(PATHS.accountLogin, (request, reply) => respond(request, reply, () => submitAccountLogin(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountRevoke, (request, reply) => respond(request, reply, () => revokeApp(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountSignOut, (request, reply) => respond(request, reply, () => signOut(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountSessionsSignOut, (request, reply) => respond(request, reply, () => signOutSessions(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountPasskeyLogin, (request, reply) => respond(request, reply, () => submitAccountPasskeyLogin(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountPasskeyAdd, (request, reply) => respond(request, reply, () => addPasskey(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountPasskeyRemove, (request, reply) => respond(request, reply, () => deletePasskey(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountSecondFactor, (request, reply) => respond(request, reply, () => submitAccountSecondFactor(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountTotpStart, (request, reply) => respond(request, reply, () => startTotp(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountTotpConfirm, (request, reply) => respond(request, reply, () => confirmTotp(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountTotpRemove, (request, reply) => respond(request, reply, () => deleteTotp(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountPasswordChange, (request, reply) => respond(request, reply, () => changePassword(ctx, csrf, browserRequest(request))));
  app.post(PATHS.accountPasswordRemove, (request, reply) => respond(request, reply, () => removePassword(ctx, csrf, browserRequest(request))));
}
