// @latchkey/resource/express: the Express adapter (RFC 6750 bearer-token middleware, scope checks per route).
export { expressBearer, expressProtectedResourceMetadata, expressRequireScopes } from './adapters/express-bearer.ts';
