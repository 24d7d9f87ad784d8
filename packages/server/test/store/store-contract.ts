// The Store contract (design.md "Store contract"), written once per artifact (contract/*.ts) and run against every
// implementation (sqlite-store.test.ts, postgres-store.test.ts). Atomic operations are tested by racing them: on
// PostgreSQL the store's own connection pool runs the calls on separate connections, so the database decides the winner.
import { afterEach, beforeEach, describe } from 'node:test';
import type { SqlStore } from '../../src/store/sql/sql-store.ts';
import { lifecycleContract } from './contract/lifecycle.ts';
import { clientsContract } from './contract/clients.ts';
import { apisContract } from './contract/apis.ts';
import { usersContract } from './contract/users.ts';
import { signingKeysContract } from './contract/signing-keys.ts';
import { consentsContract } from './contract/consents.ts';
import { sessionsContract } from './contract/sessions.ts';
import { interactionsContract } from './contract/interactions.ts';
import { pushedRequestsContract } from './contract/pushed-requests.ts';
import { usedJtisContract } from './contract/used-jtis.ts';
import { codesContract } from './contract/codes.ts';
import { deviceCodesContract } from './contract/device-codes.ts';
import { grantsContract } from './contract/grants.ts';
import { revokedTokensContract } from './contract/revoked-tokens.ts';
import { failureCountersContract } from './contract/failure-counters.ts';
import { auditEventsContract } from './contract/audit-events.ts';
import { cacheVersionsContract } from './contract/cache-versions.ts';
import { cascadingDeletesContract } from './contract/cascading-deletes.ts';
import { expiryContract } from './contract/expiry.ts';
import { passkeysContract } from './contract/passkeys.ts';

export interface FreshStore {
  /** A migrated, empty store. */
  store: SqlStore;
  /** Closes the store and removes whatever backs it (file, schema). */
  close(): Promise<void>;
}

export type OpenFreshStore = () => Promise<FreshStore>;

export interface StoreContractOptions {
  /** A reason to skip the whole suite (shown in the test report), e.g. a missing database URL. */
  skip?: string;
}

export function runStoreContract(name: string, openFreshStore: OpenFreshStore, options: StoreContractOptions = {}): void {
  describe(`Store contract: ${name}`, { skip: options.skip }, () => {
    let fresh: FreshStore;
    let store: SqlStore;

    beforeEach(async () => {
      fresh = await openFreshStore();
      store = fresh.store;
    });
    afterEach(async () => {
      await fresh.close();
    });

    lifecycleContract(() => store);
    clientsContract(() => store);
    apisContract(() => store);
    usersContract(() => store);
    signingKeysContract(() => store);
    consentsContract(() => store);
    sessionsContract(() => store);
    interactionsContract(() => store);
    pushedRequestsContract(() => store);
    usedJtisContract(() => store);
    codesContract(() => store);
    deviceCodesContract(() => store);
    grantsContract(() => store);
    revokedTokensContract(() => store);
    passkeysContract(() => store);
    failureCountersContract(() => store);
    auditEventsContract(() => store);
    cacheVersionsContract(() => store);
    cascadingDeletesContract(() => store);
    expiryContract(() => store);
  });
}
