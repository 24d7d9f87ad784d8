// Routes of the device authorization grant (RFC 8628): the device authorization endpoint (JSON, like /token) and the
// verification page with its login and decision steps (pages). Thin: parse, call the endpoint, reply; errors go
// through http/error-response.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CsrfTokens } from '../browser/csrf.ts';
import { handleDeviceAuthorization } from '../endpoints/device-authorization.ts';
import { showDevicePage, submitDeviceDecision, submitDeviceLogin, submitUserCode } from '../endpoints/device-verification.ts';
import { InvalidRequest } from '../oauth/errors.ts';
import { FormParams } from '../oauth/form-params.ts';
import type { ServerContext } from '../server-context.ts';
import { browserRequest } from './browser-response.ts';
import { respondOnAccountPages as respond } from './error-response.ts';
import { PATHS } from './paths.ts';

const formBody = (body: unknown): FormParams => (body instanceof FormParams ? body : FormParams.parse(''));

/** The user_code of the query (verification_uri_complete), when given once. */
function queryUserCode(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown>).user_code;
  return typeof value === 'string' ? value : undefined;
}

export function registerDeviceRoutes(app: FastifyInstance, ctx: ServerContext, csrf: CsrfTokens): void {
  app.post(PATHS.deviceAuthorization, async (request, reply) => {
    const result = await handleDeviceAuthorization(ctx, request.ip, request.headers.authorization, formBody(request.body),
      Object.keys(request.query as Record<string, unknown>));
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(result);
  });
  // RFC 8628 §3.1: the client makes an HTTP POST request.
  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'], url: PATHS.deviceAuthorization,
    handler: async (_request, reply) => {
      reply.header('allow', 'POST');
      throw new InvalidRequest('the device authorization endpoint accepts POST only', { status: 405 });
    },
  });

  app.get(PATHS.device, { exposeHeadRoute: false }, (request, reply) =>
    respond(request, reply, () => showDevicePage(ctx, csrf, browserRequest(request), queryUserCode(request))));
  app.post(PATHS.device, (request, reply) => respond(request, reply, () => submitUserCode(ctx, csrf, browserRequest(request))));
  app.post(PATHS.deviceLogin, (request, reply) =>
    respond(request, reply, () => submitDeviceLogin(ctx, csrf, browserRequest(request), queryUserCode(request))));
  app.post(PATHS.deviceDecision, (request, reply) => respond(request, reply, () => submitDeviceDecision(ctx, csrf, browserRequest(request))));
}
