// `@latchkey/server/internal`: the server's wiring for this repository's examples, bench and tests. It resolves only
// under the workspace's `latchkey-source` condition and is not in the published package (docs/decisions.md).
export * from './index.ts';
export { openStore, parseDatabaseUrl, DEFAULT_DATABASE_URL } from './store/open-store.ts';
export type { Store } from './store/store.ts';
export type { ServerContext } from './server-context.ts';
export { registerClient, rotateClientSecret, RegistrationError, type RegisterClientInput, type RegisteredClient } from './clients/register-client.ts';
export { registerApi, type RegisterApiInput } from './apis/register-api.ts';
export { addApiIntrospector, removeApiIntrospector } from './apis/api-introspectors.ts';
export { addApiExchanger, removeApiExchanger } from './apis/api-exchangers.ts';
export { addUser, setPassword, type AddUserInput } from './accounts/user-accounts.ts';
