// What clients nobody vetted (RFC 7591 dynamic registration, client ID metadata documents) may do, beyond what
// operator-registered clients may: the scopes they may request (the operator's `unvettedClientScopes`: scope names or
// API identifiers, empty meaning any known scope; the scope they registered is recorded, not a limit, since MCP
// step-up asks for scopes a client could not know when it registered; decisions.md 2026-11-29), and how
// the consent page names them (their host, "not verified by <operator>"; MCP 2025-11-25 security considerations).
import type { ScopeInfo } from '../apis/scope-catalog.ts';
import type { ServerConfig } from '../config/config.ts';
import type { ClientRecord } from '../store/records.ts';
import { isMetadataDocumentClientId } from './client-metadata-document.ts';

export function isUnvetted(client: ClientRecord): boolean {
  return client.registration !== 'operator';
}

/** Whether the operator's allow-list for unvetted clients admits this scope (a listed scope, or a scope of a listed API). */
export function unvettedMayRequest(config: Pick<ServerConfig, 'unvettedClientScopes'>, scope: ScopeInfo): boolean {
  const allowed = config.unvettedClientScopes.split(' ').filter((s) => s !== '');
  return allowed.length === 0 || allowed.includes(scope.name) || (scope.api !== null && allowed.includes(scope.api));
}

/** Whether `client` may request the known scope `scope` (operator clients: their registered list). */
export function clientMayRequest(config: Pick<ServerConfig, 'unvettedClientScopes'>, client: ClientRecord, scope: ScopeInfo): boolean {
  if (!isUnvetted(client)) return client.scopes.includes(scope.name);
  return unvettedMayRequest(config, scope);
}

/** The host name the consent page shows for an unvetted client: the client_id URL's, else client_uri's, else the first web redirect URI's. */
export function unvettedClientHost(client: ClientRecord): string {
  const candidates = [isMetadataDocumentClientId(client.id) ? client.id : undefined, client.clientUri ?? undefined, ...client.redirectUris];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.hostname;
    } catch {
      // not a URL: try the next
    }
  }
  return 'an unknown site';
}

/**
 * What the login and consent pages show about an unvetted client (MCP 2025-11-25 "Client ID Metadata Document
 * Security"): its host, the host the answer goes to (MUST be displayed), and whether that is the user's own machine
 * (a loopback redirect URI, which anyone claiming the client's identity could also use: a warning SHOULD be shown).
 */
export function unverifiedClient(client: ClientRecord, redirectUri: string, operatorName: string): UnverifiedClientView {
  let redirectHost = redirectUri;
  try {
    const url = new URL(redirectUri);
    redirectHost = url.protocol === 'http:' || url.protocol === 'https:' ? url.host : url.protocol.slice(0, -1);
  } catch {
    // shown as registered
  }
  const loopback = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)([:/]|$)/.test(redirectUri);
  return { host: unvettedClientHost(client), operatorName, redirectHost, redirectIsLocal: loopback };
}

export interface UnverifiedClientView {
  host: string;
  operatorName: string;
  redirectHost: string;
  redirectIsLocal: boolean;
}
