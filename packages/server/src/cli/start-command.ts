// `latchkey start`: runs the server. Refuses unsafe production settings; stops gracefully on SIGTERM/SIGINT.
// In dev mode it also starts the demo from @latchkey/examples when that package is installed (see loadDevDemo).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { configFromEnv, configFromFile, ConfigError, resolveConfig, type ConfigInput, type ServerConfig } from '../config/config.ts';
import { randomSecret } from '../crypto/random.ts';
import { createServer } from '../http/app.ts';
import { CliError } from './cli-error.ts';
import { databaseUrlFrom, devSecretPath, type CliIo } from './command-context.ts';
import { parseCommandArgs } from './parse-command-args.ts';

const USAGE = 'latchkey start [--port 4000] [--host 127.0.0.1] [--issuer URL] [--dev [--no-demo]] [--config FILE] [--database URL] [--require-par]';

/**
 * The dev-mode extension point. The server does not depend on the examples package: the module is named only at run
 * time, and a missing package is skipped. Its `startDevDemo` gets the running server and returns something to close.
 */
const EXAMPLES_PACKAGE = '@latchkey/examples';
const DEV_DEMO_MODULE = `${EXAMPLES_PACKAGE}/dev-demo`;

interface DevDemo {
  close(): Promise<void>;
}

interface DevDemoModule {
  startDevDemo(input: { app: FastifyInstance; config: ServerConfig; env: NodeJS.ProcessEnv; print: (line: string) => void }): Promise<DevDemo | undefined>;
}

export interface StartOptions {
  config: ServerConfig;
  /** Dev mode without --no-demo: load the demo. */
  demo: boolean;
}

async function loadDevDemo(app: FastifyInstance, config: ServerConfig, io: CliIo): Promise<DevDemo | undefined> {
  let demoModule: DevDemoModule;
  try {
    demoModule = await import(DEV_DEMO_MODULE) as DevDemoModule;
  } catch (error) {
    // Only the examples package itself being absent is skipped; a broken demo is an error.
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${EXAMPLES_PACKAGE}'`)) return undefined;
    throw error;
  }
  return demoModule.startDevDemo({ app, config, env: io.env, print: (line) => io.stdout(`${line}\n`) });
}

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

export function startConfig(args: string[], env: NodeJS.ProcessEnv): StartOptions | undefined {
  const { values } = parseCommandArgs(args, {
    port: { type: 'string' }, host: { type: 'string' }, issuer: { type: 'string' }, dev: { type: 'boolean' }, config: { type: 'string' },
    'no-demo': { type: 'boolean' }, 'require-par': { type: 'boolean' },
  }, { min: 0, max: 0, command: 'start' });
  if (values.help) return undefined;
  const flags: ConfigInput = {};
  if (values.port !== undefined) flags.port = values.port;
  if (values.host !== undefined) flags.host = values.host;
  if (values.issuer !== undefined) flags.issuer = values.issuer;
  if (values.dev) flags.dev = true;
  if (values['require-par']) flags.requirePushedAuthorizationRequests = true;
  flags.databaseUrl = databaseUrlFrom(values.database, env);
  const layers = [values.config ? configFromFile(values.config) : {}, configFromEnv(env), flags];
  const dev = resolveConfig(...layers, { secret: 'x'.repeat(32), dev: flags.dev ?? undefined }).dev;
  if (dev && !env.LATCHKEY_SECRET) layers.push({ secret: devSecret(String(flags.databaseUrl)) });
  const config = resolveConfig(...layers);
  return { config, demo: config.dev && !values['no-demo'] };
}

export async function startCommand(args: string[], io: CliIo): Promise<void> {
  let options: StartOptions | undefined;
  try {
    options = startConfig(args, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  if (!options) return void io.stdout(`usage: ${USAGE}\n`);
  const { config } = options;
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

  let demo: DevDemo | undefined;
  if (options.demo) {
    try {
      demo = await loadDevDemo(app, config, io);
    } catch (error) {
      await app.close();
      throw new CliError(`demo: ${(error as Error).message?.split('\n')[0] ?? String(error)}`);
    }
  }

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'stopping: finishing in-flight requests');
      (demo ? demo.close() : Promise.resolve()).then(() => app.close()).then(resolve, (error: unknown) => {
        app.log.error({ err: error }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
