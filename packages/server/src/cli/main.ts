// The `latchkey` command line: dispatches to one file per command.
import { apiCommand } from './api-command.ts';
import { auditCommand } from './audit-command.ts';
import { auditLogCommand } from './audit-log-command.ts';
import { explainCommand } from './explain-command.ts';
import { CliError } from './cli-error.ts';
import { clientCommand } from './client-command.ts';
import type { CliIo } from './command-context.ts';
import { keysCommand } from './keys-command.ts';
import { logoutDeliveriesCommand } from './logout-deliveries-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { startCommand } from './start-command.ts';
import { userCommand } from './user-command.ts';

const HELP = `latchkey: OAuth 2.1 and OpenID Connect authorization server

usage: latchkey <command> [options]

  start     run the server (--dev for local development)
  migrate   apply database migrations
  client    register and manage clients (add, update, list, show, remove, rotate-secret, block, unblock)
  api       register APIs and their scopes (add, update, list, remove)
  user      manage users (add, list, remove, set-password, sessions, signout, factors, reset-factors)
  keys      signing keys (list, rotate, revoke)
  audit-log security events: sign-ins, consent, token reuse, revocations, client, user and key changes
  explain   what happened to one request and why (its x-request-id)
  logout-deliveries  the back-channel logout outbox: pending, delivered and failed deliveries
  audit     check any OAuth server (audit server ISSUER) or client app (audit app LOGIN_URL) for common mistakes

Every command takes --database URL (env LATCHKEY_DATABASE_URL, default sqlite:./data/latchkey.db) and --json.`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<void>> = {
  start: startCommand, migrate: migrateCommand, client: clientCommand, api: apiCommand, user: userCommand, keys: keysCommand, audit: auditCommand, 'audit-log': auditLogCommand, explain: explainCommand,
  'logout-deliveries': logoutDeliveriesCommand,
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(`${HELP}\n`);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr(`latchkey: unknown command "${command}" (try latchkey --help)\n`);
    return 2;
  }
  try {
    await run(args, io);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`latchkey: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`latchkey: unexpected error: ${(error as Error).message?.split('\n')[0] ?? String(error)}\n`);
    return 1;
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('expected the password on standard input (pipe it in)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readStdin,
  env: process.env,
};
