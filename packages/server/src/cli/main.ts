// The `latchkey` command line: dispatches to one file per command.
import { CliError } from './cli-error.ts';
import type { CliIo } from './command-context.ts';

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

type Command = (args: string[], io: CliIo) => Promise<void>;

// Each command's module is loaded when that command runs: `latchkey start` does not load the audit (and the rest of
// the commands) it never uses, and a one-off command does not load the others.
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start-command.ts')).startCommand,
  migrate: async () => (await import('./migrate-command.ts')).migrateCommand,
  client: async () => (await import('./client-command.ts')).clientCommand,
  api: async () => (await import('./api-command.ts')).apiCommand,
  user: async () => (await import('./user-command.ts')).userCommand,
  keys: async () => (await import('./keys-command.ts')).keysCommand,
  audit: async () => (await import('./audit-command.ts')).auditCommand,
  'audit-log': async () => (await import('./audit-log-command.ts')).auditLogCommand,
  explain: async () => (await import('./explain-command.ts')).explainCommand,
  'logout-deliveries': async () => (await import('./logout-deliveries-command.ts')).logoutDeliveriesCommand,
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(`${HELP}\n`);
    return command ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    io.stderr(`latchkey: unknown command "${command}" (try latchkey --help)\n`);
    return 2;
  }
  try {
    const run = await load();
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
