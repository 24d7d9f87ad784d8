// The scope a user's authorization asks for (RFC 6749 §3.3, OpenID Connect Core §11 for offline_access), with one rule
// for the authorization endpoint and the device authorization endpoint (RFC 8628 §3.1): at least one scope, every
// scope known, and each one the client may request (an unvetted client: what the operator allows such clients).
import type { ScopeCatalog } from '../apis/scope-catalog.ts';
import { clientMayRequest } from '../clients/unvetted-client-policy.ts';
import type { ServerConfig } from '../config/config.ts';
import { InvalidScope } from '../oauth/errors.ts';
import { applyOfflineAccess, parseScope } from '../oauth/scope.ts';
import type { ClientRecord } from '../store/records.ts';

export function requestedUserScopes(
  config: Pick<ServerConfig, 'unvettedClientScopes'>, catalog: ScopeCatalog, client: ClientRecord, scope: string | undefined,
): string[] {
  const offline = applyOfflineAccess(parseScope(scope), client.grantTypes);
  const scopes = offline.scopes;
  if (scopes.length === 0) throw new InvalidScope('the request has no scope: ask for at least one (for example "openid")');
  for (const s of scopes) {
    const known = catalog.get(s);
    if (!known) throw new InvalidScope(`scope "${s}" is unknown`);
    if (!clientMayRequest(config, client, known) && !offline.allowed(s)) throw new InvalidScope(`the client is not allowed to request scope "${s}"`);
  }
  return scopes;
}
