// `latchkey keys list | rotate [--alg A] [--immediately] | revoke <kid>`: the signing-key lifecycle (issue 18).
import { resolveConfig, configFromEnv } from '../config/config.ts';
import { keyState, lifecyclePolicy } from '../keys/key-lifecycle.ts';
import { KeyRing } from '../keys/key-ring.ts';
import { unixNow } from '../server-context.ts';
import { SIGNING_ALGS, type SigningAlg } from '../store/records.ts';
import { cliAuditStore } from './admin-audit.ts';
import { CliError, UsageError } from './cli-error.ts';
import { databaseUrlFrom, isoTime, openMigratedStore, printResult, resolveSecret, type CliIo } from './command-context.ts';
import { parseCommandArgs, splitSubcommand } from './parse-command-args.ts';

const USAGE = `latchkey keys list | rotate [--alg RS256|ES256|EdDSA] [--immediately] | revoke KID   [--database URL] [--json]

  list      every published key: state (published, active, retired), when it was published, starts and stops signing,
            and when it leaves the JWKS
  rotate    stage a new key for --alg (default: every algorithm): published now, signing after
            LATCHKEY_KEY_PUBLISH_LEAD_TIME seconds; --immediately signs at once (after replacing LATCHKEY_SECRET)
  revoke    remove a compromised key from the JWKS at once: tokens it signed stop verifying once verifiers refresh the
            JWKS, and a new key of its algorithm signs at once, without lead time`;

export async function keysCommand(args: string[], io: CliIo): Promise<void> {
  const { sub, rest } = splitSubcommand('keys', args, ['list', 'rotate', 'revoke']);
  const { values, positionals } = parseCommandArgs(rest, { alg: { type: 'string' }, immediately: { type: 'boolean' } },
    { min: 0, max: sub === 'revoke' ? 1 : 0, command: 'keys' });
  if (values.help || !sub) return void io.stdout(`usage: ${USAGE}\n`);
  const algs = values.alg === undefined ? [...SIGNING_ALGS] : [values.alg as SigningAlg];
  if (!algs.every((alg) => SIGNING_ALGS.includes(alg))) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
  if (sub === 'revoke' && positionals.length !== 1) throw new UsageError('keys revoke needs the kid of the key to remove (see latchkey keys list)');
  const databaseUrl = databaseUrlFrom(values.database, io.env);
  const store = await openMigratedStore(databaseUrl);
  try {
    const now = unixNow();
    if (sub === 'list') {
      const keys = (await store.listSigningKeys(now)).map((k) => ({
        kid: k.kid, alg: k.alg, state: keyState(k, now), published_at: isoTime(k.createdAt), signs_from: isoTime(k.activatesAt),
        signs_until: isoTime(k.retiredAt), published_until: isoTime(k.expiresAt),
      }));
      return printResult(io, values.json, keys, keys.length === 0 ? 'no signing keys yet (the first start creates them)' :
        keys.map((k) => `${k.kid}  ${k.alg.padEnd(5)}  ${k.state.padEnd(9)}  published ${k.published_at}  signs from ${k.signs_from}`
          + `${k.signs_until ? `  until ${k.signs_until}` : ''}${k.published_until ? `  in the JWKS until ${k.published_until}` : ''}`).join('\n'));
    }
    const secret = resolveSecret(io.env, databaseUrl);
    if (!secret) throw new CliError('LATCHKEY_SECRET is required to create a signing key (its private part is encrypted with it)');
    // The lead time and how long retired keys stay published come from the server's configuration (LATCHKEY_* env).
    const config = resolveConfig(configFromEnv(io.env), { secret, dev: true });
    const ring = new KeyRing(cliAuditStore(store, io), secret, lifecyclePolicy(config), unixNow);
    if (sub === 'revoke') {
      const kid = positionals[0]!;
      const result = await ring.revoke(kid, now, 'cli');
      if (!result) throw new CliError(`no signing key with kid ${kid} (see latchkey keys list)`);
      return printResult(io, values.json, { revoked: kid, alg: result.alg, signing_kid: result.signingKid },
        `removed ${result.alg} key ${kid} from the JWKS: tokens it signed stop verifying once verifiers refresh their JWKS cache`
        + (result.signingKid ? `; ${result.signingKid} signs ${result.alg} from now on` : ''));
    }
    if (sub === 'rotate') {
      const results = [];
      for (const alg of algs) results.push(await ring.rotate(alg, now, { immediately: values.immediately === true, by: 'cli' }));
      const rows = results.map(({ staged, key }) => ({ kid: key.kid, alg: key.alg, staged, published_at: isoTime(key.createdAt), signs_from: isoTime(key.activatesAt) }));
      return printResult(io, values.json, rows, rows.map((r) => r.staged
        ? `new ${r.alg} key ${r.kid} is published; it signs from ${r.signs_from}, and the previous ${r.alg} key stays in the JWKS until its tokens have expired`
        : `a new ${r.alg} key ${r.kid} is already published and signs from ${r.signs_from}; nothing to do`).join('\n'));
    }
    throw new UsageError(`unknown subcommand "keys ${sub}" (see latchkey keys --help)`);
  } finally {
    await store.close();
  }
}
