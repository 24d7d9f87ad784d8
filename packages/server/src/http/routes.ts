// Routes: thin adapters from HTTP to endpoint functions (parse, call, reply), registered at the paths of paths.ts.
// The browser-facing routes are in authorization-routes.ts and account-routes.ts.
import type { FastifyInstance } from 'fastify';
import { CsrfTokens } from '../browser/csrf.ts';
import { buildMetadata } from '../endpoints/discovery.ts';
import { handleIntrospection } from '../endpoints/introspect.ts';
import { checkReadiness } from '../endpoints/readiness.ts';
import { handlePushedAuthorizationRequest } from '../endpoints/pushed-authorization.ts';
import { handleRevocation } from '../endpoints/revoke.ts';
import { handleTokenRequest } from '../endpoints/token.ts';
import { InvalidRequest } from '../oauth/errors.ts';
import type { ServerContext } from '../server-context.ts';
import { registerAccountRoutes } from './account-routes.ts';
import { registerAuthorizationRoutes } from './authorization-routes.ts';
import { registerDeviceRoutes } from './device-routes.ts';
import { sendPage } from './browser-response.ts';
import { FormParams } from '../oauth/form-params.ts';
import { DISCOVERY_PATHS, PATHS } from './paths.ts';
import { registerCors } from './cors.ts';
import { registerRegistrationRoutes } from './registration-routes.ts';
import { homePage } from './views/home-page.ts';
import { PASSKEY_SCRIPT } from './assets/passkey-script.ts';
import { webauthnBrowserBundle } from './assets/webauthn-browser-bundle.ts';

/** The parsed form body, or an empty one when the request had none. */
const formBody = (body: unknown): FormParams => (body instanceof FormParams ? body : FormParams.parse(''));

export function registerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const path of DISCOVERY_PATHS) {
    app.get(path, async (_request, reply) => reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=300').send(buildMetadata(ctx)));
  }

  app.get(PATHS.jwks, async (_request, reply) =>
    reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(ctx.keys.jwks()));

  app.post(PATHS.token, async (request, reply) => {
    const result = await handleTokenRequest(ctx, {
      ip: request.ip,
      authorization: request.headers.authorization,
      body: formBody(request.body),
      queryNames: Object.keys(request.query as Record<string, unknown>),
      dpop: request.headers.dpop,
    });
    if (ctx.config.dpopNonceRequired) reply.header('dpop-nonce', ctx.dpopNonces.current(ctx.now()));
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(result);
  });
  // RFC 6749 §3.2: the token endpoint is POST only.
  app.route({
    method: ['GET', 'PUT', 'DELETE', 'PATCH'], url: PATHS.token,
    handler: async (_request, reply) => {
      reply.header('allow', 'POST');
      throw new InvalidRequest('the token endpoint accepts POST only', { status: 405 });
    },
  });

  // RFC 9126 §2.2: 201 Created, never cached.
  app.post(PATHS.pushedAuthorizationRequest, async (request, reply) => {
    const result = await handlePushedAuthorizationRequest(ctx, {
      ip: request.ip, authorization: request.headers.authorization, body: formBody(request.body),
      queryNames: Object.keys(request.query as Record<string, unknown>),
      dpop: request.headers.dpop,
    });
    if (ctx.config.dpopNonceRequired) reply.header('dpop-nonce', ctx.dpopNonces.current(ctx.now()));
    return reply.code(201).header('cache-control', 'no-store').send(result);
  });

  app.post(PATHS.introspection, async (request, reply) => {
    const result = await handleIntrospection(ctx, request.ip, request.headers.authorization, formBody(request.body));
    return reply.header('cache-control', 'no-store').send(result);
  });
  app.post(PATHS.revocation, async (request, reply) => {
    const outcome = await handleRevocation(ctx, request.ip, request.headers.authorization, formBody(request.body));
    if (!outcome.revoked) request.log.info({ debug: outcome.debug }, 'nothing revoked');
    return reply.header('cache-control', 'no-store').code(200).send();
  });

  registerCors(app, ctx);
  const csrf = new CsrfTokens(ctx.config.secret);
  registerAuthorizationRoutes(app, ctx, csrf);
  registerAccountRoutes(app, ctx, csrf);
  registerDeviceRoutes(app, ctx, csrf);
  registerRegistrationRoutes(app, ctx);

  app.get(PATHS.home, async (_request, reply) => {
    return sendPage(reply, 200, homePage({
      issuer: ctx.config.issuer, dev: ctx.config.dev, extraLinks: ctx.homeLinks,
      links: [
        { label: 'Your account', href: ctx.urls.account, description: 'your passkeys, authenticator app and password, and the apps connected to your account' },
        { label: 'Connect a device', href: ctx.urls.device, description: 'enter the code a TV or a command-line app shows you' },
        { label: 'OpenID Connect discovery', href: ctx.urls.discovery, description: 'what this server supports, for developers' },
        { label: 'Signing keys (JWKS)', href: ctx.urls.jwks, description: 'the public keys that verify its tokens' },
      ],
    }));
  });

  // The passkey pages' scripts: fixed files of this server (CSP script-src names their exact URLs).
  const script = (body: () => string) => async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body());
  app.get(PATHS.webauthnBrowserScript, script(webauthnBrowserBundle));
  app.get(PATHS.passkeyScript, script(() => PASSKEY_SCRIPT));

  app.get(PATHS.healthz, async () => ({ status: 'ok' }));
  app.get(PATHS.readyz, async (request, reply) => {
    const { status, checks, storeError } = await checkReadiness(ctx);
    if (status === 'ready') return { status, checks };
    request.log.warn({ err: storeError, checks }, 'not ready');
    return reply.code(503).header('cache-control', 'no-store').send({ status, checks });
  });
}
