// An operator's block of a client (any client, typically one nobody vetted): while blocked it can neither start an
// authorization (/authorize shows a page) nor authenticate at /token, /introspect, /revoke; blocking also revokes
// every grant it holds, so its refresh tokens stop at once and its access tokens fail introspection (self-contained
// access tokens already issued run out within accessTokenTtl). Unblocking restores nothing: users sign in again.
import type { AuditStore } from '../store/audit-store.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { ClientStore } from '../store/client-store.ts';
import type { GrantStore } from '../store/grant-store.ts';
import { RegistrationError } from './register-client.ts';

type BlockStore = ClientStore & GrantStore & CacheVersionStore & AuditStore;

/** Blocks the client; returns how many grants were revoked. */
export async function blockClient(store: BlockStore, clientId: string, now: number): Promise<number> {
  if (!(await store.updateClientBlocked(clientId, now, now))) throw new RegistrationError(`no client with id ${clientId}`);
  const revoked = await store.revokeClientGrants(clientId, now);
  await store.bumpCacheVersion('clients');
  await store.recordAuditEvent({ type: 'client.blocked', clientId, detail: { grants_revoked: revoked } }, now);
  return revoked;
}

export async function unblockClient(store: BlockStore, clientId: string, now: number): Promise<void> {
  if (!(await store.updateClientBlocked(clientId, null, now))) throw new RegistrationError(`no client with id ${clientId}`);
  await store.bumpCacheVersion('clients');
  await store.recordAuditEvent({ type: 'client.unblocked', clientId }, now);
}
