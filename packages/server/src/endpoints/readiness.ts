// /readyz: is this instance ready for traffic, and if not, which dependency failed. A database that stops answering
// without closing the connection (a network partition) would otherwise keep the probe waiting forever, so the ping
// gets a deadline.
import type { ServerConfig } from '../config/config.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { StoreLifecycle } from '../store/store.ts';

/** How long /readyz waits for the store before calling it unreachable. */
export const READY_TIMEOUT_MS = 2000;

export type StoreCheck = 'ok' | 'unreachable' | 'timeout';
export type KeysCheck = 'ok' | 'missing';

export interface Readiness {
  status: 'ready' | 'unavailable';
  /** Each dependency by name: `store` (the database answers a ping), `signing_keys` (an active key signs access tokens). */
  checks: { store: StoreCheck; signing_keys: KeysCheck };
  /** Why the store check failed, for the log only (never sent). */
  storeError?: unknown;
}

/** What the checks read: the store's ping, whether the key ring signs access tokens. */
export interface ReadinessDependencies {
  store: Pick<StoreLifecycle, 'ping'>;
  keys: Pick<KeyRing, 'hasSigner'>;
  config: Pick<ServerConfig, 'accessTokenAlg'>;
}

export async function checkReadiness(ctx: ReadinessDependencies, timeoutMs = READY_TIMEOUT_MS): Promise<Readiness> {
  let deadline: NodeJS.Timeout | undefined;
  let store: StoreCheck = 'ok';
  let storeError: unknown;
  try {
    await Promise.race([
      ctx.store.ping(),
      new Promise<never>((_resolve, reject) => {
        deadline = setTimeout(() => reject(new StoreTimeout(timeoutMs)), timeoutMs);
      }),
    ]);
  } catch (error) {
    store = error instanceof StoreTimeout ? 'timeout' : 'unreachable';
    storeError = error;
  } finally {
    clearTimeout(deadline);
  }
  const signing_keys: KeysCheck = ctx.keys.hasSigner(ctx.config.accessTokenAlg) ? 'ok' : 'missing';
  const ready = store === 'ok' && signing_keys === 'ok';
  return { status: ready ? 'ready' : 'unavailable', checks: { store, signing_keys }, ...(storeError !== undefined ? { storeError } : {}) };
}

class StoreTimeout extends Error {
  constructor(ms: number) {
    super(`the store did not answer within ${ms} ms`);
    this.name = 'StoreTimeout';
  }
}
