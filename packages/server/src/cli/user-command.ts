// `latchkey user add|list|remove|set-password|sessions|signout|factors|reset-factors`; passwords come from standard input,
// never from flags. `signout` ends sessions like the account page does: back-channel logout deliveries are queued in the same
// transaction, and the running servers' delivery workers send them (Back-Channel Logout 1.0 §2.5). `factors` shows how a
// user signs in; `reset-factors` removes their passkeys and/or authenticator app (audited), e.g. after a lost phone.
import { removeTotp } from '../accounts/second-factor.ts';
import { addUser, setPassword } from '../accounts/user-accounts.ts';
import { RegistrationError } from '../clients/register-client.ts';
import { unixNow } from '../server-context.ts';
import { StoreConflict } from '../store/store.ts';
import type { UserRecord } from '../store/records.ts';
import { recordAdminAction } from './admin-audit.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey user add --username U [--email E [--email-verified]] [--name N] [--phone P [--phone-verified]] [--address "street\\ncity"] --password-stdin
       latchkey user list | remove USERNAME | set-password USERNAME --password-stdin   [--database URL] [--json]
       latchkey user sessions USERNAME | signout USERNAME [--sid SID]   (signout ends all sessions, or the one named)
       latchkey user factors USERNAME | reset-factors USERNAME [--passkeys] [--totp]   (reset: both when neither is given)`;

const view = (u: UserRecord) => ({
  id: u.id, username: u.username, email: u.email, email_verified: u.emailVerified, name: u.name, phone_number: u.phoneNumber,
  phone_number_verified: u.phoneNumberVerified, address: u.address, created_at: isoTime(u.createdAt),
});

async function readPassword(io: CliIo, enabled: boolean | undefined): Promise<string> {
  if (!enabled) throw new UsageError(`--password-stdin is required: pipe the password in, e.g. printf '%s' "$PASSWORD" | latchkey user ... (see latchkey user --help)`);
  return (await io.readStdin()).replace(/\r?\n$/, '');
}

export async function userCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('user', args, ['add', 'list', 'remove', 'set-password', 'sessions', 'signout', 'factors', 'reset-factors']);
  const needsName = sub === 'remove' || sub === 'set-password' || sub === 'sessions' || sub === 'signout' || sub === 'factors' || sub === 'reset-factors';
  const { values, positionals } = parseCommandArgs(rest, {
    username: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' },
    'email-verified': { type: 'boolean' }, phone: { type: 'string' }, 'phone-verified': { type: 'boolean' }, address: { type: 'string' },
    sid: { type: 'string' }, passkeys: { type: 'boolean' }, totp: { type: 'boolean' },
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
        await recordAdminAction(store, io, 'user.created', { userId: user.id, detail: { username: user.username } });
        return printResult(io, values.json, view(user), `added user ${user.username} (id ${user.id})`);
      }
      case 'list': {
        const users = await store.listUsers();
        return printResult(io, values.json, users.map(view), users.length === 0 ? 'no users' : users.map((u) => `${u.username}  ${u.email ?? ''}`).join('\n'));
      }
      case 'remove': {
        const user = await store.findUserByUsername(username);
        if (!user || !(await store.deleteUser(user.id))) throw new CliError(`no user named ${username}`);
        await recordAdminAction(store, io, 'user.removed', { userId: user.id, detail: { username } });
        return printResult(io, values.json, { removed: username }, `removed user ${username} with their sessions, consents and tokens`);
      }
      case 'set-password': {
        await setPassword(store, username, password, unixNow());
        const changed = await store.findUserByUsername(username);
        await recordAdminAction(store, io, 'user.password_set', { ...(changed ? { userId: changed.id } : {}), detail: { username } });
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
      case 'factors': {
        const user = await store.findUserByUsername(username);
        if (!user) throw new CliError(`no user named ${username}`);
        const [passkeys, totp, recoveryCodes] = await Promise.all([store.listPasskeys(user.id), store.getTotpFactor(user.id), store.countRecoveryCodes(user.id)]);
        const factors = {
          username, password: user.passwordHash !== null,
          passkeys: passkeys.map((p) => ({ name: p.name, created_at: isoTime(p.createdAt), last_used_at: p.lastUsedAt === null ? null : isoTime(p.lastUsedAt), synced: p.backedUp })),
          totp: totp?.confirmedAt != null, recovery_codes_left: recoveryCodes,
        };
        return printResult(io, values.json, factors, [
          `password        ${factors.password ? 'yes' : 'no (removed)'}`,
          `passkeys        ${passkeys.length === 0 ? 'none' : passkeys.map((p) => `${p.name} (added ${isoTime(p.createdAt)}, ${p.lastUsedAt === null ? 'never used' : `last used ${isoTime(p.lastUsedAt)}`})`).join('; ')}`,
          `authenticator   ${factors.totp ? `yes, ${recoveryCodes} recovery codes left` : 'no'}`,
        ].join('\n'));
      }
      case 'reset-factors': {
        const user = await store.findUserByUsername(username);
        if (!user) throw new CliError(`no user named ${username}`);
        const both = !values.passkeys && !values.totp;
        const passkeys = both || values.passkeys ? await store.listPasskeys(user.id) : [];
        for (const p of passkeys) await store.deletePasskey(user.id, p.id);
        const totp = both || values.totp ? await removeTotp(store, user.id, 'admin', unixNow()) : false;
        await store.recordAuditEvent({ type: 'factors.reset', userId: user.id, detail: { by: 'admin', passkeys: passkeys.length, totp } }, unixNow());
        const warning = user.passwordHash === null && (both || values.passkeys) ? `\n${username} has no password: set one (latchkey user set-password ${username} --password-stdin) so they can sign in.` : '';
        return printResult(io, values.json, { username, passkeys_removed: passkeys.length, totp_removed: totp },
          `removed ${passkeys.length} passkey(s)${totp ? ' and the authenticator app' : ''} of ${username}${warning}`);
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
