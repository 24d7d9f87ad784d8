// Starts one server under test in its own child process (so the load generator, in this process, does
// not share its event loop) and stops it again. Every child gets the same Node flags and environment.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { POSTGRES_URL_ENV, SERVER_SETUP_ENV, type ChildMessage, type ParentMessage, type ReadyMessage, type ServerName, type ServerSetup } from './child-protocol.ts';

const ENTRY_POINTS: Record<ServerName, string> = {
  latchkey: fileURLToPath(new URL('./latchkey-server.ts', import.meta.url)),
  'latchkey-postgres': fileURLToPath(new URL('./latchkey-server.ts', import.meta.url)),
  'oidc-provider': fileURLToPath(new URL('./oidc-provider-server.ts', import.meta.url)),
  ceiling: fileURLToPath(new URL('./ceiling-server.ts', import.meta.url)),
};

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface LaunchOptions {
  /** Write a V8 CPU profile of the child into this directory (node --cpu-prof). */
  cpuProfDir?: string;
  /** The profile's file name (without .cpuprofile); default the server's name. */
  cpuProfName?: string;
  /** latchkey-postgres: the PostgreSQL server to use. */
  postgresUrl?: string;
  /** How the server is configured (scenarios.ts); default ES256, Latchkey at warn, JWT access tokens. */
  setup?: ServerSetup;
}

export interface RunningServer {
  ready: ReadyMessage;
  pid: number;
  /** The child's CPU time so far, in microseconds (user + system). */
  cpuMicros(): Promise<number>;
  /** The child's resident set size, in bytes. */
  rssBytes(): Promise<number>;
  /** Asks the child to close its server and exit; kills it if it does not within a few seconds. */
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** One compile cache for the bench's children (git-ignored with the results). */
const COMPILE_CACHE_DIR = fileURLToPath(new URL('../results/compile-cache', import.meta.url));

export function launchServer(name: ServerName, options: LaunchOptions = {}): Promise<RunningServer> {
  if (name === 'latchkey-postgres' && !options.postgresUrl) throw new Error('latchkey-postgres needs a PostgreSQL URL');
  // The workspace's packages resolve to their sources (as under npm run, whose .npmrc sets the same condition).
  const execArgv = ['--disable-warning=ExperimentalWarning', '--conditions=latchkey-source'];
  if (options.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${options.cpuProfName ?? name}.cpuprofile`);
  // At log level info Latchkey writes a line per request to stdout: to /dev/null, so the bench's own output stays
  // readable and the cost measured is the server's (serialising and writing), not a terminal's. Otherwise a child's
  // stdout (warnings) goes to the bench's stderr, so that `--json` output stays JSON.
  const quiet = options.setup?.latchkeyLogLevel === 'info';
  const child = fork(ENTRY_POINTS[name], [], {
    execArgv,
    env: {
      // Node's compile cache for every child alike, as `latchkey start` enables it (bin/latchkey.js): from the second
      // start of a server on, its modules are not compiled again.
      NODE_COMPILE_CACHE: COMPILE_CACHE_DIR,
      ...process.env, NODE_ENV: 'production', [POSTGRES_URL_ENV]: name === 'latchkey-postgres' ? options.postgresUrl : '',
      [SERVER_SETUP_ENV]: options.setup ? JSON.stringify(options.setup) : '',
    },
    stdio: ['ignore', quiet ? 'ignore' : 2, 'inherit', 'ipc'],
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
      child.kill('SIGKILL');
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
  };

  /** Sends `type` to the child and waits for its answer of the same type. */
  const ask = <T extends ChildMessage>(type: 'cpu-usage' | 'memory') => new Promise<T>((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      clearTimeout(timer);
      resolve(message as T);
    };
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${name}: no answer to a ${type} request`));
    }, STOP_TIMEOUT_MS);
    child.on('message', onMessage);
    child.send({ type } satisfies ParentMessage);
  });
  const cpuMicros = async () => {
    const usage = await ask<Extract<ChildMessage, { type: 'cpu-usage' }>>('cpu-usage');
    return usage.user + usage.system;
  };
  const rssBytes = async () => (await ask<Extract<ChildMessage, { type: 'memory' }>>('memory')).rss;

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name}: server did not report ready within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`${name}: server process exited before it was ready (code ${code}, signal ${signal})`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${name}: cannot start server process: ${error.message}`));
    });
    child.once('message', (message: ChildMessage) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      if (message.type === 'ready') resolve({ ready: message, pid: child.pid ?? 0, cpuMicros, rssBytes, stop });
      else {
        void stop();
        reject(new Error(`${name}: server failed to start:\n${message.type === 'failed' ? message.error : 'unexpected message'}`));
      }
    });
  });
}
