// `npm start` as a real process: the root script's command (`latchkey start --dev --host localhost`) run directly, so
// that SIGTERM reaches the latchkey process itself (npm would not pass it on to the script's process), on free ports
// and a temporary data directory: the three ports answer, the console tells the truth, SIGTERM stops everything with 0.
// Also: a second start changes nothing, a busy demo port is one clear line, --no-demo and production mode start no demo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './support/demo-harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const LATCHKEY_BIN = join(ROOT, 'packages', 'server', 'bin', 'latchkey.js');
const rootScripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs a command with its output collected; `env` adds to the current environment. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** What `npm start` runs: the root package.json start script, `latchkey <args>`. */
function npmStart(env: NodeJS.ProcessEnv): Running {
  const [command, ...args] = rootScripts.start!.split(' ');
  assert.equal(command, 'latchkey');
  return latchkey(args, env);
}

function latchkey(args: string[], env: NodeJS.ProcessEnv): Running {
  return run(process.execPath, [LATCHKEY_BIN, ...args], env);
}

async function waitFor(running: Running, text: string | RegExp, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const found = () => (typeof text === 'string' ? running.output().includes(text) : text.test(running.output()));
  while (!found()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; output so far:\n${running.output()}`);
    if (running.child.exitCode !== null) throw new Error(`exited with ${running.child.exitCode} before ${String(text)}:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function answers(url: string): Promise<number> {
  return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
}

async function refused(port: number): Promise<boolean> {
  try {
    await fetch(`http://localhost:${port}/`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

async function stop(running: Running): Promise<number | null> {
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

async function ports() {
  return { server: await freePort(), api: await freePort(), importer: await freePort() };
}

function demoEnv(dir: string, p: { server: number; api: number; importer: number }): NodeJS.ProcessEnv {
  return {
    LATCHKEY_DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`, LATCHKEY_PORT: String(p.server),
    LATCHKEY_DEMO_API_PORT: String(p.api), LATCHKEY_DEMO_IMPORTER_PORT: String(p.importer), LATCHKEY_SECRET: '',
  };
}

test('the root start script is latchkey start --dev on localhost', () => {
  assert.equal(rootScripts.start, 'latchkey start --dev --host localhost');
  assert.match(rootScripts['demo:sync']!, / examples\/sync-job\/sync\.ts$/);
  assert.match(rootScripts['demo:device']!, / examples\/device-cli\/device-login\.ts$/);
});

test('npm start runs the server, the Contacts API and the importer, prints the truth, and stops on SIGTERM with 0', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-npm-start-'));
  try {
    const p = await ports();
    const first = npmStart(demoEnv(dir, p));
    try {
      await waitFor(first, 'Sign in as');
      await waitFor(first, /Created on this start: .*\n/);
      assert.equal(await answers(`http://localhost:${p.server}/healthz`), 200);
      assert.equal(await answers(`http://localhost:${p.api}/healthz`), 200);
      assert.equal(await answers(`http://localhost:${p.importer}/`), 200);
      const out = first.output();
      assert.match(out, new RegExp(`Authorization server +http://localhost:${p.server}/`));
      assert.match(out, new RegExp(`Contacts API +http://localhost:${p.api}/`));
      assert.match(out, new RegExp(`Contacts Importer +http://localhost:${p.importer}/ .*Connect your contacts`));
      assert.match(out, /npm run demo:sync/);
      assert.match(out, new RegExp(`npm run demo:device .*http://localhost:${p.server}/device`));
      const state = JSON.parse(readFileSync(join(dir, 'demo-clients.json'), 'utf8')) as { user: { username: string; password: string }; importer: { clientSecret: string }; deviceCli: { clientId: string } };
      assert.match(state.deviceCli.clientId, /^[\w-]+$/, 'the device CLI\'s public client is registered for npm run demo:device');
      assert.equal(statSync(join(dir, 'demo-clients.json')).mode & 0o777, 0o600);
      assert.match(out, new RegExp(`username: ${state.user.username} +password: ${state.user.password.replace(/-/g, '\\-')}\\b`));
      assert.ok(!out.includes(state.importer.clientSecret), 'client secrets are never printed');
      // The discovery document says the issuer is on localhost, as the importer's redirect URI and cookies need.
      const metadata = await (await fetch(`http://localhost:${p.server}/.well-known/openid-configuration`)).json() as { issuer: string };
      assert.equal(metadata.issuer, `http://localhost:${p.server}`);
    } finally {
      const code = await stop(first);
      assert.equal(code, 0, first.output());
    }
    for (const port of [p.server, p.api, p.importer]) assert.ok(await refused(port), `port ${port} still answers after SIGTERM`);
    assert.match(first.output(), /stopping: finishing in-flight requests/);

    // A second start finds everything in place: nothing is created and the same password is printed.
    const before = readFileSync(join(dir, 'demo-clients.json'), 'utf8');
    const second = latchkey(['start', '--dev', '--host', 'localhost'], demoEnv(dir, p));
    try {
      await waitFor(second, 'Sign in as');
      assert.doesNotMatch(second.output(), /Created on this start/);
      assert.equal(readFileSync(join(dir, 'demo-clients.json'), 'utf8'), before);
    } finally {
      assert.equal(await stop(second), 0, second.output());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a demo port in use is one clear line naming the port and the variable to change it; exit code 1', { timeout: 30_000 }, async () => {
  // The free ports are picked before the start; another process on the machine (a parallel test) may take one of the
  // other two meanwhile. That collision is the environment's, not the behaviour under test: try again with new ports.
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-busy-'));
    const p = await ports();
    const blocker: Server = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(p.importer, 'localhost', resolve));
    try {
      const running = latchkey(['start', '--dev', '--host', 'localhost'], demoEnv(dir, p));
      assert.equal(await running.exited, 1, running.output());
      const errors = running.output().split('\n').filter((line) => line.startsWith('latchkey: demo:'));
      assert.equal(errors.length, 1, running.output());
      if (attempt < 3 && !errors[0]!.includes(`port ${p.importer} `) && /is already in use/.test(errors[0]!)) continue;
      assert.match(errors[0]!, new RegExp(`port ${p.importer} \\(Contacts Importer\\) is already in use: .*LATCHKEY_DEMO_IMPORTER_PORT=PORT.*--no-demo`));
      assert.ok(await refused(p.server), 'the server stopped too');
      assert.ok(await refused(p.api), 'the Contacts API stopped too');
      return;
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('--no-demo, a 127.0.0.1 issuer and production mode start no demo', { timeout: 45_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-no-demo-'));
  try {
    const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; says?: RegExp }> = [
      { args: ['start', '--dev', '--host', 'localhost', '--no-demo'] },
      { args: ['start', '--dev'], says: /demo not started: the demo runs on http:\/\/localhost .*--host localhost/ },
      { args: ['start', '--host', 'localhost'], env: { LATCHKEY_SECRET: 'production-secret-that-is-long-enough-0123456789' } },
    ];
    for (const [index, { args, env, says }] of cases.entries()) {
      const p = await ports();
      const running = latchkey(args, { ...demoEnv(join(dir, String(index)), p), ...env });
      try {
        await waitFor(running, '"msg":"latchkey ready"');
        if (says) await waitFor(running, says);
        else await new Promise((resolve) => setTimeout(resolve, 500));
        assert.ok(await refused(p.api), `${args.join(' ')}: no Contacts API`);
        assert.ok(await refused(p.importer), `${args.join(' ')}: no importer`);
        assert.doesNotMatch(running.output(), /Sign in as/);
      } finally {
        assert.equal(await stop(running), 0, running.output());
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
