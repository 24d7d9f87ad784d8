// CORS for the endpoints a single-page app (a public client) calls itself: /token, /revoke and /userinfo (Fetch
// standard §3.2 CORS protocol; OAuth 2.1 §7 / RFC 9700 §2.1 for browser-based apps). An origin qualifies when a public
// client registered a redirect URI there. Never with credentials (no cookies cross), and never on the browser-facing
// pages: /authorize, the interaction and account pages and everything else get no CORS headers at all.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redirectOrigins } from '../clients/client-directory.ts';
import type { ServerContext } from '../server-context.ts';
import { FormParams } from '../oauth/form-params.ts';
import { PATHS } from './paths.ts';

interface CorsEndpoint {
  path: string;
  methods: readonly string[];
  /** Request headers the preflight allows. */
  headers: string;
  /**
   * Who may read the response. `named-client`: only the origin of the public client named by `client_id` in the body
   * (/token, /revoke, where the client authenticates by its id). `public-origin`: any public client's origin, since
   * the bearer access token alone authorizes the request (/userinfo; the token names no origin a browser proves).
   */
  reader: 'named-client' | 'public-origin';
}

const CORS_ENDPOINTS: readonly CorsEndpoint[] = [
  { path: PATHS.token, methods: ['POST'], headers: 'content-type, dpop', reader: 'named-client' },
  { path: PATHS.revocation, methods: ['POST'], headers: 'content-type', reader: 'named-client' },
  { path: PATHS.userinfo, methods: ['GET', 'POST'], headers: 'authorization, content-type, dpop', reader: 'public-origin' },
];

function originOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== 'null' ? origin : undefined;
}

function allow(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-expose-headers', 'www-authenticate, x-request-id, dpop-nonce');
}

function namedClientId(body: unknown): string | undefined {
  if (!(body instanceof FormParams)) return undefined;
  try {
    return body.get('client_id');
  } catch {
    return undefined;
  }
}

async function mayRead(ctx: ServerContext, endpoint: CorsEndpoint, request: FastifyRequest, origin: string): Promise<boolean> {
  if (endpoint.reader === 'public-origin') return (await ctx.clients.publicClientOrigins()).has(origin);
  const clientId = namedClientId(request.body);
  if (clientId === undefined) return false;
  const client = await ctx.clients.get(clientId);
  return client !== undefined && client.isPublic && redirectOrigins(client).includes(origin);
}

export function registerCors(app: FastifyInstance, ctx: ServerContext): void {
  for (const endpoint of CORS_ENDPOINTS) {
    // Preflight: allowed when any public client registered a redirect URI at this origin.
    app.options(endpoint.path, async (request, reply) => {
      reply.header('vary', 'origin');
      const origin = originOf(request);
      if (origin && (await ctx.clients.publicClientOrigins()).has(origin)) {
        allow(reply, origin);
        reply.header('access-control-allow-methods', endpoint.methods.join(', '));
        reply.header('access-control-allow-headers', endpoint.headers);
        reply.header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    });
  }

  // The response itself (success or error).
  app.addHook('onSend', (request, reply, payload, done) => {
    const endpoint = CORS_ENDPOINTS.find((e) => e.path === request.routeOptions.url && e.methods.includes(request.method));
    if (!endpoint) return done(null, payload);
    reply.header('vary', 'origin');
    const origin = originOf(request);
    // Requests without Origin (servers, the common case) finish synchronously.
    if (!origin) return done(null, payload);
    mayRead(ctx, endpoint, request, origin).then((yes) => {
      if (yes) allow(reply, origin);
      done(null, payload);
    }, (error: unknown) => done(error as Error));
  });
}
