// `latchkey api add|list|update|remove`
import { addApiExchanger, removeApiExchanger } from '../apis/api-exchangers.ts';
import { addApiIntrospector, removeApiIntrospector } from '../apis/api-introspectors.ts';
import { registerApi } from '../apis/register-api.ts';
import { RegistrationError } from '../clients/register-client.ts';
import { unixNow } from '../server-context.ts';
import { StoreConflict } from '../store/store.ts';
import type { ApiRecord } from '../store/records.ts';
import { recordAdminAction } from './admin-audit.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey api add --identifier URI [--name NAME] --scope NAME=DESCRIPTION ... [--introspector CLIENT_ID]... [--exchange-client CLIENT_ID]...
       latchkey api update IDENTIFIER [--introspector CLIENT_ID]... [--remove-introspector CLIENT_ID]...
                                      [--exchange-client CLIENT_ID]... [--remove-exchange-client CLIENT_ID]...
       latchkey api list | remove IDENTIFIER   [--database URL] [--json]
An introspector is a confidential client (usually the API's own) allowed to introspect the API's tokens (RFC 7662 §2.2).
An exchange client is a confidential client registered for urn:ietf:params:oauth:grant-type:token-exchange that may exchange
a user's access token for a token of this API (RFC 8693; docs/token-exchange.md). No client may by default.`;

const view = (a: ApiRecord) => ({
  identifier: a.identifier, name: a.name, scopes: a.scopes, introspectors: a.introspectors, exchange_clients: a.exchangers, created_at: isoTime(a.createdAt),
});

const describe = (a: ApiRecord) => `${a.identifier}  (${a.name})\n${a.scopes.map((s) => `  ${s.name.padEnd(24)} ${s.description}`).join('\n')}`
  + `\n  introspectors: ${a.introspectors.length > 0 ? a.introspectors.join(' ') : '(none: only a token\'s own client may introspect it)'}`
  + `\n  exchange clients: ${a.exchangers.length > 0 ? a.exchangers.join(' ') : '(none: no client may exchange tokens for this API)'}`;

export async function apiCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('api', args, ['add', 'list', 'update', 'remove']);
  const onePositional = sub === 'remove' || sub === 'update';
  const { values, positionals } = parseCommandArgs(rest, {
    identifier: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string', multiple: true },
    introspector: { type: 'string', multiple: true }, 'remove-introspector': { type: 'string', multiple: true },
    'exchange-client': { type: 'string', multiple: true }, 'remove-exchange-client': { type: 'string', multiple: true },
  }, { min: onePositional ? 1 : 0, max: onePositional ? 1 : 0, command: 'api' });
  if (values.help || !sub) return void io.stdout(`usage: ${USAGE}\n`);
  const store = await openMigratedStore(databaseUrlFrom(values.database, io.env));
  try {
    switch (sub) {
      case 'add': {
        if (!values.identifier) throw new UsageError(`--identifier is required (see latchkey api --help)`);
        const api = await registerApi(store, {
          identifier: values.identifier, name: values.name, scopes: values.scope ?? [], introspectors: values.introspector ?? [],
          exchangers: values['exchange-client'] ?? [],
        }, unixNow());
        await recordAdminAction(store, io, 'api.created', { detail: { identifier: api.identifier, scopes: api.scopes.map((s) => s.name) } });
        return printResult(io, values.json, view(api), `registered API ${describe(api)}`);
      }
      case 'update': {
        const identifier = positionals[0] ?? '';
        const added = values.introspector ?? [];
        const removed = values['remove-introspector'] ?? [];
        const addedExchangers = values['exchange-client'] ?? [];
        const removedExchangers = values['remove-exchange-client'] ?? [];
        if (added.length + removed.length + addedExchangers.length + removedExchangers.length === 0) {
          throw new UsageError('nothing to update: give --introspector, --remove-introspector, --exchange-client or --remove-exchange-client (see latchkey api --help)');
        }
        for (const clientId of added) await addApiIntrospector(store, identifier, clientId);
        for (const clientId of removed) await removeApiIntrospector(store, identifier, clientId);
        for (const clientId of addedExchangers) await addApiExchanger(store, identifier, clientId);
        for (const clientId of removedExchangers) await removeApiExchanger(store, identifier, clientId);
        const api = (await store.listApis()).find((a) => a.identifier === identifier);
        if (!api) throw new CliError(`no API with identifier ${identifier}`);
        await recordAdminAction(store, io, 'api.introspectors_changed', { detail: { identifier, added, removed } });
        return printResult(io, values.json, view(api), `updated API ${describe(api)}`);
      }
      case 'list': {
        const apis = await store.listApis();
        return printResult(io, values.json, apis.map(view), apis.length === 0 ? 'no APIs registered' : apis.map(describe).join('\n'));
      }
      case 'remove': {
        const identifier = positionals[0] ?? '';
        if (!(await store.deleteApi(identifier))) throw new CliError(`no API with identifier ${identifier}`);
        await store.bumpCacheVersion('apis');
        await recordAdminAction(store, io, 'api.removed', { detail: { identifier } });
        return printResult(io, values.json, { removed: identifier }, `removed API ${identifier}`);
      }
      default:
        throw new UsageError(`unknown subcommand "api ${sub}" (see latchkey api --help)`);
    }
  } catch (error) {
    if (error instanceof RegistrationError || error instanceof StoreConflict) throw new CliError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}
