// @latchkey/resource/fastify: the Fastify adapter (RFC 6750 bearer tokens on a Fastify scope, scope checks per route).
export { fastifyBearer, fastifyProtectedResourceMetadata, fastifyRequireScopes } from './adapters/fastify-bearer.ts';
