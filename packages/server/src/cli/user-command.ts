// `latchkey user add|list|remove|set-password|sessions|signout`; passwords come from standard input, never from flags.
// `signout` ends sessions like the account page does: back-channel logout deliveries are queued in the same
// transaction, and the running servers' delivery workers send them (Back-Channel Logout 1.0 §2.5).
import { addUser, setPassword } from '../accounts/user-accounts.ts';
import { RegistrationError } from '../clients/register-client.ts';
import { unixNow } from '../server-context.ts';
import { StoreConflict } from '../store/store.ts';
import type { UserRecord } from '../store/records.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey user add --username U [--email E [--email-verified]] [--name N] [--phone P [--phone-verified]] [--address "street\\ncity"] --password-stdin
       latchkey user list | remove USERNAME | set-password USERNAME --password-stdin   [--database URL] [--json]
       latchkey user sessions USERNAME | signout USERNAME [--sid SID]   (signout ends all sessions, or the one named)`;

const view = (u: UserRecord) => ({
  id: u.id, username: u.username, email: u.email, email_verified: u.emailVerified, name: u.name, phone_number: u.phoneNumber,
  phone_number_verified: u.phoneNumberVerified, address: u.address, created_at: isoTime(u.createdAt),
});

async function readPassword(io: CliIo, enabled: boolean | undefined): Promise<string> {
  if (!enabled) throw new UsageError(`--password-stdin is required: pipe the password in, e.g. printf '%s' "$PASSWORD" | latchkey user ... (see latchkey user --help)`);
  return (await io.readStdin()).replace(/\r?\n$/, '');
}

export async function userCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('user', args, ['add', 'list', 'remove', 'set-password', 'sessions', 'signout']);
  const needsName = sub === 'remove' || sub === 'set-password' || sub === 'sessions' || sub === 'signout';
  const { values, positionals } = parseCommandArgs(rest, {
    username: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' },
    'email-verified': { type: 'boolean' }, phone: { type: 'string' }, 'phone-verified': { type: 'boolean' }, address: { type: 'string' },
    sid: { type: 'string' },
  }, { min: needsName ? 1 : 0, max: needsName ? 1 : 0, command: 'user' });
  if (values.help || !sub) return void io.stdout(`usage: ${USAGE}\n`);
  // Read the password before touching the database, so a bad invocation writes nothing.
  const password = sub === 'add' || sub === 'set-password' ? await readPassword(io, values['password-stdin']) : '';
  if (sub === 'add' && !values.username) throw new UsageError(`--username is required (see latchkey user --help)`);
  const store = await openMigratedStore(databaseUrlFrom(values.database, io.env));
  try {
    const username = positionals[0] ?? '';
    switch (sub) {
      case 'add': {
        const user = await addUser(store, {
          username: values.username ?? '', password, email: values.email, emailVerified: values['email-verified'], name: values.name,
          phoneNumber: values.phone, phoneNumberVerified: values['phone-verified'], address: values.address,
        }, unixNow());
        return printResult(io, values.json, view(user), `added user ${user.username} (id ${user.id})`);
      }
      case 'list': {
        const users = await store.listUsers();
        return printResult(io, values.json, users.map(view), users.length === 0 ? 'no users' : users.map((u) => `${u.username}  ${u.email ?? ''}`).join('\n'));
      }
      case 'remove': {
        const user = await store.findUserByUsername(username);
        if (!user || !(await store.deleteUser(user.id))) throw new CliError(`no user named ${username}`);
        return printResult(io, values.json, { removed: username }, `removed user ${username} with their sessions, consents and tokens`);
      }
      case 'set-password': {
        await setPassword(store, username, password, unixNow());
        return printResult(io, values.json, { username, password_changed: true }, `password changed for ${username}`);
      }
      case 'sessions': {
        const user = await store.findUserByUsername(username);
        if (!user) throw new CliError(`no user named ${username}`);
        const now = unixNow();
        const sessions = await store.listSessionsForUser(user.id, now);
        const rows = await Promise.all(sessions.map(async (s) => ({
          sid: s.sid, started_at: isoTime(s.createdAt), last_active_at: isoTime(s.lastActiveAt), expires_at: isoTime(s.expiresAt),
          user_agent: s.userAgent, clients: (await store.listSessionClients(s.sid)).map((p) => p.clientId),
        })));
        return printResult(io, values.json, rows, rows.length === 0 ? `${username} has no active session` :
          rows.map((r) => `${r.sid}  last active ${r.last_active_at}  ${r.user_agent ?? '(unknown browser)'}  apps: ${r.clients.join(' ') || '-'}`).join('\n'));
      }
      case 'signout': {
        const user = await store.findUserByUsername(username);
        if (!user) throw new CliError(`no user named ${username}`);
        const now = unixNow();
        const { ended, queued } = await store.deleteSessions(values.sid !== undefined ? { userId: user.id, sid: values.sid } : { userId: user.id }, now);
        if (values.sid !== undefined && ended.length === 0) throw new CliError(`${username} has no session ${values.sid}`);
        for (const s of ended) await store.recordAuditEvent({ type: 'session.ended', userId: user.id, detail: { sid: s.sid, reason: 'admin' } }, now);
        return printResult(io, values.json, { username, sessions_ended: ended.length, logout_deliveries_queued: queued.length },
          `ended ${ended.length} session(s) of ${username}; ${queued.length} back-channel logout(s) queued`);
      }
      default:
        throw new UsageError(`unknown subcommand "user ${sub}" (see latchkey user --help)`);
    }
  } catch (error) {
    if (error instanceof RegistrationError) throw new CliError(error.message);
    if (error instanceof StoreConflict) throw new CliError(`a user named ${values.username} already exists`);
    throw error;
  } finally {
    await store.close();
  }
}
