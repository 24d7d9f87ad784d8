// `latchkey explain REQUEST_ID [--log FILE] [--json]`: what happened to one request and why, from the audit trail
// (its security events and the diagnostic `request.failed` event with the full reason) and, with --log, the server's
// JSON log lines carrying that request id (issue 18).
import { readFileSync } from 'node:fs';
import type { StoredAuditEvent } from '../store/records.ts';
import { eventView } from './audit-log-command.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const USAGE = `latchkey explain REQUEST_ID [--log FILE] [--json]   [--database URL]

  REQUEST_ID is the x-request-id header of a response (also the request_id of a JSON error, the line on an error
  page, and "(request id ...)" in a redirected error_description). --log also searches a file of the server's JSON log.`;

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function explainEvent(event: StoredAuditEvent): string[] {
  const time = new Date(event.at * 1000).toISOString();
  const d = event.detail as Record<string, unknown>;
  if (event.type === 'request.failed') {
    const answer = d.redirected === true ? `${String(d.error)}, sent back to the client (HTTP ${String(d.status)})` : `${String(d.status)} ${String(d.error)}`;
    const lines = [`${time}  ${String(d.method)} ${String(d.route)} was answered ${answer}`,
      `  why: ${String(d.reason)}`];
    if (d.debug) lines.push(`  detail: ${String(d.debug)}`);
    for (const line of (d.details as string[] | undefined) ?? []) lines.push(`  ${line}`);
    return lines;
  }
  const who = [event.clientId ? `client ${event.clientId}` : '', event.userId ? `user ${event.userId}` : ''].filter(Boolean).join(', ');
  return [`${time}  ${event.type}${who ? ` (${who})` : ''}${Object.keys(d).length > 0 ? `  ${JSON.stringify(d)}` : ''}`];
}

function logLines(file: string, requestId: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the log file ${file}: ${(error as Error).message}`);
  }
  const found: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(requestId)) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.reqId === requestId) found.push(entry);
    } catch {
      // not a JSON log line
    }
  }
  return found;
}

function explainLogLine(entry: Record<string, unknown>): string {
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '';
  const req = entry.req as { method?: string; url?: string } | undefined;
  const res = entry.res as { statusCode?: number } | undefined;
  const parts = [`${time}  log ${LEVELS[entry.level as number] ?? String(entry.level)}: ${String(entry.msg ?? '')}`];
  if (req?.method) parts.push(`${req.method} ${req.url ?? ''}`);
  if (res?.statusCode) parts.push(`status ${res.statusCode}`);
  if (entry.error) parts.push(`error ${String(entry.error)}`);
  if (entry.debug) parts.push(`detail: ${String(entry.debug)}`);
  const details = Array.isArray(entry.details) ? (entry.details as string[]).map((d) => `\n  ${d}`).join('') : '';
  return parts.join('  ') + details;
}

export async function explainCommand(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { log: { type: 'string' } }, { min: 0, max: 1, command: 'explain' });
  if (values.help) return void io.stdout(`usage: ${USAGE}\n`);
  const requestId = positionals[0];
  if (!requestId) throw new UsageError('explain needs a request id (see latchkey explain --help)');
  const store = await openMigratedStore(databaseUrlFrom(values.database, io.env));
  try {
    const events = (await store.listAuditEvents({ requestId, limit: 1000 })).reverse();
    const logs = values.log ? logLines(values.log, requestId) : [];
    if (events.length === 0 && logs.length === 0) {
      throw new CliError(`nothing recorded for request ${requestId}: failed requests are kept LATCHKEY_DIAGNOSTIC_RETENTION`
        + ' (7 days by default) and a successful one leaves only its security events; --log FILE also searches the server log');
    }
    const human = [`request ${requestId}`, ...events.flatMap(explainEvent), ...logs.map(explainLogLine)].join('\n');
    printResult(io, values.json, { request_id: requestId, events: events.map(eventView), log: logs }, human);
  } finally {
    await store.close();
  }
}
