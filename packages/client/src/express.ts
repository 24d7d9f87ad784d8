// @latchkey/client/express: the Express adapter (BFF routes per the IETF browser-based-apps BCP §6.1).
export { expressBff } from './adapters/express-router.ts';
export type { ExpressBff } from './adapters/express-router.ts';
export type { LatchkeyRequestContext, LatchkeyRoutes } from './adapters/node-http-bridge.ts';
