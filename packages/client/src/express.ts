// @latchkey/client/express: the Express adapter (BFF routes per the IETF browser-based-apps BCP §6.1).
export { latchkeyExpress } from './adapters/express-router.ts';
export type { ExpressLatchkey } from './adapters/express-router.ts';
