// Two real `latchkey start` processes on one PostgreSQL schema, as they run behind a load balancer (issue #7,
// docs/deployment.md "Several instances"): the same LATCHKEY_SECRET, the same issuer in config, each on its own
// port. Tests send each request straight to the instance they choose; a RoutedBrowser plays the load balancer
// for the browser by sending the issuer's URLs (interaction pages, form actions) to whichever instance it is told.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { registerApi } from '../../src/apis/register-api.ts';
import { addUser } from '../../src/accounts/user-accounts.ts';
import { registerClient } from '../../src/clients/register-client.ts';
import { openStore } from '../../src/store/open-store.ts';
import { assertStoreInvariants } from '../helpers/store-invariants.ts';
import { csrfFrom, formActionFrom, pkcePair } from '../helpers/authorization-flow.ts';
import { freePort, LATCHKEY_BIN, runLatchkey, type RunResult, type RunningServer } from '../helpers/latchkey-process.ts';
import { createTestSchema, POSTGRES_SKIP_REASON, POSTGRES_TEST_URL, type TestSchema } from '../store/postgres-test-schema.ts';

export const SECRET = 'multi-instance-secret-0123456789-0123456789';
export const API = 'https://contacts.example';
export const CALLBACK = 'https://app.example/cb';
export const PASSWORD = 'correct horse battery staple';
export const SCOPE = 'openid profile contacts:read';

/** The reason the PostgreSQL suites skip, or undefined when they run. Logged once so a skip is visible. */
export const SKIP: string | undefined = POSTGRES_TEST_URL ? undefined : POSTGRES_SKIP_REASON;
if (SKIP) console.log(`# multi-instance tests skipped: ${SKIP}`);

/** How the store keys codes, refresh tokens and sessions: SHA-256, base64url (crypto/random.ts hashSecret). */
export const storedHash = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** The id of the grant a code produces (grants/authorization-code.ts grantIdFor). */
export const grantIdForCode = (code: string): string => storedHash(`grant:${storedHash(code)}`).slice(0, 32);

export const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export interface Client {
  id: string;
  secret: string;
}

export interface Instance {
  name: 'A' | 'B';
  port: number;
  /** Where requests for this instance go: http://127.0.0.1:<its port>. */
  base: string;
  process: RunningServer;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  scope: string;
  error?: string;
  error_description?: string;
}

export interface PairOptions {
  label: string;
  /** Users to create (all with PASSWORD). */
  users: string[];
  /** Confidential code+refresh clients to register, by name. */
  clients: string[];
  /** How each instance reaches the database (e.g. through its own TCP proxy); default: the schema's URL. */
  databaseUrl?: (instance: 'A' | 'B', schemaUrl: string) => string;
}

export class InstancePair {
  readonly schema: TestSchema;
  readonly issuer: string;
  readonly clients = new Map<string, Client>();
  readonly users = new Map<string, string>();
  readonly a: Instance;
  readonly b: Instance;
  readonly #pool: pg.Pool;
  readonly #cwd: string;

  readonly #databaseUrl: (instance: 'A' | 'B') => string;

  private constructor(schema: TestSchema, cwd: string, a: Instance, b: Instance, databaseUrl: (instance: 'A' | 'B') => string) {
    this.schema = schema;
    this.#databaseUrl = databaseUrl;
    this.#cwd = cwd;
    this.a = a;
    this.b = b;
    this.issuer = a.base;
    this.#pool = new pg.Pool({ connectionString: schema.url, max: 3 });
  }

