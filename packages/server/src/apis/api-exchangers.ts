// Which clients may exchange a user's token for a token of an API (RFC 8693 token exchange): named by the operator per
// API, nobody by default. An exchanger is a confidential client registered for the token-exchange grant.
import { RegistrationError } from '../clients/register-client.ts';
import type { ApiStore } from '../store/api-store.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { ClientStore } from '../store/client-store.ts';
import { TOKEN_EXCHANGE } from '../store/records.ts';

export async function validateExchanger(store: ClientStore, clientId: string): Promise<string> {
  const client = await store.getClient(clientId);
  if (!client) throw new RegistrationError(`no client with id ${clientId}`);
  if (client.isPublic) throw new RegistrationError(`client ${clientId} is public: a token exchanger must authenticate with a secret`);
  if (!client.grantTypes.includes(TOKEN_EXCHANGE)) {
    throw new RegistrationError(`client ${clientId} is not registered for token exchange (latchkey client add --grant-type ${TOKEN_EXCHANGE})`);
  }
  return client.id;
}

export async function addApiExchanger(store: ClientStore & ApiStore & CacheVersionStore, identifier: string, clientId: string): Promise<void> {
  await validateExchanger(store, clientId);
  if (!(await store.addApiExchanger(identifier, clientId))) throw new RegistrationError(`no API with identifier ${identifier}`);
  await store.bumpCacheVersion('apis');
}

export async function removeApiExchanger(store: ApiStore & CacheVersionStore, identifier: string, clientId: string): Promise<void> {
  if (!(await store.removeApiExchanger(identifier, clientId))) throw new RegistrationError(`client ${clientId} is not a token exchanger of API ${identifier}`);
  await store.bumpCacheVersion('apis');
}
