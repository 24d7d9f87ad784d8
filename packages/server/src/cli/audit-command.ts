// `latchkey audit server <issuer>` and `latchkey audit app <login-url>`: black-box checks of an authorization server or
// of a client app, printed as a report (or JSON with --json); the exit status is 1 when any check failed.
import { auditExitCode, type AuditReport } from '../audit/audit-report.ts';
import { auditApp } from '../audit/app/app-audit.ts';
import { formatAuditReport } from '../audit/format-audit-report.ts';
import { auditServer, DEFAULT_BUDGET, DEFAULT_DELAY_MS } from '../audit/server/server-audit.ts';
import { CliError, UsageError } from './cli-error.ts';
import type { CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey audit server ISSUER [--client-id ID --client-secret SECRET --redirect-uri URI] [--user NAME --password-stdin]
                      [--scope S] [--budget ${DEFAULT_BUDGET}] [--delay-ms ${DEFAULT_DELAY_MS}] [--json] [--verbose]
       latchkey audit app LOGIN_URL --client-id ID [--client-secret SECRET] --redirect-uri URI [--issuer-port 4555]
                      [--session-check-path /] [--token-use-path /path] [--chromium /usr/bin/chromium] [--wait-seconds 60] [--json] [--verbose]

server: checks any OAuth 2 / OpenID Connect server over HTTP (a small request budget, a pause between requests,
        never brute force). The redirect URI must be registered for the client; nothing needs to listen there.
        Without a client or a user the checks that need them are reported as "could not check".
app:    serves a test issuer at http://127.0.0.1:<issuer-port> and signs in to your app through it in chromium.
        Configure the app with that issuer, the client id and secret, and the redirect URI, start it, then run this
        (it waits for LOGIN_URL to answer). --token-use-path names a page that makes the app call
        <issuer>/api/... or <issuer>/userinfo with its access token (for the refresh check). Needs the
        playwright-core package (npm install playwright-core).
both:   the client secret may come from LATCHKEY_AUDIT_CLIENT_SECRET instead of the flag. A secret that starts
        with "-" must be written --client-secret=VALUE (with "="), or it reads as another option.`;

function positiveInteger(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new UsageError(`--${name} must be an integer of at least ${min}`);
  return parsed;
}

function print(io: CliIo, report: AuditReport, json: boolean | undefined, verbose: boolean | undefined): void {
  io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : formatAuditReport(report, { verbose }));
  if (auditExitCode(report) !== 0) throw new CliError(`${report.summary.failed} check(s) failed`, auditExitCode(report));
}

async function waitForApp(url: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new CliError(`the app did not answer at ${url} within ${seconds} s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export async function auditCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('audit', args, ['server', 'app']);
  const { values, positionals } = parseCommandArgs(rest, {
    'client-id': { type: 'string' }, 'client-secret': { type: 'string' }, 'redirect-uri': { type: 'string' },
    user: { type: 'string' }, 'password-stdin': { type: 'boolean' }, scope: { type: 'string' }, budget: { type: 'string' },
    'delay-ms': { type: 'string' }, verbose: { type: 'boolean' }, 'issuer-port': { type: 'string' }, 'session-check-path': { type: 'string' },
    'token-use-path': { type: 'string' }, chromium: { type: 'string' }, 'wait-seconds': { type: 'string' },
  }, { min: 1, max: 1, command: 'audit' });
  if (values.help || !sub) return void io.stdout(`usage: ${USAGE}\n`);
  const target = positionals[0]!;
  if (!URL.canParse(target)) throw new UsageError(`${target} is not an absolute URL`);
  const clientSecret = values['client-secret'] ?? (io.env.LATCHKEY_AUDIT_CLIENT_SECRET || undefined);

  if (sub === 'server') {
    if (values.user && !values['password-stdin']) throw new UsageError('--user needs --password-stdin: pipe the password in (see latchkey audit --help)');
    const password = values.user ? (await io.readStdin()).replace(/\r?\n$/, '') : undefined;
    const report = await auditServer({
      issuer: target, clientId: values['client-id'], clientSecret, redirectUri: values['redirect-uri'], scope: values.scope,
      credentials: values.user && password !== undefined ? { username: values.user, password } : undefined,
      budget: positiveInteger(values.budget, 'budget', DEFAULT_BUDGET, 1), delayMs: positiveInteger(values['delay-ms'], 'delay-ms', DEFAULT_DELAY_MS),
    });
    return print(io, report, values.json, values.verbose);
  }

  if (!values['client-id'] || !values['redirect-uri']) throw new UsageError('audit app needs --client-id and --redirect-uri (see latchkey audit --help)');
  const report = await auditApp({
    loginUrl: target, issuerPort: positiveInteger(values['issuer-port'], 'issuer-port', 4555), clientId: values['client-id'], clientSecret,
    redirectUri: values['redirect-uri'], sessionCheckPath: values['session-check-path'], tokenUsePath: values['token-use-path'], chromiumPath: values.chromium,
    onIssuerReady: async (issuer) => {
      io.stderr(`latchkey audit: test issuer at ${issuer}; waiting for ${target}\n`);
      await waitForApp(target, positiveInteger(values['wait-seconds'], 'wait-seconds', 60));
    },
  }).catch((error: unknown) => {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message.split('\n')[0] ?? 'the app audit failed');
  });
  return print(io, report, values.json, values.verbose);
}
