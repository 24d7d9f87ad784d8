// Fastify adapter: authenticates requests per RFC 6750 §2 and answers failures per RFC 6750 §3.
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTokenClaims, BearerErrorResponse, Verifier } from '../index.ts';
import { authenticateRequest, RESOURCE_METADATA_HEADERS, resourceMetadataOf, scopeCheck } from './bearer-guard.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Verified access-token claims, set by fastifyBearer; null before authentication. */
    auth: AccessTokenClaims | null;
  }
}

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

function sendRefusal(reply: FastifyReply, refusal: BearerErrorResponse): FastifyReply {
  reply.code(refusal.status).headers(refusal.headers);
  return refusal.body === undefined ? reply.send() : reply.send(refusal.body);
}

/** Keeps repeated fields as arrays (so a repeated access_token is detected) on a prototype-less object. */
function parseForm(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = fields[name];
    fields[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return fields;
}

/**
 * Plugin that authenticates every route of the scope it is registered in (it is not encapsulated, like
 * fastify-plugin). Runs at preValidation so RFC 6750 §2.2 form-body tokens are visible; adds a form parser
 * if the app has none. Failures are answered here; success sets `request.auth`.
 */
export function fastifyBearer(verifier: Verifier): FastifyPluginCallback {
  const plugin: FastifyPluginCallback = (fastify, _options, done) => {
    if (!fastify.hasRequestDecorator('auth')) fastify.decorateRequest('auth', null);
    if (!fastify.hasContentTypeParser(FORM_MEDIA_TYPE)) {
      fastify.addContentTypeParser(FORM_MEDIA_TYPE, { parseAs: 'string' }, (_request, body, parsed) => {
        parsed(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
      });
    }
    fastify.addHook('preValidation', async (request, reply) => {
      const outcome = await authenticateRequest(verifier, request);
      if (outcome.refusal !== undefined) return sendRefusal(reply, outcome.refusal);
      request.auth = outcome.claims;
    });
    done();
  };
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  Object.defineProperty(plugin, Symbol.for('fastify.display-name'), { value: '@latchkey/resource' });
  return plugin;
}

/** Route-level preHandler requiring every scope in `scopes`: 403 insufficient_scope with the `scope` attribute otherwise. */
export function fastifyRequireScopes(scopes: readonly string[]): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const check = scopeCheck(scopes);
  return async (request, reply) => {
    const outcome = check(request, request.auth);
    return outcome.refusal === undefined ? undefined : sendRefusal(reply, outcome.refusal);
  };
}

/**
 * Plugin serving the RFC 9728 protected resource metadata at its well-known path (RFC 9728 §3.1, path inserted for
 * a resource with a path). Register it on the root instance, outside the protected scope: it needs no token.
 */
export function fastifyProtectedResourceMetadata(verifier: Verifier): FastifyPluginCallback {
  const metadata = resourceMetadataOf(verifier);
  const body = JSON.stringify(metadata.document);
  const plugin: FastifyPluginCallback = (fastify, _options, done) => {
    fastify.get(metadata.path, async (_request, reply) => reply.headers(RESOURCE_METADATA_HEADERS).send(body));
    done();
  };
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return plugin;
}
