// Which API an access token is for: the `aud` claim (RFC 9068 §3), chosen by the requested scopes
// or explicitly with the `resource` parameter (RFC 8707 §2). One API per token keeps tokens least-privileged.
import type { ScopeCatalog } from '../apis/scope-catalog.ts';
import { InvalidScope, InvalidTarget } from './errors.ts';

/** RFC 8707 §2: the resource must be an absolute URI without a fragment, naming a registered API. */
export function validateResource(resource: string | undefined, catalog: ScopeCatalog): void {
  if (resource === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(resource);
  } catch { /* reported below */ }
  if (!url || resource.includes('#')) throw new InvalidTarget('resource must be an absolute URI without a fragment (RFC 8707 §2)');
  if (!catalog.hasApi(resource)) throw new InvalidTarget('resource is not a registered API');
}

/** Returns the API identifier the scopes belong to, or null when they are OpenID Connect scopes only. */
export function resolveAudience(scopes: string[], resource: string | undefined, catalog: ScopeCatalog): string | null {
  validateResource(resource, catalog);
  const apis = new Set(scopes.map((s) => catalog.get(s)?.api).filter((api): api is string => typeof api === 'string'));
  if (resource !== undefined) {
    const foreign = [...apis].filter((api) => api !== resource);
    if (foreign.length > 0) throw new InvalidScope('a requested scope belongs to an API other than the requested resource');
    return resource;
  }
  if (apis.size > 1) throw new InvalidScope('the requested scopes belong to more than one API; request one API per token (the resource parameter selects it)');
  return apis.values().next().value ?? null;
}
