// CORS for the token endpoint only (Fetch standard §3.2; OAuth 2.1 §7.4.3 / RFC 9700 for browser-based apps):
// a public client's single-page app may call it from the origin of one of its registered redirect URIs.
// The authorization endpoint, the pages and everything else get no CORS headers at all.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redirectOrigins } from '../clients/client-directory.ts';
import type { ServerContext } from '../server-context.ts';
import { FormParams } from '../oauth/form-params.ts';
import { PATHS } from './paths.ts';

function originOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin : undefined;
}

function allow(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-expose-headers', 'www-authenticate, x-request-id');
}

export function registerTokenCors(app: FastifyInstance, ctx: ServerContext): void {
  // Preflight: allowed when any public client registered a redirect URI at this origin.
  app.options(PATHS.token, async (request, reply) => {
    reply.header('vary', 'origin');
    const origin = originOf(request);
    if (origin && (await ctx.clients.publicClientOrigins()).has(origin)) {
      allow(reply, origin);
      reply.header('access-control-allow-methods', 'POST');
      reply.header('access-control-allow-headers', 'content-type');
      reply.header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  });

  // The response itself (success or error): readable only by the origin of the public client named in the body.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.method !== 'POST' || request.routeOptions.url !== PATHS.token) return done(null, payload);
    reply.header('vary', 'origin');
    const origin = originOf(request);
    // Requests without Origin (servers, the common case) finish synchronously.
    if (!origin || !(request.body instanceof FormParams)) return done(null, payload);
    let clientId: string | undefined;
    try {
      clientId = request.body.get('client_id');
    } catch {
      return done(null, payload);
    }
    if (clientId === undefined) return done(null, payload);
    ctx.clients.get(clientId).then((client) => {
      if (client?.isPublic && redirectOrigins(client).includes(origin)) allow(reply, origin);
      done(null, payload);
    }, (error: unknown) => done(error as Error));
  });
}
