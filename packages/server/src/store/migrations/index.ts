// Every schema migration, in order. Add a file and a line here; never edit a migration that has shipped.
import type { Kysely } from 'kysely';
import * as initialSchema from './0001-initial-schema.ts';
import * as interactions from './0002-interactions.ts';
import * as apiIntrospectors from './0003-api-introspectors.ts';
import * as clientRegistration from './0004-client-registration.ts';
import * as refreshSuccessor from './0005-refresh-successor.ts';
import * as oidcClaims from './0006-oidc-claims.ts';
import * as sessionsAndLogout from './0007-sessions-and-logout.ts';
import * as requestedClaims from './0008-requested-claims.ts';
import * as clientLifetimes from './0010-client-lifetimes-and-refresh-grace.ts';
import * as apiTokenExchangers from './0011-api-token-exchangers.ts';
import * as deviceCodes from './0012-device-codes.ts';
import * as pushedRequests from './0017-pushed-authorization-requests.ts';
import * as dpop from './0018-dpop.ts';
import * as clientKeys from './0019-client-keys-and-profile.ts';
import * as unvettedClients from './0023-unvetted-clients.ts';
import * as passkeys from './0014-passkeys.ts';
import * as secondFactor from './0015-second-factor.ts';
import * as clientSecondFactor from './0016-client-second-factor.ts';
import * as keyLifecycle from './0020-key-lifecycle.ts';
import * as auditTrail from './0021-audit-trail.ts';

export interface Migration {
  up(db: Kysely<any>): Promise<void>;
}

export const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['0001-initial-schema', initialSchema],
  ['0002-interactions', interactions],
  ['0003-api-introspectors', apiIntrospectors],
  ['0004-client-registration', clientRegistration],
  ['0005-refresh-successor', refreshSuccessor],
  ['0006-oidc-claims', oidcClaims],
  ['0007-sessions-and-logout', sessionsAndLogout],
  ['0008-requested-claims', requestedClaims],
  ['0010-client-lifetimes-and-refresh-grace', clientLifetimes],
  ['0011-api-token-exchangers', apiTokenExchangers],
  ['0012-device-codes', deviceCodes],
  ['0017-pushed-authorization-requests', pushedRequests],
  ['0018-dpop', dpop],
  ['0019-client-keys-and-profile', clientKeys],
  ['0023-unvetted-clients', unvettedClients],
  ['0014-passkeys', passkeys],
  ['0015-second-factor', secondFactor],
  ['0016-client-second-factor', clientSecondFactor],
  ['0020-key-lifecycle', keyLifecycle],
  ['0021-audit-trail', auditTrail],
];
