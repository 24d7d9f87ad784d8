// `latchkey client add|update|list|show|remove|rotate-secret|block|unblock`
import { blockClient, unblockClient } from '../clients/block-client.ts';
import { isMetadataDocumentClientId } from '../clients/client-metadata-document.ts';
import { registerClient, rotateClientSecret, RegistrationError, updateClientLifetimes, updateClientLogout } from '../clients/register-client.ts';
import { readFileSync } from 'node:fs';
import { unixNow } from '../server-context.ts';
import type { ClientLifetimes, ClientRecord } from '../store/records.ts';
import { recordAdminAction } from './admin-audit.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey client add --name NAME [--redirect-uri URI]... [--grant-type T]... [--scope "a b"] [--public] [--allow-without-pkce] [--id-token-alg RS256|ES256|EdDSA] [--userinfo-only-claims] [--require-mfa] [--require-par] [--require-dpop]
         [--auth client_secret_basic|private_key_jwt|none] [--jwks FILE | --jwks-uri URL] [--profile fapi2] [LIFETIMES]
         [--post-logout-redirect-uri URI]... [--backchannel-logout-uri URI [--backchannel-logout-session-required]]
       latchkey client update ID [LIFETIMES] [--post-logout-redirect-uri URI]... [--no-post-logout-redirect-uris] [--backchannel-logout-uri URI|""] [--backchannel-logout-session-required]
       latchkey client list [--dynamic] | show ID | remove ID | rotate-secret ID | block ID | unblock ID   [--database URL] [--json]
  grant types: authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code,
       urn:ietf:params:oauth:grant-type:token-exchange
  (the device flow, RFC 8628: a CLI or TV needs no --redirect-uri; add refresh_token for refresh tokens)
