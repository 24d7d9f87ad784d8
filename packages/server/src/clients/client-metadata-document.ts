// OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, as MCP 2025-11-25 uses them): a
// client_id that is an https URL names a JSON document of the client's RFC 7591 §2 metadata. This module holds the
// rules for the URL (§3) and for the document (§4.1), and turns a valid document into the client record.
import { dynamicClientDefaults, optionalHttpsUrl, optionalScope, optionalString } from './client-metadata-fields.ts';
import { redirectUriProblem } from '../oauth/redirect-uri.ts';
import { selfAssertedClientKeys } from './client-keys.ts';
import type { ClientRecord, GrantType } from '../store/records.ts';

/** Why a URL or document is not acceptable, in one line a client developer can act on. */
export class MetadataDocumentProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataDocumentProblem';
  }
}

/** True when a client_id looks like a metadata document URL (it is then resolved as one, or refused). */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.startsWith('https://') || clientId.startsWith('http://');
}

/**
 * §3: https, a path, no dot segments, no fragment, no user info. `allowHttp` (development only) also accepts http.
 * Returns the parsed URL; the client_id itself is compared verbatim everywhere (never the normalised form).
 */
export function parseClientIdUrl(clientId: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    throw new MetadataDocumentProblem('the client_id is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) throw new MetadataDocumentProblem('a client_id URL must use https');
  if (clientId.includes('#')) throw new MetadataDocumentProblem('a client_id URL must not have a fragment');
  if (url.username || url.password) throw new MetadataDocumentProblem('a client_id URL must not contain a user name or password');
  const rawPath = clientId.slice(url.protocol.length + 2).replace(/^[^/?]*/, '').replace(/[?].*$/, '');
  if (rawPath.split('/').some((segment) => segment === '.' || segment === '..' || /^(%2e|\.){1,2}$/i.test(segment))) {
    throw new MetadataDocumentProblem('a client_id URL must not contain . or .. path segments');
  }
  if (url.pathname === '/' || url.pathname === '') throw new MetadataDocumentProblem('a client_id URL must have a path (e.g. https://app.example/oauth/client.json)');
  // Compared verbatim everywhere: only the normal form is accepted, so one document has exactly one client_id.
  if (url.href !== clientId) throw new MetadataDocumentProblem(`the client_id URL is not in its normal form (${url.href})`);
  return url;
}

const ALLOWED_GRANTS: readonly GrantType[] = ['authorization_code', 'refresh_token'];

const problem = (message: string) => new MetadataDocumentProblem(message);

/**
 * The redirect URI rule for clients nobody vetted (decisions.md 2026-11-29): an https redirect URI must be on the
 * client_id's own host (a document cannot send codes to someone else's web site); loopback http (RFC 8252 §7.3) and
 * private-use schemes (§7.1) reach only the user's own device and are allowed.
 */
function redirectUriOnClientHost(uri: string, clientHost: string): string | undefined {
  const problem = redirectUriProblem(uri);
  if (problem) return problem;
  const url = new URL(uri);
  if (url.protocol === 'https:' && url.hostname !== clientHost) {
    return `redirect URI ${uri} is on ${url.hostname}, not on the client_id's host ${clientHost}`;
  }
  return undefined;
}

/** A metadata document client is public ("none") or signs client assertions (private_key_jwt, RFC 7523 §2.2). */
export function unsupportedAuthMethodProblem(method: string): string | undefined {
  if (method === 'none' || method === 'private_key_jwt') return undefined;
  return `token_endpoint_auth_method "${method}" is not allowed: a metadata document client has no shared secret (use "none", or "private_key_jwt" with jwks_uri or jwks)`;
}

/**
 * §4.1: validates the fetched document against the URL it came from and builds the unvetted client: public, or
 * confidential with private_key_jwt and its keys (`allowPrivate`, development only, lets jwks_uri be http or private).
 */
export function clientFromMetadataDocument(clientId: string, body: string, now: number, allowPrivate = false): ClientRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new MetadataDocumentProblem('the metadata document is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new MetadataDocumentProblem('the metadata document must be a JSON object');
  const d = doc as Record<string, unknown>;
  // §4.1: the client_id in the document must equal the URL exactly (simple string comparison).
  if (d.client_id !== clientId) throw new MetadataDocumentProblem(`the document's client_id ${JSON.stringify(d.client_id)} is not the URL it was fetched from`);
  if ('client_secret' in d || 'client_secret_expires_at' in d) throw new MetadataDocumentProblem('a metadata document must not contain a client_secret');
  const method = d.token_endpoint_auth_method ?? 'none';
  if (typeof method !== 'string') throw new MetadataDocumentProblem('token_endpoint_auth_method must be a string');
  const authProblem = unsupportedAuthMethodProblem(method);
  if (authProblem) throw new MetadataDocumentProblem(authProblem);
  const keys = selfAssertedClientKeys(d, method, allowPrivate, problem);

  const host = new URL(clientId).hostname;
  const uris = d.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0 || uris.length > 20 || !uris.every((u) => typeof u === 'string')) {
    throw new MetadataDocumentProblem('redirect_uris must be a non-empty array of at most 20 strings');
  }
  for (const uri of uris as string[]) {
    const problem = redirectUriOnClientHost(uri, host);
    if (problem) throw new MetadataDocumentProblem(problem);
  }
  const grants = d.grant_types ?? ['authorization_code'];
  if (!Array.isArray(grants) || !grants.every((g) => typeof g === 'string' && (ALLOWED_GRANTS as readonly string[]).includes(g)) || !grants.includes('authorization_code')) {
    throw new MetadataDocumentProblem('grant_types must include authorization_code and may add only refresh_token');
  }
  const responseTypes = d.response_types ?? ['code'];
  if (!Array.isArray(responseTypes) || responseTypes.some((t) => t !== 'code')) throw new MetadataDocumentProblem('response_types may only be ["code"]');
  const scopes = optionalScope(d, problem);
  return {
    ...dynamicClientDefaults(),
    id: clientId, name: optionalString(d, 'client_name', 200, problem) ?? host, secretHash: null, isPublic: method === 'none',
    redirectUris: [...new Set(uris as string[])], grantTypes: [...new Set(grants as GrantType[])], scopes, ...keys,
    createdAt: now, updatedAt: now,
    clientUri: optionalHttpsUrl(d, 'client_uri', problem) ?? null, logoUri: optionalHttpsUrl(d, 'logo_uri', problem) ?? null, applicationType: null,
  };
}
