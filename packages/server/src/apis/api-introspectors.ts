// Which clients may introspect an API's tokens (RFC 7662 §2.2): the API's own confidential clients, named by the
// operator. A token's own client may always introspect it; nobody else learns anything about it.
import { RegistrationError } from '../clients/register-client.ts';
import type { ApiStore } from '../store/api-store.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { ClientStore } from '../store/client-store.ts';

/** An introspector must be a registered confidential client: introspection needs client authentication. */
export async function validateIntrospector(store: ClientStore, clientId: string): Promise<string> {
  const client = await store.getClient(clientId);
  if (!client) throw new RegistrationError(`no client with id ${clientId}`);
  if (client.isPublic) throw new RegistrationError(`client ${clientId} is public: an introspector must authenticate with a secret`);
  return client.id;
}

export async function addApiIntrospector(store: ClientStore & ApiStore & CacheVersionStore, identifier: string, clientId: string): Promise<void> {
  await validateIntrospector(store, clientId);
  if (!(await store.addApiIntrospector(identifier, clientId))) throw new RegistrationError(`no API with identifier ${identifier}`);
  await store.bumpCacheVersion('apis');
}

export async function removeApiIntrospector(store: ApiStore & CacheVersionStore, identifier: string, clientId: string): Promise<void> {
  if (!(await store.removeApiIntrospector(identifier, clientId))) throw new RegistrationError(`client ${clientId} is not an introspector of API ${identifier}`);
  await store.bumpCacheVersion('apis');
}
