// @latchkey/server public API.
export { createServer, type CreateServerOptions } from './http/app.ts';
export { resolveConfig, configFromEnv, configFromFile, ConfigError, DEFAULTS, type ServerConfig, type ConfigInput } from './config/config.ts';
export { openStore, parseDatabaseUrl, DEFAULT_DATABASE_URL } from './store/open-store.ts';
export type { Store } from './store/store.ts';
export type { ServerContext } from './server-context.ts';
export { registerClient, rotateClientSecret, RegistrationError, type RegisterClientInput, type RegisteredClient } from './clients/register-client.ts';
export { registerApi, type RegisterApiInput } from './apis/register-api.ts';
export { addApiIntrospector, removeApiIntrospector } from './apis/api-introspectors.ts';
export { addUser, setPassword, type AddUserInput } from './accounts/user-accounts.ts';
