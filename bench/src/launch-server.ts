// Starts one server under test in its own child process (so the load generator, in this process, does
// not share its event loop) and stops it again. Every child gets the same Node flags and environment.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { POSTGRES_URL_ENV, type ChildMessage, type ParentMessage, type ReadyMessage, type ServerName } from './child-protocol.ts';

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
  /** latchkey-postgres: the PostgreSQL server to use. */
  postgresUrl?: string;
}

export interface RunningServer {
  ready: ReadyMessage;
  pid: number;
  /** The child's CPU time so far, in microseconds (user + system). */
  cpuMicros(): Promise<number>;
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

export function launchServer(name: ServerName, options: LaunchOptions = {}): Promise<RunningServer> {
  if (name === 'latchkey-postgres' && !options.postgresUrl) throw new Error('latchkey-postgres needs a PostgreSQL URL');
  const execArgv = ['--disable-warning=ExperimentalWarning'];
  if (options.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`, `--cpu-prof-name=${name}.cpuprofile`);
  const child = fork(ENTRY_POINTS[name], [], {
    execArgv,
    env: { ...process.env, NODE_ENV: 'production', [POSTGRES_URL_ENV]: name === 'latchkey-postgres' ? options.postgresUrl : '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
      child.kill('SIGKILL');
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
  };

  const cpuMicros = () => new Promise<number>((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== 'cpu-usage') return;
      child.off('message', onMessage);
      clearTimeout(timer);
      resolve(message.user + message.system);
    };
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${name}: no answer to a CPU usage request`));
    }, STOP_TIMEOUT_MS);
    child.on('message', onMessage);
    child.send({ type: 'cpu-usage' } satisfies ParentMessage);
  });

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
      if (message.type === 'ready') resolve({ ready: message, pid: child.pid ?? 0, cpuMicros, stop });
      else {
        void stop();
        reject(new Error(`${name}: server failed to start:\n${message.type === 'failed' ? message.error : 'unexpected message'}`));
      }
    });
  });
}
