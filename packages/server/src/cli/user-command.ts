// `latchkey user add|list|remove|set-password`; passwords come from standard input, never from flags.
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
       latchkey user list | remove USERNAME | set-password USERNAME --password-stdin   [--database URL] [--json]`;

const view = (u: UserRecord) => ({
  id: u.id, username: u.username, email: u.email, email_verified: u.emailVerified, name: u.name, phone_number: u.phoneNumber,
  phone_number_verified: u.phoneNumberVerified, address: u.address, created_at: isoTime(u.createdAt),
});

async function readPassword(io: CliIo, enabled: boolean | undefined): Promise<string> {
  if (!enabled) throw new UsageError(`--password-stdin is required: pipe the password in, e.g. printf '%s' "$PASSWORD" | latchkey user ... (see latchkey user --help)`);
  return (await io.readStdin()).replace(/\r?\n$/, '');
}

export async function userCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('user', args, ['add', 'list', 'remove', 'set-password']);
  const needsName = sub === 'remove' || sub === 'set-password';
  const { values, positionals } = parseCommandArgs(rest, {
    username: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' },
    'email-verified': { type: 'boolean' }, phone: { type: 'string' }, 'phone-verified': { type: 'boolean' }, address: { type: 'string' },
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
