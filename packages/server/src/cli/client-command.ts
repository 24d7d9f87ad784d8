// `latchkey client add|list|show|remove|rotate-secret`
import { registerClient, rotateClientSecret, RegistrationError } from '../clients/register-client.ts';
import { unixNow } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';
import { recordAdminAction } from './admin-audit.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey client add --name NAME [--redirect-uri URI]... [--grant-type T]... [--scope "a b"] [--public] [--allow-without-pkce] [--id-token-alg RS256|ES256|EdDSA] [--userinfo-only-claims]
       latchkey client list | show ID | remove ID | rotate-secret ID   [--database URL] [--json]`;

const view = (c: ClientRecord) => ({
  client_id: c.id, name: c.name, type: c.isPublic ? 'public' : 'confidential', redirect_uris: c.redirectUris,
  grant_types: c.grantTypes, scope: c.scopes.join(' '), require_pkce: c.requirePkce, id_token_signed_response_alg: c.idTokenAlg,
  id_token_claims: c.idTokenClaims ? 'scoped' : 'userinfo-only',
  registration: c.registration, created_at: isoTime(c.createdAt),
});

const describe = (c: ClientRecord) => Object.entries(view(c)).map(([k, v]) => `${k.padEnd(30)} ${Array.isArray(v) ? v.join(' ') : String(v)}`).join('\n');

export async function clientCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('client', args, ['add', 'list', 'show', 'remove', 'rotate-secret']);
  const { values, positionals } = parseCommandArgs(rest, {
    name: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true }, 'grant-type': { type: 'string', multiple: true },
    scope: { type: 'string' }, public: { type: 'boolean' }, 'allow-without-pkce': { type: 'boolean' }, 'id-token-alg': { type: 'string' },
    'userinfo-only-claims': { type: 'boolean' },
  }, { min: sub === 'add' || sub === 'list' ? 0 : 1, max: sub === 'add' || sub === 'list' ? 0 : 1, command: 'client' });
  if (values.help || !sub) return void io.stdout(`usage: ${USAGE}\n`);
  const store = await openMigratedStore(databaseUrlFrom(values.database, io.env));
  try {
    const id = positionals[0] ?? '';
    switch (sub) {
      case 'add': {
        if (!values.name) throw new UsageError(`--name is required (see latchkey client --help)`);
        const { client, clientSecret } = await registerClient(store, {
          name: values.name, redirectUris: values['redirect-uri'], grantTypes: values['grant-type'], scope: values.scope,
          isPublic: values.public, allowWithoutPkce: values['allow-without-pkce'], idTokenAlg: values['id-token-alg'],
          userinfoOnlyClaims: values['userinfo-only-claims'],
        }, unixNow());
        await recordAdminAction(store, io, 'client.created', { clientId: client.id, detail: { name: client.name } });
        const secretLine = clientSecret ? `\nclient_secret                  ${clientSecret}\n\nThe client secret is shown this once; only its hash is stored.` : '';
        return printResult(io, values.json, { ...view(client), ...(clientSecret ? { client_secret: clientSecret } : {}) }, `${describe(client)}${secretLine}`);
      }
      case 'list': {
        const clients = await store.listClients();
        return printResult(io, values.json, clients.map(view), clients.length === 0 ? 'no clients registered' :
          clients.map((c) => `${c.id}  ${c.isPublic ? 'public      ' : 'confidential'}  ${c.name}`).join('\n'));
      }
      case 'show': {
        const client = await store.getClient(id);
        if (!client) throw new CliError(`no client with id ${id}`);
        return printResult(io, values.json, view(client), describe(client));
      }
      case 'remove': {
        if (!(await store.deleteClient(id))) throw new CliError(`no client with id ${id}`);
        await store.bumpCacheVersion('clients');
        await recordAdminAction(store, io, 'client.removed', { clientId: id });
        return printResult(io, values.json, { removed: id }, `removed client ${id} with its consents, codes and tokens`);
      }
      case 'rotate-secret': {
        const secret = await rotateClientSecret(store, id, unixNow());
        await recordAdminAction(store, io, 'client.secret_rotated', { clientId: id });
        return printResult(io, values.json, { client_id: id, client_secret: secret },
          `client_id      ${id}\nclient_secret  ${secret}\n\nThe new secret is shown this once; the old one no longer works.`);
      }
      default:
        throw new UsageError(`unknown subcommand "client ${sub}" (see latchkey client --help)`);
    }
  } catch (error) {
    if (error instanceof RegistrationError) throw new CliError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}
