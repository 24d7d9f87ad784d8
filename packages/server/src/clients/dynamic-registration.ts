// RFC 7591 §2 client metadata, as a client registering itself sends it, validated into an unvetted client record.
// Redirect URIs follow the application type (OpenID Connect Dynamic Client Registration §2, RFC 8252): "web" clients
// use https (http://localhost only in dev mode); "native" clients use loopback http (127.0.0.1, [::1], localhost; any
// port, RFC 8252 §7.3) or a private-use scheme that is a reverse domain name (§7.1). Without application_type, a
// client whose redirect URIs are all loopback or private-use is native, any other is web (decisions.md 2026-11-29).
import { hashSecret, randomSecret } from '../crypto/random.ts';
import type { ScopeCatalog } from '../apis/scope-catalog.ts';
import type { ServerConfig } from '../config/config.ts';
import { InvalidClientMetadata, InvalidRedirectUri } from '../oauth/errors.ts';
import { optionalHttpsUrl, optionalScope, optionalString } from './client-metadata-fields.ts';
import { isLoopbackHttp, redirectUriProblem } from '../oauth/redirect-uri.ts';
import type { ApplicationType, ClientRecord, GrantType } from '../store/records.ts';
import { unvettedMayRequest } from './unvetted-client-policy.ts';
import { selfAssertedClientKeys } from './client-keys.ts';

export type RegistrationAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
const AUTH_METHODS: readonly string[] = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] satisfies RegistrationAuthMethod[];

export interface ValidatedRegistration {
  /** Everything but the identity fields (id, created/updated times, secret, registration token). */
  metadata: Pick<ClientRecord, 'name' | 'isPublic' | 'redirectUris' | 'grantTypes' | 'scopes' | 'clientUri' | 'logoUri' | 'applicationType' | 'jwks' | 'jwksUri'>;
  authMethod: RegistrationAuthMethod;
}

function isNativeRedirect(url: URL): boolean {
  if (url.protocol === 'http:') return isLoopbackHttp(url);
  return url.protocol !== 'https:';
}

function redirectProblem(uri: string, type: ApplicationType, dev: boolean): string | undefined {
  const general = redirectUriProblem(uri);
  if (general) return general;
  const url = new URL(uri);
  if (type === 'web') {
    if (url.protocol === 'https:') return undefined;
    if (dev && isLoopbackHttp(url)) return undefined;
    return `redirect URI ${uri}: a web client's redirect URIs must use https${dev ? ' (or http on localhost in dev mode)' : ''}; register a native client for loopback or private-use URIs`;
  }
  if (!isNativeRedirect(url)) return `redirect URI ${uri}: a native client's redirect URIs are loopback http (127.0.0.1, [::1]) or a private-use scheme such as com.example.app:/callback (RFC 8252 §7)`;
  return undefined;
}

const problem = (message: string) => new InvalidClientMetadata(message);

function stringList(body: Record<string, unknown>, name: string, fallback: string[], max: number): string[] {
  const value = body[name];
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'string')) throw new InvalidClientMetadata(`${name} must be an array of at most ${max} strings`);
  return [...new Set(value as string[])];
}

