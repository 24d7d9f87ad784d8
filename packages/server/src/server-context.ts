// What the endpoints and grants need, passed explicitly (no service locator).
import type { ServerConfig } from './config/config.ts';
import type { KeyRing } from './keys/key-ring.ts';
import type { Store } from './store/store.ts';
import type { ClientDirectory } from './clients/client-directory.ts';
import type { ScopeCatalog } from './apis/scope-catalog.ts';
import type { HomeLink } from './http/views/home-page.ts';
import type { ClientEndpointLimits } from './rate-limits/client-endpoint-limits.ts';

export interface ServerContext {
  config: ServerConfig;
  store: Store;
  keys: KeyRing;
  clients: ClientDirectory;
  scopes: ScopeCatalog;
  /** Rate limits of the endpoints where clients authenticate (token, introspection, revocation). */
  limits: ClientEndpointLimits;
  /** Extra links for the start page (/), e.g. the demo apps added in dev mode. */
  homeLinks: HomeLink[];
  /** Unix seconds; replaceable in tests. */
  now(): number;
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);
