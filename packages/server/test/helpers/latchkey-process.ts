// Runs the real `latchkey` executable as a child process, for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const LATCHKEY_BIN = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));
// --conditions=latchkey-source: the bin then runs the server itself instead of starting it again as a child, so a
// signal sent to the process (SIGKILL above all) reaches the server, whatever NODE_OPTIONS the test runs with.
const NODE_FLAGS = ['--experimental-strip-types', '--experimental-sqlite', '--disable-warning=ExperimentalWarning', '--conditions=latchkey-source'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a latchkey command to completion. */
export function runLatchkey(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<RunResult> {
  return runProcess(process.execPath, [...NODE_FLAGS, LATCHKEY_BIN, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdin: options.stdin });
}

/** Runs any command to completion with exactly the environment given, collecting its output. */
export function runProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

export interface RunningServer {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `latchkey start ...` and resolves once it logged "latchkey ready" (or rejects with its output). */
export function startLatchkey(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunningServer> {
  const child = spawn(process.execPath, [...NODE_FLAGS, LATCHKEY_BIN, 'start', ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`latchkey did not start in time:\n${output}`));
    }, options.timeoutMs ?? 60_000); // generous for a loaded machine; a healthy start takes about a second
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('"msg":"latchkey ready"')) {
        clearTimeout(timer);
        resolve({ child, output: () => output, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`latchkey exited with ${code} before it was ready:\n${output}`));
    });
  });
}
