// The Store: the composition of one narrow interface per artifact (ory/fosite's storage.go is the model). Domain code
// takes only the slice it uses (e.g. `store: ConsentStore`); the server wiring holds the whole Store.
// Atomic operations are methods of the slices, never read-modify-write in domain code (see design.md).
// Verbs (docs/architecture.md, "Storage"): get = by key or undefined, find = by something else, list, create,
// update, delete, add/remove = set membership, consume = take exactly once, rotate, revoke, record, bump.
import type { ApiStore } from './api-store.ts';
import type { AuditStore } from './audit-store.ts';
import type { CacheVersionStore } from './cache-version-store.ts';
import type { ClientStore } from './client-store.ts';
import type { CodeStore } from './code-store.ts';
import type { ConsentStore } from './consent-store.ts';
import type { DeviceCodeStore } from './device-code-store.ts';
import type { ExpiryStore } from './expiry-store.ts';
import type { FailureCounterStore } from './failure-counter-store.ts';
import type { GrantStore } from './grant-store.ts';
import type { InteractionStore } from './interaction-store.ts';
import type { LogoutDeliveryStore } from './logout-delivery-store.ts';
import type { PushedRequestStore } from './pushed-request-store.ts';
import type { PasskeyStore } from './passkey-store.ts';
import type { SecondFactorStore } from './second-factor-store.ts';
import type { RevokedTokenStore } from './revoked-token-store.ts';
import type { SessionStore } from './session-store.ts';
import type { SigningKeyStore } from './signing-key-store.ts';
import type { UsedJtiStore } from './used-jti-store.ts';
import type { UserStore } from './user-store.ts';

/** Opening, migrating and closing the database behind every slice. */
export interface StoreLifecycle {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call from several processes. */
  migrate(): Promise<{ applied: string[] }>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The connection pool's state, for the metrics; only a pooled database (PostgreSQL) has one. */
  poolStats?(): PoolStats;
}

/** Connections of a pool: open, idle, and requests waiting for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Told the duration of every query the store runs (for the metrics). */
export type QueryObserver = (seconds: number, ok: boolean) => void;

export interface Store extends StoreLifecycle,
  ClientStore, ApiStore, UserStore, SigningKeyStore, ConsentStore, SessionStore, InteractionStore, PushedRequestStore, CodeStore, DeviceCodeStore, GrantStore,
  RevokedTokenStore, FailureCounterStore, AuditStore, CacheVersionStore, ExpiryStore, LogoutDeliveryStore, UsedJtiStore, PasskeyStore, SecondFactorStore {}

/** A uniqueness conflict (duplicate username, client id, API identifier or scope). */
export class StoreConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflict';
  }
}

/** The database could not be reached; requests answer temporarily_unavailable. */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}
