// Fastify adapter: login/callback/logout and back-channel logout routes, the API proxy, `request.latchkey`, and route guards (BFF routes per the IETF browser-based-apps BCP §6.1).
import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { LatchkeyClient } from '../index.ts';
import {
  guardResponse, requestContext, resolveRoutes, toWebRequest, wantsHtml, type LatchkeyRequestContext, type LatchkeyRoutes, type ResolvedRoutes,
} from './node-http-bridge.ts';

export interface FastifyBffGuards {
  /** preHandler: signed-in sessions only; pages are sent to login, API calls get 401 JSON. */
  requireLogin: preHandlerAsyncHookHandler;
  /** preHandler: the session must hold `scopes`; pages go through incremental authorization, API calls get 403 JSON. */
  requireScopes(scopes: readonly string[]): preHandlerAsyncHookHandler;
}

declare module 'fastify' {
  interface FastifyRequest {
    latchkey: LatchkeyRequestContext;
  }
  interface FastifyInstance {
    latchkey: FastifyBffGuards;
  }
}

export interface FastifyBffOptions extends LatchkeyRoutes {
  client: LatchkeyClient;
}

const PROXY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

async function sendWebResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status);
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') reply.header(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header('set-cookie', cookies);
  if (!response.body) return reply.send();
  return reply.send(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream));
}

function sendError(client: LatchkeyClient, reply: FastifyReply, request: FastifyRequest, error: unknown, routes: ResolvedRoutes): Promise<FastifyReply> {
  const response = client.errorResponse(error, { html: wantsHtml(request.method, request.headers), loginPath: routes.loginPath });
  // Name and message only: error causes from the OAuth layer can carry response bodies, which may hold tokens.
  if (response.status >= 500) request.log.error({ name: error instanceof Error ? error.name : typeof error }, `latchkey request failed: ${error instanceof Error ? error.message : ''}`);
  return sendWebResponse(reply, response);
}

function webRequest(client: LatchkeyClient, request: FastifyRequest, body?: Uint8Array | null): Request {
  return toWebRequest(client.appOrigin, request.method, request.raw.url ?? request.url, request.headers, body);
}

const plugin: FastifyPluginAsync<FastifyBffOptions> = async (fastify, options) => {
  const { client } = options;
  const routes = resolveRoutes(options);

  fastify.decorateRequest('latchkey', null as unknown as LatchkeyRequestContext);
  fastify.addHook('onRequest', async (request) => {
    request.latchkey = await requestContext(client, request.headers.cookie);
  });

  const guard = (scopes: readonly string[] | undefined): preHandlerAsyncHookHandler => async function latchkeyGuard(request, reply) {
    try {
      const response = await guardResponse(client, routes, { method: request.method, url: request.url, headers: request.headers, context: request.latchkey }, scopes);
      if (response) return sendWebResponse(reply, response);
    } catch (error) {
      return sendError(client, reply, request, error, routes);
    }
  };
  fastify.decorate('latchkey', { requireLogin: guard(undefined), requireScopes: (scopes: readonly string[]) => guard(scopes) });

  const handle = (action: (request: FastifyRequest) => Promise<Response>) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await sendWebResponse(reply, await action(request));
    } catch (error) {
      return sendError(client, reply, request, error, routes);
    }
  };
  fastify.get(routes.loginPath, handle((request) => client.login(webRequest(client, request))));
  fastify.get(client.callbackPath, handle((request) => client.callback(webRequest(client, request))));
  await fastify.register(async (logout) => {
    // Logout is usually an HTML form POST: accept any body type and ignore it.
    logout.removeAllContentTypeParsers();
    logout.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_request, _body, done) => done(null, undefined));
    logout.post(routes.logoutPath, handle((request) => client.logout(webRequest(client, request))));
  });

  await fastify.register(async (backchannel) => {
    // The provider's form POST: the raw body goes to the kit, which parses and bounds it.
    backchannel.removeAllContentTypeParsers();
    backchannel.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_request, body, done) => done(null, body));
    backchannel.post(routes.backchannelLogoutPath, handle((request) =>
      client.backchannelLogout(webRequest(client, request, Buffer.isBuffer(request.body) ? request.body : null))));
  });

  await fastify.register(async (proxy) => {
    // Bodies are forwarded as received: no JSON parsing on proxy routes.
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: routes.proxyBodyLimit }, (_request, body, done) => done(null, body));
    proxy.route({
      method: [...PROXY_METHODS],
      url: `${routes.proxyPrefix}/:upstream/*`,
      handler: handle(async (request) => {
        const { upstream } = request.params as { upstream: string };
        const rawPath = (request.raw.url ?? request.url).split('?')[0]!;
        const path = rawPath.slice(`${routes.proxyPrefix}/`.length).split('/').slice(1).join('/');
        const body = Buffer.isBuffer(request.body) ? request.body : null;
        return client.proxy(webRequest(client, request, body), upstream, path);
      }),
    });
  });
};

/** The Fastify plugin. Register once at the root: `app.register(fastifyBff, { client })`. */
export const fastifyBff: FastifyPluginAsync<FastifyBffOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@latchkey/client',
});
