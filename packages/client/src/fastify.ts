// @latchkey/client/fastify: the Fastify adapter (BFF routes per the IETF browser-based-apps BCP §6.1).
export { fastifyBff } from './adapters/fastify-plugin.ts';
export type { FastifyBffOptions, FastifyBffGuards } from './adapters/fastify-plugin.ts';
export type { LatchkeyRequestContext, LatchkeyRoutes } from './adapters/node-http-bridge.ts';
