// Every schema migration, in order. Add a file and a line here; never edit a migration that has shipped.
import type { Kysely } from 'kysely';
import * as initialSchema from './0001-initial-schema.ts';
import * as interactions from './0002-interactions.ts';
import * as apiIntrospectors from './0003-api-introspectors.ts';
import * as clientRegistration from './0004-client-registration.ts';
import * as refreshSuccessor from './0005-refresh-successor.ts';
import * as oidcClaims from './0006-oidc-claims.ts';
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
  ['0020-key-lifecycle', keyLifecycle],
  ['0021-audit-trail', auditTrail],
];
