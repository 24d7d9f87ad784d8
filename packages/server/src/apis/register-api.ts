// Registering an API (resource server): its identifier becomes the `aud` of its access tokens (RFC 9068 §3).
import { randomId } from '../crypto/random.ts';
import { RegistrationError } from '../clients/register-client.ts';
import { validateExchanger } from './api-exchangers.ts';
import { validateIntrospector } from './api-introspectors.ts';
import { isOidcScope, parseScope } from '../oauth/scope.ts';
import type { ApiStore } from '../store/api-store.ts';
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { ClientStore } from '../store/client-store.ts';
import type { ApiRecord } from '../store/records.ts';

export interface RegisterApiInput {
  identifier: string;
  name?: string;
  /** NAME=DESCRIPTION pairs; the description is what a consent screen shows. */
  scopes: string[];
  /** Confidential clients allowed to introspect this API's tokens (RFC 7662 §2.2). */
  introspectors?: string[];
  /** Clients allowed to exchange tokens towards this API (RFC 8693). */
  exchangers?: string[];
}

export async function registerApi(store: ApiStore & ClientStore & CacheVersionStore, input: RegisterApiInput, now: number): Promise<ApiRecord> {
  let url: URL;
  try {
    url = new URL(input.identifier);
  } catch {
    throw new RegistrationError(`API identifier "${input.identifier}" must be an absolute URI, e.g. https://api.example.com`);
  }
  if (url.hash || input.identifier.includes('#')) throw new RegistrationError('API identifier must not contain a fragment (RFC 8707 §2)');
  if (input.scopes.length === 0) throw new RegistrationError('an API needs at least one --scope NAME=DESCRIPTION');
  const scopes = input.scopes.map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const description = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!description) throw new RegistrationError(`scope "${name}" needs a description: --scope ${name}="what it lets an app do"`);
    let parsed: string[];
    try {
      parsed = parseScope(name);
    } catch {
      parsed = [];
    }
    if (parsed.length !== 1 || parsed[0] !== name) throw new RegistrationError(`"${name}" is not a valid scope name (RFC 6749 §3.3)`);
    if (isOidcScope(name)) throw new RegistrationError(`"${name}" is reserved for OpenID Connect`);
    return { name, description };
  });
  if (new Set(scopes.map((s) => s.name)).size !== scopes.length) throw new RegistrationError('a scope name is given twice');
  const introspectors: string[] = [];
  for (const clientId of new Set(input.introspectors ?? [])) introspectors.push(await validateIntrospector(store, clientId));
  const exchangers: string[] = [];
  for (const clientId of new Set(input.exchangers ?? [])) exchangers.push(await validateExchanger(store, clientId));
  const api: ApiRecord = { id: randomId(), identifier: input.identifier, name: input.name?.trim() || input.identifier, scopes, introspectors, exchangers, createdAt: now };
  await store.createApi(api);
  await store.bumpCacheVersion('apis');
  return api;
}
