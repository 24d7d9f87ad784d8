// The published packages as a user gets them: `npm pack` every package, install the tarballs into a project in a
// temporary folder outside the repository (no workspace links, no access to the repository's node_modules; npm's cache
// and the registry only), and use them there: ESM and CommonJS, TypeScript (node16, nodenext, bundler; skipLibCheck
// false), the installed `latchkey` CLI, a client-credentials token checked by Express and Fastify APIs on
// @latchkey/resource, and a sign-in through a BFF on @latchkey/client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { FetchBrowser } from '../packages/server/test/helpers/fetch-browser.ts';
import { freePort, runProcess, type RunResult } from '../packages/server/test/helpers/latchkey-process.ts';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(import.meta.dirname, 'packed-consumer');
const PACKAGES = ['@latchkey/sqlite', '@latchkey/resource', '@latchkey/client', '@latchkey/server'];
const SECRET = 'packed-test-secret-0123456789-0123456789-abcdef';
const PASSWORD = 'correct horse battery staple';

/** The environment of a new shell: nothing of this repository's npm configuration (its NODE_OPTIONS, npm_* variables). */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === 'NODE_OPTIONS' || /^npm_/i.test(name) || name.startsWith('LATCHKEY_')) continue;
    env[name] = value;
  }
  return { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<RunResult> {
  return runProcess(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), stdin: options.input });
}

