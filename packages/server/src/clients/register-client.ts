// Client registration and secret rotation (used by the CLI): validates everything before one insert.
import { hashSecret, randomId, randomSecret } from '../crypto/random.ts';
import { clientLifetimeProblem } from './client-lifetimes.ts';
import { redirectUriProblem } from '../oauth/redirect-uri.ts';
import { ClientKeysError, jwksUriProblem, parsePublicJwks } from './client-keys.ts';
import { applyProfile, type ProfileSettings } from './client-profile.ts';
import { isOidcScope, parseScope } from '../oauth/scope.ts';
import type { ApiStore } from '../store/api-store.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { ClientLogoutSettings, ClientStore } from '../store/client-store.ts';
import { CLIENT_PROFILES, DEVICE_CODE_GRANT_TYPE, GRANT_TYPES, SIGNING_ALGS, TOKEN_EXCHANGE, type ClientLifetimes, type ClientProfile, type ClientRecord, type ClientRegistration, type GrantType, type SigningAlg } from '../store/records.ts';

export interface RegisterClientInput {
  name: string;
  redirectUris?: string[];
  grantTypes?: string[];
  scope?: string;
  isPublic?: boolean;
  /** Confidential clients only: allow authorization requests without PKCE (not recommended). */
  allowWithoutPkce?: boolean;
  idTokenAlg?: string;
  /** 'operator' (default: the CLI and embedding code) or 'dynamic' for clients nobody vetted. */
  registration?: ClientRegistration;
  /** Keep the scope claims out of the ID token: UserInfo only (default: in the ID token too). */
  userinfoOnlyClaims?: boolean;
  /** The client's own lifetimes and refresh grace window, in seconds (absent: the server's settings). */
  lifetimes?: Partial<ClientLifetimes>;
  /** RP-Initiated Logout 1.0 §3.1: where the browser may go after logout (exact match). */
  postLogoutRedirectUris?: string[];
  /** Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed. */
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  /** RFC 9126 §6: this client's authorization requests only through the PAR endpoint. */
  requirePar?: boolean;
  /** RFC 9449: token requests must carry a DPoP proof (sender-constrained access tokens only). */
  requireDpop?: boolean;
  /** How it authenticates at the token endpoint: a secret (default for confidential clients), private_key_jwt (with
   *  jwks or jwksUri), or none (a public client, like isPublic). */
  authMethod?: string;
  /** private_key_jwt: the client's public keys (a JWKS object). */
  jwks?: unknown;
  /** private_key_jwt: where the client publishes its public keys. */
  jwksUri?: string;
  /** A security profile: 'fapi2' turns on PAR, DPoP and PKCE and requires private_key_jwt (clients/client-profile.ts). */
  profile?: string;
  /** Every sign-in for this client needs a second factor or a passkey (ID tokens then carry acr urn:latchkey:acr:mfa). */
  requireMfa?: boolean;
}


/** What `latchkey client update` may change: the logout registration; absent fields keep their value. */
export interface UpdateClientLogoutInput {
  postLogoutRedirectUris?: string[];
  /** '' removes it. */
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
}

export interface RegisteredClient {
  client: ClientRecord;
  /** The client secret, shown this once; only its hash is stored. */
  clientSecret: string | undefined;
}

/** A registration request that breaks a rule; the message is one line for the CLI. */
export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistrationError';
  }
}

function validateGrantTypes(input: RegisterClientInput, redirectUris: string[]): GrantType[] {
  const requested = input.grantTypes && input.grantTypes.length > 0 ? input.grantTypes
    : redirectUris.length > 0 ? ['authorization_code', 'refresh_token'] : ['client_credentials'];
  for (const g of requested) {
    if (g === 'password' || g === 'implicit') throw new RegistrationError(`grant type "${g}" is not supported by design (OAuth 2.1 removes it)`);
    if (!(GRANT_TYPES as readonly string[]).includes(g)) throw new RegistrationError(`unknown grant type "${g}" (use ${GRANT_TYPES.join(', ')})`);
  }
  const grantTypes = [...new Set(requested)] as GrantType[];
  if (input.isPublic && grantTypes.includes('client_credentials')) throw new RegistrationError('a public client cannot use client_credentials: it has no secret to authenticate with');
  if (input.isPublic && grantTypes.includes(TOKEN_EXCHANGE)) throw new RegistrationError('a public client cannot exchange tokens: it has no secret to authenticate with');
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) throw new RegistrationError('the authorization_code grant needs at least one --redirect-uri');
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code') && !grantTypes.includes(DEVICE_CODE_GRANT_TYPE)) {
    throw new RegistrationError(`refresh_token is only useful together with authorization_code or ${DEVICE_CODE_GRANT_TYPE}`);
  }
  return grantTypes;
}

