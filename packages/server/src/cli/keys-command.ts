// `latchkey keys list|rotate [--alg RS256|ES256|EdDSA]`
import { resolveConfig, configFromEnv } from '../config/config.ts';
import { KeyRing } from '../keys/key-ring.ts';
import { unixNow } from '../server-context.ts';
import { SIGNING_ALGS, type SigningAlg } from '../store/records.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, resolveSecret, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = 'latchkey keys list | rotate [--alg RS256|ES256|EdDSA]   [--database URL] [--json]';

export async function keysCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('keys', args, ['list', 'rotate']);
  const { values } = parseCommandArgs(rest, { alg: { type: 'string' } }, { min: 0, max: 0, command: 'keys' });
  if (values.help || !sub) return void io.stdout(`usage: ${USAGE}\n`);
  const alg = (values.alg ?? 'ES256') as SigningAlg;
  if (!SIGNING_ALGS.includes(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  const databaseUrl = databaseUrlFrom(values.database, io.env);
  const store = await openMigratedStore(databaseUrl);
  try {
    const now = unixNow();
    switch (sub) {
      case 'list': {
        const keys = (await store.listSigningKeys(now)).map((k) => ({
          kid: k.kid, alg: k.alg, status: k.retiredAt === null ? 'active' : 'retired', created_at: isoTime(k.createdAt),
          retired_at: isoTime(k.retiredAt), published_until: isoTime(k.expiresAt),
        }));
        return printResult(io, values.json, keys, keys.length === 0 ? 'no signing keys yet (the first start creates them)' :
          keys.map((k) => `${k.kid}  ${k.alg.padEnd(5)}  ${k.status.padEnd(7)}  created ${k.created_at}${k.published_until ? `  published until ${k.published_until}` : ''}`).join('\n'));
      }
      case 'rotate': {
        const secret = resolveSecret(io.env, databaseUrl);
        if (!secret) throw new CliError('LATCHKEY_SECRET is required to create a signing key (its private part is encrypted with it)');
        // Retired keys stay published for the longest token lifetime the server is configured with.
        const config = resolveConfig(configFromEnv(io.env), { secret, dev: true });
        const ring = new KeyRing(store, secret, Math.max(config.accessTokenTtl, config.idTokenTtl));
        const key = await ring.rotate(alg, now);
        return printResult(io, values.json, { kid: key.kid, alg: key.alg, created_at: isoTime(key.createdAt) },
          `new ${alg} signing key ${key.kid} is active; the previous ${alg} key stays in the JWKS until its tokens have expired`);
      }
      default:
        throw new UsageError(`unknown subcommand "keys ${sub}" (see latchkey keys --help)`);
    }
  } finally {
    await store.close();
  }
}
