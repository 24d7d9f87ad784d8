// `latchkey audit-log [--since 24h|ISO] [--user NAME] [--client ID] [--type T]... [--request ID] [--limit N] [--json]`:
// the audit trail, newest first, in the schema of docs/audit-events.md.
import { auditLine } from '../audit-trail/audit-trail.ts';
import { unixNow } from '../server-context.ts';
import type { StoredAuditEvent } from '../store/records.ts';
import { UsageError } from './cli-error.ts';
import { databaseUrlFrom, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const USAGE = `latchkey audit-log [--since 24h|7d|30m|2026-11-01T00:00:00Z] [--user NAME|ID] [--client ID] [--type TYPE]... [--request ID] [--limit 100] [--json]

  Security events, newest first (types and fields: docs/audit-events.md). --type may repeat, and login.* matches a
  family. --json prints the events as the JSON objects of the audit stream.   [--database URL]`;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `24h`, `7d`, `30m`, `90s` before now, or an ISO 8601 time. */
export function parseSince(value: string, now: number): number {
  const relative = /^(\d{1,9})([smhd])$/.exec(value);
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new UsageError(`--since must be like 24h, 7d, 30m or an ISO time such as 2026-11-01T00:00:00Z (got ${value})`);
  return Math.floor(ms / 1000);
}

/** An event as a stream line's object. */
export function eventView(event: StoredAuditEvent): Record<string, unknown> {
  return JSON.parse(auditLine(event, event.at)) as Record<string, unknown>;
}

export function formatEvent(event: StoredAuditEvent): string {
  const time = new Date(event.at * 1000).toISOString();
  const who = [event.clientId ? `client=${event.clientId}` : '', event.userId ? `user=${event.userId}` : '', event.requestId ? `request=${event.requestId}` : ''].filter(Boolean).join(' ');
  const detail = Object.keys(event.detail).length > 0 ? `  ${JSON.stringify(event.detail)}` : '';
  return `${time}  ${event.type.padEnd(22)}  ${who}${detail}`;
}

export async function auditLogCommand(args: string[], io: CliIo): Promise<void> {
  const { values } = parseCommandArgs(args, {
    since: { type: 'string' }, user: { type: 'string' }, client: { type: 'string' }, type: { type: 'string', multiple: true },
    request: { type: 'string' }, limit: { type: 'string' },
  }, { min: 0, max: 0, command: 'audit-log' });
  if (values.help) return void io.stdout(`usage: ${USAGE}\n`);
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be an integer from 1 to 100000');
  const since = values.since === undefined ? undefined : parseSince(values.since, unixNow());
  const store = await openMigratedStore(databaseUrlFrom(values.database, io.env));
  try {
    // --user takes a username (or, for a removed user, the id the events carry).
    const userId = values.user === undefined ? undefined : (await store.findUserByUsername(values.user))?.id ?? values.user;
    const events = await store.listAuditEvents({
      ...(since !== undefined ? { since } : {}), ...(userId !== undefined ? { userId } : {}), ...(values.client !== undefined ? { clientId: values.client } : {}),
      ...(values.type ? { types: values.type } : {}), ...(values.request !== undefined ? { requestId: values.request } : {}), limit,
    });
    printResult(io, values.json, events.map(eventView), events.length === 0 ? 'no matching audit events' : events.map(formatEvent).join('\n'));
  } finally {
    await store.close();
  }
}
