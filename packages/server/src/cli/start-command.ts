// `latchkey start`: runs the server. Refuses unsafe production settings; stops gracefully on SIGTERM/SIGINT.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { configFromEnv, configFromFile, ConfigError, resolveConfig, type ConfigInput, type ServerConfig } from '../config/config.ts';
import { randomSecret } from '../crypto/random.ts';
import { createServer } from '../http/app.ts';
import { CliError } from './cli-error.ts';
import { databaseUrlFrom, devSecretPath, type CliIo } from './command-context.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const USAGE = 'latchkey start [--port 4000] [--host 127.0.0.1] [--issuer URL] [--dev] [--config FILE] [--database URL]';

/** Dev mode keeps a generated secret beside the database, so keys survive restarts without any setup. */
function devSecret(databaseUrl: string): string {
  const path = devSecretPath(databaseUrl);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomSecret(48);
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return secret;
}

export function startConfig(args: string[], env: NodeJS.ProcessEnv): ServerConfig | undefined {
  const { values } = parseCommandArgs(args, {
    port: { type: 'string' }, host: { type: 'string' }, issuer: { type: 'string' }, dev: { type: 'boolean' }, config: { type: 'string' },
  }, { min: 0, max: 0, command: 'start' });
  if (values.help) return undefined;
  const flags: ConfigInput = {};
  if (values.port !== undefined) flags.port = values.port;
  if (values.host !== undefined) flags.host = values.host;
  if (values.issuer !== undefined) flags.issuer = values.issuer;
  if (values.dev) flags.dev = true;
  flags.databaseUrl = databaseUrlFrom(values.database, env);
  const layers = [values.config ? configFromFile(values.config) : {}, configFromEnv(env), flags];
  const dev = resolveConfig(...layers, { secret: 'x'.repeat(32), dev: flags.dev ?? undefined }).dev;
  if (dev && !env.LATCHKEY_SECRET) layers.push({ secret: devSecret(String(flags.databaseUrl)) });
  return resolveConfig(...layers);
}

export async function startCommand(args: string[], io: CliIo): Promise<void> {
  let config: ServerConfig | undefined;
  try {
    config = startConfig(args, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  if (!config) return void io.stdout(`usage: ${USAGE}\n`);
  if (config.dev) io.stderr('latchkey: dev mode: http issuers allowed and a generated secret in use; never use --dev in production\n');

  const app = await createServer(config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${config.port} on ${config.host} is already in use: stop the other process or choose another with --port`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on port ${config.port}: choose a port above 1023 with --port`);
    throw error;
  }
  app.log.info({ issuer: config.issuer, database: config.databaseUrl.replace(/\/\/[^@]*@/, '//***@') }, 'latchkey ready');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'stopping: finishing in-flight requests');
      app.close().then(resolve, (error: unknown) => {
        app.log.error({ err: error }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
