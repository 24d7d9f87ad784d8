// Response headers every answer carries: no sniffing, no framing, no referrer leaks (RFC 9700 §4.16, §4.2.4).
// Set once per request in a synchronous hook; HTML pages replace the CSP with their own.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export type SecurityHeaderSetter = (request: FastifyRequest, reply: FastifyReply) => void;

/** Sets the headers on one answer (also used for framework errors, which no hook sees). */
export function securityHeaderSetter(options: { https: boolean }): SecurityHeaderSetter {
  const fixed: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': API_CSP,
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
  return (request, reply) => {
    reply.headers(fixed);
    reply.header('x-request-id', request.id);
  };
}

export function registerSecurityHeaders(app: FastifyInstance, set: SecurityHeaderSetter): void {
  app.addHook('onRequest', (request, reply, done) => {
    set(request, reply);
    done();
  });
}