/** RFC 7591 §2 and §3.1: validates a registration request body (also an RFC 7592 §2.2 update). */
export function validateRegistration(body: unknown, config: Pick<ServerConfig, 'dev' | 'unvettedClientScopes'> & Partial<Pick<ServerConfig, 'clientMetadataDocumentsAllowPrivate'>>, catalog: Pick<ScopeCatalog, 'get'>): ValidatedRegistration {
  // A JSON object (JSON.parse gives plain objects; a form body parsed by the server's form parser is not one).
  if (!body || typeof body !== 'object' || Object.getPrototypeOf(body) !== Object.prototype) {
    throw new InvalidClientMetadata('the registration request must be a JSON object sent as application/json');
  }
  const b = body as Record<string, unknown>;
  if ('software_statement' in b) throw new InvalidClientMetadata('software statements are not supported; register without one');

  const method = b.token_endpoint_auth_method ?? 'client_secret_basic';
  if (typeof method !== 'string') throw new InvalidClientMetadata('token_endpoint_auth_method must be a string');
  if (!AUTH_METHODS.includes(method)) {
    throw new InvalidClientMetadata(`token_endpoint_auth_method "${method}" is not supported; use none, client_secret_basic, client_secret_post or private_key_jwt`);
  }
  // private_key_jwt (RFC 7523 §2.2): the keys come as jwks_uri (fetched through the SSRF guard) or inline jwks.
  const keys = selfAssertedClientKeys(b, method, config.clientMetadataDocumentsAllowPrivate ?? false, problem);

  const grantTypes = stringList(b, 'grant_types', ['authorization_code'], 2);
  for (const g of grantTypes) {
    if (g !== 'authorization_code' && g !== 'refresh_token') throw new InvalidClientMetadata(`grant type "${g}" is not available to self-registered clients (authorization_code and refresh_token are)`);
  }
  if (!grantTypes.includes('authorization_code')) throw new InvalidClientMetadata('grant_types must include authorization_code');
  const responseTypes = stringList(b, 'response_types', ['code'], 1);
  if (responseTypes.some((t) => t !== 'code')) throw new InvalidClientMetadata('response_types may only be ["code"]');

  const redirectUris = stringList(b, 'redirect_uris', [], 20);
  if (redirectUris.length === 0) throw new InvalidRedirectUri('redirect_uris is required: at least one redirect URI');
  const declared = b.application_type;
  if (declared !== undefined && declared !== 'web' && declared !== 'native') throw new InvalidClientMetadata('application_type must be "web" or "native"');
  const applicationType: ApplicationType = declared ?? (redirectUris.every((u) => URL.canParse(u) && isNativeRedirect(new URL(u))) ? 'native' : 'web');
  for (const uri of redirectUris) {
    const problem = redirectProblem(uri, applicationType, config.dev);
    if (problem) throw new InvalidRedirectUri(problem);
  }

  const scopes = optionalScope(b, problem);
  for (const s of scopes) {
    const known = catalog.get(s);
    if (!known) throw new InvalidClientMetadata(`scope "${s}" is unknown`);
    if (!unvettedMayRequest(config, known)) throw new InvalidClientMetadata(`scope "${s}" is not available to self-registered clients`);
  }
  const host = URL.canParse(redirectUris[0]!) ? new URL(redirectUris[0]!).hostname : '';
  return {
    authMethod: method as RegistrationAuthMethod,
    metadata: {
      name: optionalString(b, 'client_name', 200, problem) ?? (host || 'Unnamed application'), isPublic: method === 'none', redirectUris, grantTypes: grantTypes as GrantType[],
      scopes, clientUri: optionalHttpsUrl(b, 'client_uri', problem) ?? null, logoUri: optionalHttpsUrl(b, 'logo_uri', problem) ?? null, applicationType, ...keys,
    },
  };
}

/** A new client's secret (shown once) and its stored hash; none for a public or a private_key_jwt client. */
export function newClientSecret(withoutSecret: boolean): { secret: string | undefined; hash: string | null } {
  if (withoutSecret) return { secret: undefined, hash: null };
  const secret = randomSecret();
  return { secret, hash: hashSecret(secret) };
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the client's registered metadata as the response lists it. */
export function registeredMetadata(client: ClientRecord, authMethod?: RegistrationAuthMethod): Record<string, unknown> {
  return {
    client_id: client.id, client_id_issued_at: client.createdAt, redirect_uris: client.redirectUris, grant_types: client.grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: client.isPublic ? 'none' : client.jwks !== null || client.jwksUri !== null ? 'private_key_jwt' : authMethod ?? 'client_secret_basic',
    ...(client.jwksUri !== null ? { jwks_uri: client.jwksUri } : {}), ...(client.jwks !== null ? { jwks: JSON.parse(client.jwks) as unknown } : {}),
    application_type: client.applicationType ?? 'web', client_name: client.name,
    ...(client.clientUri ? { client_uri: client.clientUri } : {}), ...(client.logoUri ? { logo_uri: client.logoUri } : {}),
    ...(client.scopes.length > 0 ? { scope: client.scopes.join(' ') } : {}),
  };
}