async function validateScopes(store: ApiStore, scope: string | undefined): Promise<string[]> {
  let scopes: string[];
  try {
    scopes = parseScope(scope);
  } catch (error) {
    throw new RegistrationError((error as Error).message);
  }
  const apiScopes = new Set((await store.listApis()).flatMap((a) => a.scopes.map((s) => s.name)));
  for (const s of scopes) {
    if (!isOidcScope(s) && !apiScopes.has(s)) throw new RegistrationError(`unknown scope "${s}": register it first with "latchkey api add --identifier URI --scope ${s}=DESCRIPTION"`);
  }
  return scopes;
}

/** Post-logout redirect URIs follow the redirect URI rules (RP-Initiated Logout 1.0 §3.1 refers to them). */
function validatePostLogoutRedirectUris(uris: string[] | undefined): string[] {
  const unique = [...new Set(uris ?? [])];
  for (const uri of unique) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new RegistrationError(`post-logout ${problem}`);
  }
  return unique;
}

/** Back-Channel Logout 1.0 §2.2: an absolute http(s) URI (https unless loopback), no fragment; null for none. */
function validateBackchannelLogoutUri(uri: string | undefined): string | null {
  if (uri === undefined || uri === '') return null;
  const problem = redirectUriProblem(uri);
  if (problem) throw new RegistrationError(`back-channel logout ${problem}`);
  if (!/^https?:/.test(uri)) throw new RegistrationError(`back-channel logout URI ${uri} must be an http(s) URL`);
  return uri;
}

function logoutSettings(input: UpdateClientLogoutInput, current?: ClientLogoutSettings): ClientLogoutSettings {
  const backchannelLogoutUri = input.backchannelLogoutUri !== undefined ? validateBackchannelLogoutUri(input.backchannelLogoutUri) : current?.backchannelLogoutUri ?? null;
  const backchannelLogoutSessionRequired = input.backchannelLogoutSessionRequired ?? current?.backchannelLogoutSessionRequired ?? false;
  if (backchannelLogoutSessionRequired && backchannelLogoutUri === null) throw new RegistrationError('--backchannel-logout-session-required needs a --backchannel-logout-uri');
  return {
    postLogoutRedirectUris: input.postLogoutRedirectUris !== undefined ? validatePostLogoutRedirectUris(input.postLogoutRedirectUris) : current?.postLogoutRedirectUris ?? [],
    backchannelLogoutUri, backchannelLogoutSessionRequired,
  };
}

/** Changes a client's logout registration (post-logout redirect URIs, back-channel logout URI). */
export async function updateClientLogout(store: ClientStore & CacheVersionStore, clientId: string, input: UpdateClientLogoutInput, now: number): Promise<ClientRecord> {
  const client = await store.getClient(clientId);
  if (!client) throw new RegistrationError(`no client with id ${clientId}`);
  const settings = logoutSettings(input, client);
  await store.updateClientLogout(clientId, settings, now);
  await store.bumpCacheVersion('clients');
  return { ...client, ...settings, updatedAt: now };
}

function profileSettings(input: RegisterClientInput, isPublic: boolean, redirectUris: string[]): ProfileSettings {
  if (!(CLIENT_PROFILES as readonly string[]).includes(input.profile ?? '')) throw new RegistrationError(`unknown profile "${input.profile}" (use ${CLIENT_PROFILES.join(', ')})`);
  const authMethod = input.authMethod ?? (input.jwks !== undefined || input.jwksUri !== undefined ? 'private_key_jwt' : undefined);
  const settings = applyProfile(input.profile as ClientProfile, {
    isPublic, authMethod, allowWithoutPkce: input.allowWithoutPkce ?? false, idTokenAlg: input.idTokenAlg, redirectUris,
  });
  if ('problem' in settings) throw new RegistrationError(settings.problem);
  return settings;
}

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret', 'private_key_jwt', 'none'];

/** RFC 7591 §2 jwks / jwks_uri with token_endpoint_auth_method private_key_jwt: exactly one of them, public keys only. */
function validateClientKeys(input: RegisterClientInput, isPublic: boolean): { jwks: string | null; jwksUri: string | null } {
  const method = input.authMethod ?? (input.jwks !== undefined || input.jwksUri !== undefined ? 'private_key_jwt' : isPublic ? 'none' : 'client_secret_basic');
  if (!AUTH_METHODS.includes(method)) throw new RegistrationError(`unknown authentication method "${method}" (use client_secret_basic, client_secret_post, private_key_jwt or none)`);
  if (method === 'none' && !isPublic) throw new RegistrationError('--auth none is for public clients: add --public');
  if (method !== 'none' && isPublic) throw new RegistrationError('a public client has no credentials: it cannot use --auth ' + method);
  if (method !== 'private_key_jwt') {
    if (input.jwks !== undefined || input.jwksUri !== undefined) throw new RegistrationError('--jwks and --jwks-uri go with --auth private_key_jwt');
    return { jwks: null, jwksUri: null };
  }
  if ((input.jwks === undefined) === (input.jwksUri === undefined)) throw new RegistrationError('private_key_jwt needs the client\'s public keys: exactly one of --jwks FILE or --jwks-uri URL');
  if (input.jwksUri !== undefined) {
    const problem = jwksUriProblem(input.jwksUri);
    if (problem) throw new RegistrationError(problem);
    // The server fetches it: a client nobody vetted may not point it at this host's own services.
    if (input.registration === 'dynamic' && !input.jwksUri.startsWith('https:')) throw new RegistrationError('a dynamically registered client\'s jwks_uri must use https');
    return { jwks: null, jwksUri: input.jwksUri };
  }
  try {
    const jwks = JSON.stringify(parsePublicJwks(input.jwks));
    if (jwks.length > 64 * 1024) throw new ClientKeysError('the JWKS is larger than 64 KiB');
    return { jwks, jwksUri: null };
  } catch (error) {
    throw new RegistrationError((error as Error).message);
  }
}

