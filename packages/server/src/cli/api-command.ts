// `latchkey api add|list|remove`
import { registerApi } from '../apis/register-api.ts';
import { RegistrationError } from '../clients/register-client.ts';
import { unixNow } from '../server-context.ts';
import { StoreConflict } from '../store/store.ts';
import type { ApiRecord } from '../store/records.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey api add --identifier URI [--name NAME] --scope NAME=DESCRIPTION ...
       latchkey api list | remove IDENTIFIER   [--database URL] [--json]`;

const view = (a: ApiRecord) => ({ identifier: a.identifier, name: a.name, scopes: a.scopes, created_at: isoTime(a.createdAt) });

export async function apiCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('api', args, ['add', 'list', 'remove']);
  const { values, positionals } = parseCommandArgs(rest, {
    identifier: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string', multiple: true },
  }, { min: sub === 'remove' ? 1 : 0, max: sub === 'remove' ? 1 : 0, command: 'api' });
  if (values.help || !sub) return void io.stdout(`usage: ${USAGE}\n`);
  const store = await openMigratedStore(databaseUrlFrom(values.database, io.env));
  try {
    switch (sub) {
      case 'add': {
        if (!values.identifier) throw new UsageError(`--identifier is required (see latchkey api --help)`);
        const api = await registerApi(store, { identifier: values.identifier, name: values.name, scopes: values.scope ?? [] }, unixNow());
        return printResult(io, values.json, view(api), `registered API ${api.identifier}\n${api.scopes.map((s) => `  ${s.name.padEnd(24)} ${s.description}`).join('\n')}`);
      }
      case 'list': {
        const apis = await store.listApis();
        return printResult(io, values.json, apis.map(view), apis.length === 0 ? 'no APIs registered' :
          apis.map((a) => `${a.identifier}  (${a.name})\n${a.scopes.map((s) => `  ${s.name.padEnd(24)} ${s.description}`).join('\n')}`).join('\n'));
      }
      case 'remove': {
        const identifier = positionals[0] ?? '';
        if (!(await store.deleteApi(identifier))) throw new CliError(`no API with identifier ${identifier}`);
        await store.bumpCacheVersion('apis');
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
