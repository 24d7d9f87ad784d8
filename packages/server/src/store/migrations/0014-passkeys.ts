// Passkeys (WebAuthn Level 3 §6.1: a credential id, its COSE public key, the signature counter and the backup flags),
// the short-lived registration and authentication challenges (single use, bound to one browser, shared by every
// instance), and the authentication methods (RFC 8176 `amr`) a session, a pending interaction, a code and a grant
// carry into ID tokens. Rows made before this migration were password sign-ins: their amr is ["pwd"]. Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createTable('passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();

  await db.schema.createTable('webauthn_challenges')
    .addColumn('challenge_hash', 'text', (c) => c.primaryKey())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webauthn_challenges_expires_at').on('webauthn_challenges').column('expires_at').execute();

  await db.schema.alterTable('sessions').addColumn('amr', 'text', (c) => c.notNull().defaultTo('["pwd"]')).execute();
  await db.schema.alterTable('interactions').addColumn('amr', 'text').execute();
  await db.schema.alterTable('auth_codes').addColumn('amr', 'text', (c) => c.notNull().defaultTo('["pwd"]')).execute();
  await db.schema.alterTable('grants').addColumn('amr', 'text', (c) => c.notNull().defaultTo('["pwd"]')).execute();
}