  /** Creates a schema, seeds one API, the clients and users, then starts instance A and instance B. */
  static async start(options: PairOptions): Promise<InstancePair> {
    const schema = await createTestSchema(POSTGRES_TEST_URL ?? '', options.label);
    const cwd = mkdtempSync(join(tmpdir(), 'latchkey-pair-'));
    try {
      const now = Math.floor(Date.now() / 1000);
      const store = openStore(schema.url);
      const clients = new Map<string, Client>();
      const users = new Map<string, string>();
      try {
        await store.migrate();
        await registerApi(store, { identifier: API, scopes: ['contacts:read=Read your contacts'] }, now);
        for (let i = 0; i < options.clients.length; i += 20) {
          await Promise.all(options.clients.slice(i, i + 20).map(async (name) => {
            const { client, clientSecret } = await registerClient(store, { name, redirectUris: [CALLBACK], scope: SCOPE }, now);
            clients.set(name, { id: client.id, secret: clientSecret ?? '' });
          }));
        }
        for (const username of options.users) users.set(username, (await addUser(store, { username, password: PASSWORD }, now)).id);
      } finally {
        await store.close();
      }
      const [portA, portB] = [await freePort(), await freePort()];
      const issuer = `http://127.0.0.1:${portA}`;
      // A first: it creates the signing keys; B then loads the same ones.
      const databaseUrl = (instance: 'A' | 'B') => options.databaseUrl?.(instance, schema.url) ?? schema.url;
      const a = await InstancePair.#launch('A', portA, issuer, databaseUrl('A'), cwd);
      const b = await InstancePair.#launch('B', portB, issuer, databaseUrl('B'), cwd).catch((error: unknown) => {
        a.process.child.kill('SIGKILL');
        throw error;
      });
      const pair = new InstancePair(schema, cwd, a, b, databaseUrl);
      for (const [k, v] of clients) pair.clients.set(k, v);
      for (const [k, v] of users) pair.users.set(k, v);
      return pair;
    } catch (error) {
      rmSync(cwd, { recursive: true, force: true });
      await schema.drop();
      throw error;
    }
  }

  static env(): NodeJS.ProcessEnv {
    return {
      LATCHKEY_SECRET: SECRET, LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_DATABASE_URL: '', LATCHKEY_ISSUER: '', LATCHKEY_DEV: '', LATCHKEY_PORT: '',
      // These tests race a hundred redemptions from one address and one client on purpose (99 of them fail): the rate
      // limits and the connection bound, tested in test/endpoints/rate-limits.test.ts and test/http/, are off here.
      LATCHKEY_FAILURE_LIMIT_PER_ADDRESS: '0', LATCHKEY_FAILURE_LIMIT_PER_CLIENT: '0', LATCHKEY_REQUESTS_PER_SECOND_PER_ADDRESS: '0',
      LATCHKEY_REQUESTS_PER_SECOND_PER_CLIENT: '0', LATCHKEY_MAX_CONNECTIONS_PER_ADDRESS: '0',
      // The fault tests retry a refresh whose answer was lost at the other instance, seconds later on a loaded machine:
      // a grace window wider than the default 10 s keeps them about faults, not about timing.
      LATCHKEY_REFRESH_RETRY_WINDOW: '30',
    };
  }

  static async #launch(name: 'A' | 'B', port: number, issuer: string, url: string, cwd: string): Promise<Instance> {
    return { name, port, base: `http://127.0.0.1:${port}`, process: await launch(['start', '--database', url, '--port', String(port), '--issuer', issuer], cwd, port) };
  }

  client(name: string): Client {
    const client = this.clients.get(name);
    if (!client) throw new Error(`no client ${name}`);
    return client;
  }

  /** Stops an instance (SIGTERM: graceful, SIGKILL: crash) and waits until the process has exited. */
  async stop(instance: Instance, signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
    instance.process.child.kill(signal);
    return instance.process.exited;
  }

  /** Starts a stopped instance again on its own port, with the same settings. */
  async restart(instance: Instance): Promise<void> {
    const fresh = await InstancePair.#launch(instance.name, instance.port, this.issuer, this.#databaseUrl(instance.name), this.#cwd);
    instance.process = fresh.process;
  }

  /** Runs the CLI against the pair's database. */
  cli(args: string[], stdin?: string): Promise<RunResult> {
    return runLatchkey([...args, '--database', this.schema.url], { cwd: this.#cwd, env: InstancePair.env(), ...(stdin !== undefined ? { stdin } : {}) });
  }

  /** A query in the pair's schema (read-only checks of what the instances stored). */
  async sql<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.#pool.query<T>(text, values)).rows;
  }

  /** A query that must return exactly one row. */
  async one<T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T> {
    const rows = await this.sql<T>(text, values);
    if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${text}`);
    return rows[0]!;
  }

  /** Asserts the store invariants (helpers/store-invariants.ts) on the pair's schema, as of now. */
  async assertInvariants(options: { grantsFromCodes?: boolean } = {}): Promise<void> {
    const store = openStore(this.schema.url);
    try {
      await assertStoreInvariants(store.db, { now: Math.floor(Date.now() / 1000), ...options });
    } finally {
      await store.close();
    }
  }

  async close(): Promise<void> {
    for (const instance of [this.a, this.b]) {
      if (instance.process.child.exitCode === null && instance.process.child.signalCode === null) {
        instance.process.child.kill('SIGKILL');
        await instance.process.exited;
      }
    }
    await this.#pool.end();
    rmSync(this.#cwd, { recursive: true, force: true });
    await this.schema.drop();
  }

  // ---- protocol calls straight to one instance

  async token(instance: Instance, client: Client, fields: Record<string, string>): Promise<{ status: number; body: TokenResponse }> {
    const response = await fetch(`${instance.base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, body: await response.json() as TokenResponse };
  }

  redeem(instance: Instance, client: Client, code: string, verifier: string): Promise<{ status: number; body: TokenResponse }> {
    return this.token(instance, client, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: CALLBACK });
  }

  refresh(instance: Instance, client: Client, refreshToken: string): Promise<{ status: number; body: TokenResponse }> {
    return this.token(instance, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async introspect(instance: Instance, client: Client, token: string): Promise<{ active: boolean } & Record<string, unknown>> {
    const response = await fetch(`${instance.base}/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
      body: new URLSearchParams({ token }).toString(),
    });
    if (response.status !== 200) throw new Error(`introspection at ${instance.name}: ${response.status} ${await response.text()}`);
    return await response.json() as { active: boolean } & Record<string, unknown>;
  }

  async kids(instance: Instance): Promise<string[]> {
    const response = await fetch(`${instance.base}/jwks`);
    return ((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  }

  /** A fresh authorization request for `client`: its URL path+query (no origin), state and PKCE verifier. */
  authorizationRequest(client: Client, extra: Record<string, string> = {}): { path: string; state: string; verifier: string } {
    const { verifier, challenge } = pkcePair();
    const state = storedHash(verifier).slice(0, 16);
    const query = new URLSearchParams({
      response_type: 'code', client_id: client.id, redirect_uri: CALLBACK, scope: SCOPE, state,
      code_challenge: challenge, code_challenge_method: 'S256', nonce: state, ...extra,
    });
    return { path: `/authorize?${query.toString()}`, state, verifier };
  }
}

// --conditions=latchkey-source: the bin then runs the server itself instead of starting it again as a child, so a
// signal sent to the process (SIGKILL above all) reaches the server, whatever NODE_OPTIONS the test runs with.
const NODE_FLAGS = ['--experimental-strip-types', '--experimental-sqlite', '--disable-warning=ExperimentalWarning', '--conditions=latchkey-source'];

/**
 * Starts `latchkey start` and resolves when its /readyz answers 200. (helpers/latchkey-process.ts waits for the
 * "latchkey ready" log line, which LATCHKEY_LOG_LEVEL=warn hides; these instances log warnings and errors only.)
 */
async function launch(args: string[], cwd: string, port: number): Promise<RunningServer> {
  const child = spawn(process.execPath, [...NODE_FLAGS, LATCHKEY_BIN, ...args], { cwd, env: { ...process.env, ...InstancePair.env() } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let gone = false;
  void exited.then(() => (gone = true));
  // Generous: a start on a machine loaded by parallel suites can take many seconds; a healthy one answers in < 1 s.
  const deadline = Date.now() + 60_000;
  while (!gone && Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return { child, output: () => output, exited };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  await exited;
  throw new Error(`latchkey did not become ready on port ${port}:\n${output}`);
}

/** Which instance a browser step goes to: the step's index and what it is. */
export type Route = (step: { index: number; kind: 'authorize' | 'page' | 'login' | 'consent' }) => Instance;

/**
 * A cookie-keeping browser behind a pretend load balancer: any URL on the issuer's origin (or a path) is sent to
 * the instance `route` picks for that step; the client's callback ends the walk.
 */
export class RoutedBrowser {
  readonly cookies = new Map<string, string>();
  readonly pages: string[] = [];
  readonly #issuer: string;

  constructor(issuer: string) {
    this.#issuer = issuer;
  }

  /** Another browser with this one's cookies (the same signed-in user, e.g. in another tab). */
  clone(): RoutedBrowser {
    const copy = new RoutedBrowser(this.#issuer);
    for (const [k, v] of this.cookies) copy.cookies.set(k, v);
    return copy;
  }

  #target(url: string, instance: Instance): string {
    const parsed = new URL(url, this.#issuer);
    if (parsed.origin !== this.#issuer) throw new Error(`unexpected origin ${parsed.origin}`);
    return `${instance.base}${parsed.pathname}${parsed.search}`;
  }

  async request(url: string, instance: Instance, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(this.#target(url, instance), {
      method: form ? 'POST' : 'GET', headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return response;
  }

  /**
   * Walks an authorization request through whatever pages appear (login, consent) until the redirect to CALLBACK,
   * sending each step where `route` says; returns the callback's query parameters.
   */
  async authorize(path: string, route: Route, credentials: { username: string; password?: string }): Promise<URLSearchParams> {
    let index = 0;
    let response = await this.request(path, route({ index: index++, kind: 'authorize' }));
    for (let step = 0; step < 8; step++) {
      const location = response.headers.get('location');
      if (location?.startsWith(CALLBACK)) return new URL(location).searchParams;
      if (location) {
        response = await this.request(location, route({ index: index++, kind: 'page' }));
        continue;
      }
      const html = await response.text();
      if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${html.slice(0, 300)}`);
      const action = formActionFrom(html);
      if (action.endsWith('/login')) {
        this.pages.push('login');
        response = await this.request(action, route({ index: index++, kind: 'login' }),
          { csrf: csrfFrom(html), username: credentials.username, password: credentials.password ?? PASSWORD });
      } else {
        this.pages.push('consent');
        response = await this.request(action, route({ index: index++, kind: 'consent' }), { csrf: csrfFrom(html), decision: 'allow' });
      }
    }
    throw new Error('the authorization did not reach the callback');
  }
}

/** Alternates instances step by step, starting with `first`. */
export function alternate(pair: InstancePair, first: Instance): Route {
  const second = first === pair.a ? pair.b : pair.a;
  return ({ index }) => (index % 2 === 0 ? first : second);
}

export const always = (instance: Instance): Route => () => instance;
