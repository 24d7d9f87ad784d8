// Which clients may exchange tokens towards an API (RFC 8693 token exchange, issue 15): named by the operator
// (`latchkey api update IDENTIFIER --exchange-client CLIENT_ID`); nobody may by default. Forward only.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createTable('api_token_exchangers')
    .addColumn('api_id', 'text', (c) => c.notNull().references('apis.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('api_token_exchangers_pk', ['api_id', 'client_id'])
    .execute();
}