LIFETIMES (seconds; "default" = the server's setting): [--access-token-ttl S] [--id-token-ttl S] [--refresh-idle-ttl S]
       [--refresh-absolute-ttl S] [--refresh-grace S]   (access and ID tokens never outlive the server's setting; docs/refresh-tokens.md)`;

/** The lifetime flags, by the ClientLifetimes member they set. */
const LIFETIME_FLAGS = {
  'access-token-ttl': 'accessTokenTtl', 'id-token-ttl': 'idTokenTtl', 'refresh-idle-ttl': 'refreshIdleTtl',
  'refresh-absolute-ttl': 'refreshAbsoluteTtl', 'refresh-grace': 'refreshGrace',
} as const satisfies Record<string, keyof ClientLifetimes>;

function lifetimesFrom(values: Partial<Record<keyof typeof LIFETIME_FLAGS, string>>): Partial<ClientLifetimes> {
  const lifetimes: Partial<ClientLifetimes> = {};
  for (const [flag, member] of Object.entries(LIFETIME_FLAGS) as [keyof typeof LIFETIME_FLAGS, keyof ClientLifetimes][]) {
    const raw = values[flag];
    if (raw === undefined) continue;
    if (raw === 'default') lifetimes[member] = null;
    else if (/^\d{1,9}$/.test(raw)) lifetimes[member] = Number(raw);
    else throw new UsageError(`--${flag} must be a number of seconds or "default"`);
  }
  return lifetimes;
}

const lifetimeView = (c: ClientRecord) => {
  const l = c.lifetimes;
  const show = (v: number | null | undefined) => (v == null ? 'default' : v);
  return {
    access_token_ttl: show(l?.accessTokenTtl), id_token_ttl: show(l?.idTokenTtl), refresh_idle_ttl: show(l?.refreshIdleTtl),
    refresh_absolute_ttl: show(l?.refreshAbsoluteTtl), refresh_grace: show(l?.refreshGrace),
  };
};

const view = (c: ClientRecord) => ({
  client_id: c.id, name: c.name, type: c.isPublic ? 'public' : 'confidential', redirect_uris: c.redirectUris,
  grant_types: c.grantTypes, scope: c.scopes.join(' '), require_pkce: c.requirePkce, id_token_signed_response_alg: c.idTokenAlg,
  id_token_claims: c.idTokenClaims ? 'scoped' : 'userinfo-only', require_mfa: c.requireMfa, require_pushed_authorization_requests: c.requirePar,
  dpop_bound_access_tokens: c.requireDpop, profile: c.profile ?? 'none',
  token_endpoint_auth_method: c.isPublic ? 'none' : c.jwks !== null || c.jwksUri !== null ? 'private_key_jwt' : 'client_secret_basic',
  ...(c.jwksUri !== null ? { jwks_uri: c.jwksUri } : {}), ...(c.jwks !== null ? { jwks: `${(JSON.parse(c.jwks) as { keys: unknown[] }).keys.length} key(s)` } : {}),
  post_logout_redirect_uris: c.postLogoutRedirectUris, backchannel_logout_uri: c.backchannelLogoutUri ?? '',
  backchannel_logout_session_required: c.backchannelLogoutSessionRequired,
  registration: c.registration, ...lifetimeView(c), created_at: isoTime(c.createdAt),
  ...(c.registration === 'dynamic' ? {
    kind: isMetadataDocumentClientId(c.id) ? 'client ID metadata document' : 'dynamic registration (RFC 7591)',
    client_uri: c.clientUri ?? null, logo_uri: c.logoUri ?? null, application_type: c.applicationType ?? null,
    first_used_at: c.firstUsedAt ? isoTime(c.firstUsedAt) : null,
  } : {}),
  blocked: c.blockedAt ? isoTime(c.blockedAt) : false,
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
  const { sub, rest } = splitSubcommand('client', args, ['add', 'update', 'list', 'show', 'remove', 'rotate-secret', 'block', 'unblock']);
  const { values, positionals } = parseCommandArgs(rest, {
    name: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true }, 'grant-type': { type: 'string', multiple: true },
    scope: { type: 'string' }, public: { type: 'boolean' }, 'allow-without-pkce': { type: 'boolean' }, 'id-token-alg': { type: 'string' },
    'userinfo-only-claims': { type: 'boolean' }, dynamic: { type: 'boolean' }, 'require-mfa': { type: 'boolean' },
    'access-token-ttl': { type: 'string' }, 'id-token-ttl': { type: 'string' }, 'refresh-idle-ttl': { type: 'string' },
    'refresh-absolute-ttl': { type: 'string' }, 'refresh-grace': { type: 'string' },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    'no-post-logout-redirect-uris': { type: 'boolean' }, 'backchannel-logout-uri': { type: 'string' },
    'backchannel-logout-session-required': { type: 'boolean' },
    auth: { type: 'string' }, profile: { type: 'string' }, jwks: { type: 'string' }, 'jwks-uri': { type: 'string' },
    'require-par': { type: 'boolean' }, 'require-dpop': { type: 'boolean' },
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
          userinfoOnlyClaims: values['userinfo-only-claims'], requireMfa: values['require-mfa'], requirePar: values['require-par'], requireDpop: values['require-dpop'],
          authMethod: values.auth, jwks: values.jwks === undefined ? undefined : readJwksFile(values.jwks), jwksUri: values['jwks-uri'], profile: values.profile, lifetimes: lifetimesFrom(values),
          postLogoutRedirectUris: values['post-logout-redirect-uri'],
          backchannelLogoutUri: values['backchannel-logout-uri'], backchannelLogoutSessionRequired: values['backchannel-logout-session-required'],
        }, unixNow());
        await recordAdminAction(store, io, 'client.created', { clientId: client.id, detail: { name: client.name } });
        const secretLine = clientSecret ? `\nclient_secret                  ${clientSecret}\n\nThe client secret is shown this once; only its hash is stored.` : '';
        return printResult(io, values.json, { ...view(client), ...(clientSecret ? { client_secret: clientSecret } : {}) }, `${describe(client)}${secretLine}`);
      }
      case 'update': {
        const lifetimes = lifetimesFrom(values);
        const logout = {
          postLogoutRedirectUris: values['no-post-logout-redirect-uris'] ? [] : values['post-logout-redirect-uri'],
          backchannelLogoutUri: values['backchannel-logout-uri'], backchannelLogoutSessionRequired: values['backchannel-logout-session-required'],
        };
        const changesLogout = Object.values(logout).some((v) => v !== undefined);
        if (Object.keys(lifetimes).length === 0 && !changesLogout) {
          throw new UsageError('nothing to update: give a lifetime or logout flag such as --refresh-grace or --post-logout-redirect-uri (see latchkey client --help)');
        }
        let client = Object.keys(lifetimes).length > 0 ? await updateClientLifetimes(store, id, lifetimes, unixNow()) : undefined;
        if (changesLogout) client = await updateClientLogout(store, id, logout, unixNow());
        if (!client) throw new CliError(`no client with id ${id}`);
        return printResult(io, values.json, view(client), `updated client\n${describe(client)}`);
      }
      case 'list': {
        const clients = (await store.listClients()).filter((c) => !values.dynamic || c.registration === 'dynamic');
        const marks = (c: ClientRecord) => `${c.registration === 'dynamic' ? '  [unvetted]' : ''}${c.blockedAt ? '  [blocked]' : ''}`;
        return printResult(io, values.json, clients.map(view), clients.length === 0 ? (values.dynamic ? 'no dynamic clients' : 'no clients registered') :
          clients.map((c) => `${c.id}  ${c.isPublic ? 'public      ' : 'confidential'}  ${c.name}${marks(c)}`).join('\n'));
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
      case 'block': {
        const revoked = await blockClient(store, id, unixNow());
        return printResult(io, values.json, { blocked: id, grants_revoked: revoked },
          `blocked client ${id}: it can no longer sign users in or obtain tokens; ${revoked} grant(s) revoked (access tokens already issued expire within their lifetime)`);
      }
      case 'unblock': {
        await unblockClient(store, id, unixNow());
        return printResult(io, values.json, { unblocked: id }, `unblocked client ${id} (users must authorize it again)`);
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
