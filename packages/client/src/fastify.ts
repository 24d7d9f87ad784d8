// @latchkey/client/fastify: the Fastify adapter (BFF routes per the IETF browser-based-apps BCP §6.1).
export { latchkeyFastify } from './adapters/fastify-plugin.ts';
export type { FastifyLatchkeyOptions, LatchkeyFastifyGuards } from './adapters/fastify-plugin.ts';