export async function registerClient(store: ClientStore & ApiStore & CacheVersionStore, input: RegisterClientInput, now: number): Promise<RegisteredClient> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw new RegistrationError('client name must be 1 to 200 characters');
  const redirectUris = [...new Set(input.redirectUris ?? [])];
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new RegistrationError(problem);
  }
  const grantTypes = validateGrantTypes(input, redirectUris);
  const scopes = await validateScopes(store, input.scope);
  const isPublic = input.isPublic ?? false;
  if (isPublic && input.allowWithoutPkce) throw new RegistrationError('PKCE cannot be relaxed for a public client');
  const profile = input.profile === undefined ? undefined : profileSettings(input, isPublic, redirectUris);
  const idTokenAlg = (profile?.idTokenAlg ?? input.idTokenAlg ?? 'RS256') as SigningAlg;
  if (!SIGNING_ALGS.includes(idTokenAlg)) throw new RegistrationError(`ID token algorithm must be one of ${SIGNING_ALGS.join(', ')}`);

  const lifetimes = validateLifetimes(input.lifetimes ?? {});
  const logout = logoutSettings(input);
  const keys = validateClientKeys(input, isPublic);
  const clientSecret = isPublic || keys.jwks !== null || keys.jwksUri !== null ? undefined : randomSecret();
  const client: ClientRecord = {
    id: randomId(), name, secretHash: clientSecret ? hashSecret(clientSecret) : null, isPublic, redirectUris, grantTypes,
    scopes, requirePkce: !input.allowWithoutPkce, idTokenAlg, registration: input.registration ?? 'operator',
    idTokenClaims: !input.userinfoOnlyClaims, requireMfa: input.requireMfa ?? false, requirePar: profile?.requirePar ?? input.requirePar ?? false, requireDpop: profile?.requireDpop ?? input.requireDpop ?? false, ...keys,
    profile: input.profile === undefined ? null : input.profile as ClientProfile,
    ...logout,
    lifetimes: { accessTokenTtl: null, idTokenTtl: null, refreshIdleTtl: null, refreshAbsoluteTtl: null, refreshGrace: null, ...lifetimes },
    createdAt: now, updatedAt: now,
  };
  await store.createClient(client);
  await store.bumpCacheVersion('clients');
  return { client, clientSecret };
}

/** Each given lifetime within its bounds (null: the server's setting); the refresh idle lifetime at most the absolute. */
function validateLifetimes(lifetimes: Partial<ClientLifetimes>): Partial<ClientLifetimes> {
  for (const [name, value] of Object.entries(lifetimes) as [keyof ClientLifetimes, number | null | undefined][]) {
    const problem = value === null || value === undefined ? undefined : clientLifetimeProblem(name, value);
    if (problem) throw new RegistrationError(problem);
  }
  const { refreshIdleTtl: idle, refreshAbsoluteTtl: absolute } = lifetimes;
  if (idle != null && absolute != null && idle > absolute) throw new RegistrationError('refreshIdleTtl cannot exceed refreshAbsoluteTtl');
  return lifetimes;
}

/** Changes a client's lifetimes (null: back to the server's setting); the running servers see it within a second. */
export async function updateClientLifetimes(store: ClientStore & CacheVersionStore, clientId: string, lifetimes: Partial<ClientLifetimes>, now: number): Promise<ClientRecord> {
  validateLifetimes(lifetimes);
  if (!(await store.updateClientLifetimes(clientId, lifetimes, now))) throw new RegistrationError(`no client with id ${clientId}`);
  await store.bumpCacheVersion('clients');
  const client = await store.getClient(clientId);
  if (!client) throw new RegistrationError(`no client with id ${clientId}`);
  return client;
}

/** Replaces a confidential client's secret; the old one stops working at once. */
export async function rotateClientSecret(store: ClientStore & CacheVersionStore, clientId: string, now: number): Promise<string> {
  const client = await store.getClient(clientId);
  if (!client) throw new RegistrationError(`no client with id ${clientId}`);
  if (client.isPublic) throw new RegistrationError(`client ${clientId} is public and has no secret`);
  if (client.jwks !== null || client.jwksUri !== null) throw new RegistrationError(`client ${clientId} authenticates with private_key_jwt and has no secret`);
  const secret = randomSecret();
  await store.updateClientSecret(clientId, hashSecret(secret), now);
  await store.bumpCacheVersion('clients');
  return secret;
}
