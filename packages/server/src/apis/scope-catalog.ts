// Which API (resource server) owns each scope, and the human description a consent screen shows.
import type { ApiStore } from '../store/api-store.ts';
import type { ApiRecord } from '../store/records.ts';

export interface ScopeInfo {
  name: string;
  description: string;
  /** The API identifier (token audience), or null for OpenID Connect scopes. */
  api: string | null;
}

const OIDC_SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'know who you are (your account identifier)',
  profile: 'see your name and username',
  email: 'see your email address',
  phone: 'see your phone number',
  address: 'see your postal address',
  offline_access: 'keep access when you are not using the app',
};

export class ScopeCatalog {
  readonly #store: ApiStore;
  #byScope = new Map<string, ScopeInfo>();
  #apis: ApiRecord[] = [];

  constructor(store: ApiStore) {
    this.#store = store;
  }

  async load(): Promise<void> {
    const apis = await this.#store.listApis();
    const byScope = new Map<string, ScopeInfo>();
    for (const [name, description] of Object.entries(OIDC_SCOPE_DESCRIPTIONS)) byScope.set(name, { name, description, api: null });
    for (const api of apis) for (const s of api.scopes) byScope.set(s.name, { name: s.name, description: s.description, api: api.identifier });
    this.#byScope = byScope;
    this.#apis = apis;
  }

  get(scope: string): ScopeInfo | undefined {
    return this.#byScope.get(scope);
  }

  apis(): ApiRecord[] {
    return this.#apis;
  }

  /** Clients allowed to introspect tokens whose audience is this API (none for an unknown audience). */
  introspectorsOf(identifier: string): readonly string[] {
    return this.#apis.find((a) => a.identifier === identifier)?.introspectors ?? [];
  }

  /** Clients allowed to exchange tokens towards this API (RFC 8693; none for an unknown API). */
  exchangersOf(identifier: string): readonly string[] {
    return this.#apis.find((a) => a.identifier === identifier)?.exchangers ?? [];
  }

  hasApi(identifier: string): boolean {
    return this.#apis.some((a) => a.identifier === identifier);
  }

  /** Every scope name, OpenID ones first, for discovery. */
  allScopes(): string[] {
    return [...this.#byScope.keys()];
  }
}
