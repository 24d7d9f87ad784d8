// Client registration and secret rotation (used by the CLI): validates everything before one insert.
import { hashSecret, randomId, randomSecret } from '../crypto/random.ts';
import { redirectUriProblem } from '../oauth/redirect-uri.ts';
import { isOidcScope, parseScope } from '../oauth/scope.ts';
import type { ApiStore } from '../store/api-store.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { ClientStore } from '../store/client-store.ts';
import { GRANT_TYPES, SIGNING_ALGS, type ClientRecord, type ClientRegistration, type GrantType, type SigningAlg } from '../store/records.ts';

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
  /** Every sign-in for this client needs a second factor or a passkey (ID tokens then carry acr urn:latchkey:acr:mfa). */
  requireMfa?: boolean;
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
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) throw new RegistrationError('the authorization_code grant needs at least one --redirect-uri');
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code')) throw new RegistrationError('refresh_token is only useful together with authorization_code');
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
  const idTokenAlg = (input.idTokenAlg ?? 'RS256') as SigningAlg;
  if (!SIGNING_ALGS.includes(idTokenAlg)) throw new RegistrationError(`ID token algorithm must be one of ${SIGNING_ALGS.join(', ')}`);

  const clientSecret = isPublic ? undefined : randomSecret();
  const client: ClientRecord = {
    id: randomId(), name, secretHash: clientSecret ? hashSecret(clientSecret) : null, isPublic, redirectUris, grantTypes,
    scopes, requirePkce: !input.allowWithoutPkce, idTokenAlg, registration: input.registration ?? 'operator',
    idTokenClaims: !input.userinfoOnlyClaims, requireMfa: input.requireMfa ?? false, createdAt: now, updatedAt: now,
  };
  await store.createClient(client);
  await store.bumpCacheVersion('clients');
  return { client, clientSecret };
}

/** Replaces a confidential client's secret; the old one stops working at once. */
export async function rotateClientSecret(store: ClientStore & CacheVersionStore, clientId: string, now: number): Promise<string> {
  const client = await store.getClient(clientId);
  if (!client) throw new RegistrationError(`no client with id ${clientId}`);
  if (client.isPublic) throw new RegistrationError(`client ${clientId} is public and has no secret`);
  const secret = randomSecret();
  await store.updateClientSecret(clientId, hashSecret(secret), now);
  await store.bumpCacheVersion('clients');
  return secret;
}
