// `latchkey logout-deliveries [--status pending|delivered|failed] [--limit N]`: the back-channel logout outbox
// (Back-Channel Logout 1.0 §2.5), newest first, with attempts and the last error, so failed deliveries are visible.
import type { LogoutDeliveryStatus } from '../store/records.ts';
import { UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const USAGE = 'latchkey logout-deliveries [--status pending|delivered|failed] [--limit N]   [--database URL] [--json]';
const STATUSES: readonly LogoutDeliveryStatus[] = ['pending', 'delivered', 'failed'];

export async function logoutDeliveriesCommand(args: string[], io: CliIo): Promise<void> {
  const { values } = parseCommandArgs(args, { status: { type: 'string' }, limit: { type: 'string' } }, { min: 0, max: 0, command: 'logout-deliveries' });
  if (values.help) return void io.stdout(`usage: ${USAGE}\n`);
  const status = values.status;
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
  const store = await openMigratedStore(databaseUrlFrom(values.database, io.env));
  try {
    const rows = (await store.listLogoutDeliveries({ ...(status ? { status: status as LogoutDeliveryStatus } : {}), limit })).map((d) => ({
      id: d.id, status: d.status, client_id: d.clientId, sid: d.sid, uri: d.uri, attempts: d.attempts, last_error: d.lastError,
      created_at: isoTime(d.createdAt), next_attempt_at: d.status === 'pending' ? isoTime(d.nextAttemptAt) : null, finished_at: isoTime(d.finishedAt),
    }));
    printResult(io, values.json, rows, rows.length === 0 ? 'no back-channel logout deliveries' : rows.map((r) =>
      `${r.created_at}  ${r.status.padEnd(9)}  attempts ${r.attempts}  client ${r.client_id}  ${r.uri}${r.last_error ? `  last error: ${r.last_error}` : ''}`).join('\n'));
  } finally {
    await store.close();
  }
}