async function ok(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<string> {
  const result = await run(command, args, options);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} failed:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** A long-running process in its own process group, so SIGTERM reaches npx's child too. */
class Background {
  readonly child: ChildProcess;
  output = '';
  constructor(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d));
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (this.child.exitCode !== null) throw new Error(`exited with ${this.child.exitCode} before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    try {
      process.kill(-this.child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    await exited;
  }
}

interface PackResult {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

describe('the packed packages, installed outside the repository', { timeout: 240_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'latchkey-packed-'));
  const app = join(work, 'app');
  const tarballs = join(work, 'tarballs');
  const background: Background[] = [];
  let packed: PackResult[] = [];
  const repoRange = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[name]!;
  const tsc = (() => {
    const manifest = join(ROOT, 'node_modules', 'typescript', 'package.json');
    return join(dirname(manifest), (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { tsc: string } }).bin.tsc);
  })();

  before(async () => {
    assert.ok(relative(ROOT, work).startsWith('..'), 'the scratch project is outside the repository');
    mkdirSync(tarballs);
    mkdirSync(app);
    const pack = await ok('npm', ['pack', ...PACKAGES.flatMap((name) => ['--workspace', name]), '--pack-destination', tarballs, '--json', '--silent'], { cwd: ROOT });
    packed = JSON.parse(pack.slice(pack.indexOf('[\n'))) as PackResult[];
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module', allowScripts: { argon2: true } }, null, 2));
    for (const file of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, file), join(app, file));
    await ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed.map((p) => join(tarballs, p.filename)),
      `express@${repoRange('express')}`, `fastify@${repoRange('fastify')}`, `@types/node@${repoRange('@types/node')}`,
      `@types/express@${repoRange('@types/express')}`], { cwd: app });
  });

  after(async () => {
    for (const running of background) await running.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('each tarball holds the build only: dist/ with .d.ts and source maps, README, LICENSE, CHANGELOG', () => {
    assert.deepEqual(packed.map((p) => p.name).sort(), [...PACKAGES].sort());
    for (const p of packed) {
      const paths = p.files.map((f) => f.path);
      for (const required of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map']) {
        assert.ok(paths.includes(required), `${p.name} ships ${required}`);
      }
      for (const path of paths) {
        assert.match(path, /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts|js\.map)|bin\/[a-z-]+\.js)$/, `${p.name}: ${path}`);
        if (path.startsWith('dist/') && path.endsWith('.js')) {
          assert.ok(paths.includes(path.replace(/\.js$/, '.d.ts')) && paths.includes(`${path}.map`), `${p.name}: ${path} has types and a map`);
        }
      }
    }
  });

  test('the packages are installed from the tarballs, not linked to the repository', () => {
    for (const name of PACKAGES) {
      const where = realpathSync(join(app, 'node_modules', name));
      assert.ok(where.startsWith(realpathSync(app)), `${name} is at ${where}`);
    }
    assert.throws(() => realpathSync(join(app, 'node_modules', 'pg')), 'pg (an optional peer) is not installed');
  });

  test('every entry point loads with ESM import and with CommonJS require, and they agree', async () => {
    const esm = JSON.parse(await ok(process.execPath, ['entry-points.mjs'], { cwd: app })) as Record<string, Record<string, string>>;
    const cjs = JSON.parse(await ok(process.execPath, ['entry-points.cjs'], { cwd: app })) as Record<string, Record<string, string>>;
    assert.deepEqual(cjs, esm);
    assert.equal(esm.resource!.createVerifier, 'function');
    assert.equal(esm.resource!.fastifyBearer, undefined, 'adapters live at their own subpaths');
    assert.deepEqual(Object.keys(esm.resource!), [
      'AudienceMismatchError', 'BearerError', 'DEFAULT_ALGORITHMS', 'DpopProofInvalidError', 'InsufficientScopeError', 'IntrospectionError',
      'InvalidRequestError', 'IssuerMismatchError', 'MetadataError', 'SignatureInvalidError', 'TokenBindingError', 'TokenExchangeError',
      'TokenExpiredError', 'TokenInactiveError', 'TokenInvalidError', 'TokenMissingError', 'TokenNotYetValidError', 'VerifierConfigurationError',
      'createVerifier', 'requireScopes',
    ]);
    assert.deepEqual(Object.keys(esm['resource/fastify']!), ['fastifyBearer', 'fastifyProtectedResourceMetadata', 'fastifyRequireScopes']);
    assert.deepEqual(Object.keys(esm['resource/express']!), ['expressBearer', 'expressProtectedResourceMetadata', 'expressRequireScopes']);
    assert.equal(esm.client!.createLatchkeyClient, 'function');
    assert.deepEqual(Object.keys(esm.client!), [
      'CallbackError', 'ClientConfigurationError', 'CrossSiteRequestError', 'InsufficientScopeError', 'InvalidRequestError', 'LatchkeyError',
      'NotAuthenticatedError', 'PayloadTooLargeError', 'ReauthenticationRequiredError', 'TokenRefreshError', 'UpstreamNotAllowedError',
      'UpstreamUnavailableError', 'checkSession', 'createLatchkeyClient', 'createPostgresStore', 'createSqliteStore', 'generateEncryptionKey',
      'safeReturnTo',
    ]);
    assert.deepEqual(Object.keys(esm['client/fastify']!), ['fastifyBff']);
    assert.deepEqual(Object.keys(esm['client/express']!), ['expressBff']);
    assert.deepEqual(Object.keys(esm.server!), ['ConfigError', 'DEFAULTS', 'configFromEnv', 'configFromFile', 'createServer', 'resolveConfig']);
    assert.equal(esm.sqlite!.NodeSqliteDialect, 'function');
    assert.deepEqual(Object.keys(esm.sqlite!), ['NodeSqliteDialect', 'openSqliteDatabase']);
  });

  test('internal wiring is not exported, and a missing optional peer (pg, playwright-core) is one clear error naming the package', async () => {
    const result = JSON.parse(await ok(process.execPath, ['what-is-not-there.mjs'], { cwd: app })) as Record<string, string>;
    assert.equal(result.internal, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    assert.match(result.pg!, /createPostgresStore needs the "pg" package.*npm install pg/);
    assert.equal(result.manifest, '@latchkey/resource');
    const cli = await run('npx', ['latchkey', 'migrate', '--database', 'postgres://127.0.0.1:1/none'], { cwd: app });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /needs the "pg" package.*npm install pg/);
    // playwright-core is needed by `latchkey audit app` alone: without it the command stops at once, before it
    // starts its issuer or waits for the app, with one line.
    assert.throws(() => realpathSync(join(app, 'node_modules', 'playwright-core')), 'playwright-core (an optional peer) is not installed');
    const audit = await run(join(app, 'node_modules', '.bin', 'latchkey'), ['audit', 'app', 'http://127.0.0.1:9/login', '--client-id', 'app', '--redirect-uri', 'http://127.0.0.1:9/cb', '--issuer-port', '0'], { cwd: app });
    assert.equal(audit.code, 1);
    assert.equal(audit.stderr, 'latchkey: audit app needs the "playwright-core" package, an optional peer dependency of @latchkey/server: npm install playwright-core\n');
  });

  test('TypeScript consumers type-check under node16, nodenext and bundler resolution; a wrong option name is caught', async () => {
    const compilerOptions = { strict: true, skipLibCheck: false, noEmit: true, target: 'es2023', types: ['node'] };
    const settings = { nodenext: { module: 'nodenext' }, bundler: { module: 'esnext', moduleResolution: 'bundler' }, node16: { module: 'node16' } };
    const results = await Promise.all(Object.entries(settings).map(async ([name, resolution]) => {
      // node16 also compiles the mistake: its one error must be the misspelt option, and nothing else may fail.
      const files = name === 'node16' ? ['consumer.ts', 'wrong-option.ts'] : ['consumer.ts'];
      writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, files }));
      return [name, await run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: app })] as const;
    }));
    for (const [name, result] of results) {
      const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
      if (name !== 'node16') {
        assert.equal(result.code, 0, `${name}:\n${result.stdout}${result.stderr}`);
        continue;
      }
      assert.notEqual(result.code, 0);
      assert.equal(errors.length, 1, result.stdout);
      assert.match(errors[0]!, /^wrong-option\.ts\(4,\d+\): error TS2561: .*'audeince' does not exist in type 'VerifierOptions'/);
    }
  });

  test('the installed CLI answers --help; it starts the server, registers an API and clients, and a token works in Express, Fastify and a BFF', async () => {
    const help = await run('npx', ['latchkey', 'client', '--help'], { cwd: app });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: latchkey client add/);

    const port = await freePort();
    const bffPort = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const bffUrl = `http://127.0.0.1:${bffPort}`;
    const env = userEnv({ LATCHKEY_SECRET: SECRET, LATCHKEY_DATABASE_URL: `sqlite:${join(app, 'data', 'latchkey.db')}` });
    // The installed bin itself (what npx runs), without npx's start-up time for each of these.
    const installedBin = join(app, 'node_modules', '.bin', 'latchkey');
    const latchkey = async (args: string[], input?: string) => JSON.parse(await ok(installedBin, [...args, '--json'], { cwd: app, env, input })) as Record<string, unknown>;
    await latchkey(['api', 'add', '--identifier', 'https://items.example', '--name', 'Items', '--scope', 'items:read=read your items']);
    const job = await latchkey(['client', 'add', '--name', 'Nightly job', '--scope', 'items:read']);
    const web = await latchkey(['client', 'add', '--name', 'Web app', '--redirect-uri', `${bffUrl}/auth/callback`, '--scope', 'openid profile']);
    await latchkey(['user', 'add', '--username', 'alice', '--name', 'Alice Example', '--password-stdin'], PASSWORD);

    const server = new Background('npx', ['latchkey', 'start', '--port', String(port), '--issuer', issuer], app, env);
    background.push(server);
    await server.waitFor(/latchkey ready/);

    const token = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${String(job.client_id)}:${String(job.client_secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=items%3Aread',
    });
    assert.equal(token.status, 200);
    const accessToken = ((await token.json()) as { access_token: string }).access_token;

    const apis = new Background(process.execPath, ['protected-apis.mjs'], app, userEnv({ ISSUER: issuer, AUDIENCE: 'https://items.example' }));
    background.push(apis);
    const ports = JSON.parse((await apis.waitFor(/^\{.*\}$/m))[0]) as { express: number; fastify: number };
    for (const [api, apiPort] of Object.entries(ports)) {
      const allowed = await fetch(`http://127.0.0.1:${apiPort}/items`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(allowed.status, 200, api);
      assert.deepEqual(await allowed.json(), { api, sub: job.client_id, scope: 'items:read' });
      const anonymous = await fetch(`http://127.0.0.1:${apiPort}/items`);
      assert.equal(anonymous.status, 401, api);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer\b/);
      const tampered = await fetch(`http://127.0.0.1:${apiPort}/items`, { headers: { authorization: `Bearer ${accessToken.slice(0, -4)}AAAA` } });
      assert.equal(tampered.status, 401, api);
      assert.match(tampered.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    }

    const bff = new Background(process.execPath, ['bff.mjs'], app, userEnv({
      APP_URL: bffUrl, ISSUER: issuer, CLIENT_ID: String(web.client_id), CLIENT_SECRET: String(web.client_secret), SESSION_DB: join(app, 'data', 'sessions.db'),
    }));
    background.push(bff);
    await bff.waitFor(/bff ready/);
    const browser = new FetchBrowser();
    const signedOut = await browser.request(`${bffUrl}/`);
    assert.equal(signedOut.status, 401);
    const login = await browser.request(`${bffUrl}/login`);
    assert.equal(login.status, 302);
    const authorizationUrl = login.headers.get('location')!;
    assert.ok(authorizationUrl.startsWith(`${issuer}/authorize?`), authorizationUrl);
    const callback = await browser.authorize(authorizationUrl, `${bffUrl}/auth/callback`, { username: 'alice', password: PASSWORD });
    assert.deepEqual(browser.pages, ['login', 'consent']);
    const signedIn = await browser.request(callback);
    // The kit answers the callback with its same-site landing page (or a redirect) and sets its session cookie.
    assert.ok(signedIn.status === 200 || signedIn.status === 302, `callback answered ${signedIn.status}`);
    assert.ok(signedIn.headers.getSetCookie().some((cookie) => /HttpOnly/i.test(cookie) && !/Max-Age=0/.test(cookie)), 'a session cookie is set');
    const page = await browser.request(`${bffUrl}/`);
    assert.equal(page.status, 200);
    const user = (await page.json()) as { sub: string; name: string };
    assert.equal(user.name, 'Alice Example');
    assert.match(user.sub, /\S/);
  });
});
