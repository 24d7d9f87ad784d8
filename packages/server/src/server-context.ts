// What the endpoints and grants need, passed explicitly (no service locator).
import type { ServerConfig } from './config/config.ts';
import type { KeyRing } from './keys/key-ring.ts';
import type { Store } from './store/store.ts';
import type { ClientDirectory } from './clients/client-directory.ts';
import type { ScopeCatalog } from './apis/scope-catalog.ts';
import type { HomeLink } from './endpoints/page-models.ts';
import type { ClientEndpointLimits } from './rate-limits/client-endpoint-limits.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { DpopNonces } from './oauth/dpop-nonce.ts';

/** The forms of a pending interaction: password, passkey, second factor, consent. */
export type InteractionStep = 'login' | 'passkey' | 'second-factor' | 'consent';

/** Absolute URLs of the server's own endpoints (built from the route paths by http/paths.ts). */
export interface ServerUrls {
  discovery: string;
  authorization: string;
  token: string;
  pushedAuthorizationRequest: string;
  userinfo: string;
  jwks: string;
  introspection: string;
  revocation: string;
  account: string;
  accountLogin: string;
  accountRevoke: string;
  accountSignOut: string;
  /** RFC 8628 §3.1 device authorization endpoint. */
  deviceAuthorization: string;
  /** RFC 8628 §3.2 verification_uri: the page where a user enters the code; and where its login and decision post. */
  device: string;
  deviceLogin: string;
  deviceDecision: string;
  /** RFC 7591 registration endpoint, and a registered client's RFC 7592 configuration endpoint. */
  registration: string;
  registrationClient(clientId: string): string;
  accountSessionsSignOut: string;
  endSession: string;
  endSessionConfirm: string;
  accountPasskeyLogin: string;
  accountPasskeyAdd: string;
  accountPasskeyRemove: string;
  accountPasswordRemove: string;
  accountPasswordChange: string;
  accountSecondFactor: string;
  accountTotpStart: string;
  accountTotpConfirm: string;
  accountTotpRemove: string;
  /** The scripts of the pages that use passkeys (the WebAuthn browser library, then ours), served by this server. */
  passkeyScripts: readonly string[];
  /** A pending interaction's page, or the URL one of its forms posts to. */
  interaction(id: string, step?: InteractionStep): string;
}

export interface ServerContext {
  config: ServerConfig;
  urls: ServerUrls;
  store: Store;
  keys: KeyRing;
  clients: ClientDirectory;
  scopes: ScopeCatalog;
  /** Rate limits of the endpoints where clients authenticate (token, introspection, revocation). */
  limits: ClientEndpointLimits;
  /** Where the domain reports what operators count (tokens issued, sign-ins, reuse); NO_METRICS when off. */
  metrics: Metrics;
  /** Tells this instance's back-channel logout worker that deliveries were queued (no-op when it is not running). */
  wakeLogoutDelivery(): void;
  /** Stateless DPoP server nonces (RFC 9449 §8), the same on every instance. */
  dpopNonces: DpopNonces;
  /** Extra links for the start page (/), e.g. the demo apps added in dev mode. */
  homeLinks: HomeLink[];
  /** Unix seconds; replaceable in tests. */
  now(): number;
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);
