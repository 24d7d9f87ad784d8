// The audit trail (issue 18): each event names the request it happened in (`latchkey explain <request-id>`), and
// `latchkey audit-log` filters by time, user, client, type and request. Forward only; older events have no request id.
import { type Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('request_id', 'text').execute();
  await db.schema.createIndex('audit_events_request_id').on('audit_events').column('request_id').execute();
  await db.schema.createIndex('audit_events_user_at').on('audit_events').columns(['user_id', 'at']).execute();
  await db.schema.createIndex('audit_events_client_at').on('audit_events').columns(['client_id', 'at']).execute();
  await db.schema.createIndex('audit_events_type_at').on('audit_events').columns(['type', 'at']).execute();
}
