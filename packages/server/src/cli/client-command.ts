// `latchkey client add|list|show|remove|rotate-secret`
import { readFileSync } from 'node:fs';
import { registerClient, rotateClientSecret, RegistrationError } from '../clients/register-client.ts';
import { unixNow } from '../server-context.ts';
import type { ClientRecord } from '../store/records.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey client add --name NAME [--redirect-uri URI]... [--grant-type T]... [--scope "a b"] [--public] [--allow-without-pkce] [--id-token-alg RS256|ES256|EdDSA] [--userinfo-only-claims] [--require-par] [--require-dpop]
       [--auth client_secret_basic|private_key_jwt|none] [--jwks FILE | --jwks-uri URL] [--profile fapi2]
       latchkey client list | show ID | remove ID | rotate-secret ID   [--database URL] [--json]`;

const view = (c: ClientRecord) => ({
  client_id: c.id, name: c.name, type: c.isPublic ? 'public' : 'confidential', redirect_uris: c.redirectUris,
  grant_types: c.grantTypes, scope: c.scopes.join(' '), require_pkce: c.requirePkce, id_token_signed_response_alg: c.idTokenAlg,
  id_token_claims: c.idTokenClaims ? 'scoped' : 'userinfo-only', require_pushed_authorization_requests: c.requirePar,
  dpop_bound_access_tokens: c.requireDpop, profile: c.profile ?? 'none',
  token_endpoint_auth_method: c.isPublic ? 'none' : c.jwks !== null || c.jwksUri !== null ? 'private_key_jwt' : 'client_secret_basic',
  ...(c.jwksUri !== null ? { jwks_uri: c.jwksUri } : {}), ...(c.jwks !== null ? { jwks: `${(JSON.parse(c.jwks) as { keys: unknown[] }).keys.length} key(s)` } : {}),
  registration: c.registration, created_at: isoTime(c.createdAt),
});

const describe = (c: ClientRecord) => Object.entries(view(c)).map(([k, v]) => `${k.padEnd(30)} ${Array.isArray(v) ? v.join(' ') : String(v)}`).join('\n');

/** The JSON of --jwks FILE, or a one-line CLI error. */
function readJwksFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read the JWKS file ${path}: ${(error as Error).message}`);
  }
}

export async function clientCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('client', args, ['add', 'list', 'show', 'remove', 'rotate-secret']);
  const { values, positionals } = parseCommandArgs(rest, {
    name: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true }, 'grant-type': { type: 'string', multiple: true },
    scope: { type: 'string' }, public: { type: 'boolean' }, 'allow-without-pkce': { type: 'boolean' }, 'id-token-alg': { type: 'string' },
    'userinfo-only-claims': { type: 'boolean' }, 'require-par': { type: 'boolean' }, 'require-dpop': { type: 'boolean' },
    auth: { type: 'string' }, profile: { type: 'string' }, jwks: { type: 'string' }, 'jwks-uri': { type: 'string' },
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
          userinfoOnlyClaims: values['userinfo-only-claims'], requirePar: values['require-par'], requireDpop: values['require-dpop'],
          authMethod: values.auth, jwks: values.jwks === undefined ? undefined : readJwksFile(values.jwks), jwksUri: values['jwks-uri'], profile: values.profile,
        }, unixNow());
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
        return printResult(io, values.json, { removed: id }, `removed client ${id} with its consents, codes and tokens`);
      }
      case 'rotate-secret': {
        const secret = await rotateClientSecret(store, id, unixNow());
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
