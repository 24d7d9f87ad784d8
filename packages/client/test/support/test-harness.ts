// Wires a test provider, a recording upstream API and an app (Fastify or Express) using the client kit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CustomFetch } from 'openid-client';
import express from 'express';
import {
  createLatchkeyClient, createSqliteStore, generateEncryptionKey,
  type LatchkeyClient, type LatchkeyClientOptions, type LatchkeyStore,
} from '../../src/index.ts';
import { expressBff } from '../../src/adapters/express-router.ts';
import { fastifyBff } from '../../src/adapters/fastify-plugin.ts';
import { listenOnLoopback, startTestProvider, type LoopbackServer, type TestProvider } from './test-provider.ts';
import type { BrowserLike } from './cookie-jar-fetch.ts';

export interface UpstreamCall {
  method: string;
  url: string;
  authorization: string | undefined;
  /** The DPoP proof header (RFC 9449 §7.1), only when the kit sent one. */
  dpop?: string;
  cookie: string | undefined;
  origin: string | undefined;
  body: string;
}

export interface Upstream {
  origin: string;
  calls: UpstreamCall[];
  close(): Promise<void>;
}

/** An API that records what it received and echoes it. */
export async function startRecordingUpstream(): Promise<Upstream> {
  const listener = await listenOnLoopback();
  const calls: UpstreamCall[] = [];
  listener.setHandler((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const call: UpstreamCall = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        ...(typeof req.headers.dpop === 'string' ? { dpop: req.headers.dpop } : {}),
        cookie: req.headers.cookie,
        origin: req.headers.origin,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      calls.push(call);
      // An API that tries to set policy for, or navigate, the app's origin.
      if (call.url.endsWith('/hostile-headers')) {
        res.writeHead(302, {
          location: 'https://evil.example/', refresh: '0;url=https://evil.example/', 'access-control-allow-origin': '*',
          'access-control-allow-credentials': 'true', 'clear-site-data': '"cookies"', 'strict-transport-security': 'max-age=1', 'alt-svc': 'h3=":443"',
        });
        return res.end();
      }
      if (call.url.endsWith('/create')) {
        res.writeHead(201, { location: '/v1/items/7', 'content-type': 'application/json' });
        return res.end('{}');
      }
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=should-not-pass; Path=/' });
      res.end(JSON.stringify({ ok: true, method: call.method, url: call.url, body: call.body }));
    });
  });
  return { origin: listener.origin, calls, close: listener.close };
}

export interface Harness {
  app: LoopbackServer;
  appOrigin: string;
  provider: TestProvider;
  upstream: Upstream;
  client: LatchkeyClient;
  store: LatchkeyStore;
  dbPath: string;
  encryptionKey: string;
  /** Every JSON body the token endpoint returned to the kit (raw tokens, for at-rest assertions). */
  tokenResponses: Array<Record<string, unknown>>;
  /** The session id (SHA-256 of the cookie) a browser holds. */
  sessionIdOf(browser: BrowserLike): string | undefined;
  /** Makes the session's access token due for refresh. */
  expireAccessToken(sessionId: string): void;
  /** Reads one session row directly from the SQLite file. */
  sessionRow(sessionId: string): Record<string, unknown> | undefined;
  /** Builds another client kit instance over the same provider and SQLite file (a second process, as far as the store is concerned). */
  secondClient(): Promise<LatchkeyClient>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  adapter?: 'fastify' | 'express';
  accessTokenTtlSeconds?: number;
  clientOptions?: Partial<LatchkeyClientOptions>;
  /** A store per client instance (default: one SQLite file shared by all instances). */
  storeFactory?: () => LatchkeyStore;
  /**
   * The provider to run against (default: node-oidc-provider from startTestProvider). Called once the app's
   * origin is known, with the URIs to register for the app's client. `accessTokenTtlSeconds` then does not apply.
   */
  provider?: (app: { redirectUri: string; postLogoutRedirectUri: string }) => Promise<TestProvider>;
  /**
   * Host name in the app's origin instead of 127.0.0.1 (it still listens on 127.0.0.1): a browser mapping this name
   * to 127.0.0.1 then sees the app and the provider as different sites.
   */
  appHost?: string;
  /** Adds routes to the Fastify app before it is ready (fastify adapter only). */
  fastifyRoutes?: (app: FastifyInstance) => void;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const app = await listenOnLoopback();
  const appOrigin = options.appHost ? `http://${options.appHost}:${new URL(app.origin).port}` : app.origin;
  const redirectUri = `${appOrigin}/auth/callback`;
  const provider = options.provider
    ? await options.provider({ redirectUri, postLogoutRedirectUri: `${appOrigin}/signed-out` })
    : await startTestProvider({
      redirectUri,
      postLogoutRedirectUri: `${appOrigin}/signed-out`,
      ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    });
  const upstream = await startRecordingUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-client-'));
  const dbPath = join(dir, 'latchkey.db');
  const encryptionKey = generateEncryptionKey();
  const tokenResponses: Array<Record<string, unknown>> = [];
  const recordingFetch: CustomFetch = async (url, init) => {
    const response = await fetch(url, init as RequestInit);
    if (new URL(url).pathname === '/token') {
      tokenResponses.push(await response.clone().json() as Record<string, unknown>);
    }
    return response;
  };
  const baseOptions = (store: LatchkeyStore): LatchkeyClientOptions => ({
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    store,
    encryptionKeys: [{ kid: 'k1', key: encryptionKey }],
    postLogoutRedirectUri: `${appOrigin}/signed-out`,
    upstreams: { orders: { url: `${upstream.origin}/v1/` } },
    onWarning: () => {},
    fetch: recordingFetch,
    ...options.clientOptions,
  });
  const newStore = options.storeFactory ?? (() => createSqliteStore({ path: dbPath }));
  const store = newStore();
  const client = await createLatchkeyClient(baseOptions(store));
  const extraClients: LatchkeyClient[] = [];

  let closeApp: () => Promise<void>;
  if ((options.adapter ?? 'fastify') === 'fastify') {
    const fastify = Fastify({ logger: false, serverFactory: (handler) => { app.setHandler(handler); return app.server; } });
    await fastify.register(fastifyBff, { client });
    fastify.get('/', { preHandler: fastify.latchkey.requireLogin }, async (request) => ({
      subject: request.latchkey.session?.subject, scopes: request.latchkey.session?.scopes,
    }));
    fastify.get('/orders', { preHandler: fastify.latchkey.requireScopes(['orders:read']) }, async (request) => ({
      scopes: request.latchkey.session?.scopes,
    }));
    fastify.get('/signed-out', async () => 'signed out');
    options.fastifyRoutes?.(fastify);
    await fastify.ready();
    closeApp = async () => { await fastify.close(); };
  } else {
    const expressApp = express();
    const latchkey = expressBff(client);
    expressApp.use(latchkey.router);
    expressApp.get('/', latchkey.requireLogin, (req, res) => {
      res.json({ subject: req.latchkey?.session?.subject, scopes: req.latchkey?.session?.scopes });
    });
    expressApp.get('/orders', latchkey.requireScopes(['orders:read']), (req, res) => {
      res.json({ scopes: req.latchkey?.session?.scopes });
    });
    expressApp.get('/signed-out', (_req, res) => { res.send('signed out'); });
    app.setHandler(expressApp);
    closeApp = async () => {};
  }

  return {
    app,
    appOrigin,
    provider,
    upstream,
    client,
    store,
    dbPath,
    encryptionKey,
    tokenResponses,
    sessionIdOf(browser) {
      const cookie = browser.cookies('127.0.0.1').get(client.sessionCookieName);
      return cookie ? createHash('sha256').update(cookie).digest('hex') : undefined;
    },
    expireAccessToken(sessionId) {
      const db = new DatabaseSync(dbPath);
      try {
        db.prepare('update latchkey_sessions set refresh_at = ? where id = ?').run(Date.now() - 1000, sessionId);
      } finally {
        db.close();
      }
    },
    sessionRow(sessionId) {
      const db = new DatabaseSync(dbPath);
      try {
        return db.prepare('select * from latchkey_sessions where id = ?').get(sessionId) as Record<string, unknown> | undefined;
      } finally {
        db.close();
      }
    },
    async secondClient() {
      const second = await createLatchkeyClient(baseOptions(newStore()));
      extraClients.push(second);
      return second;
    },
    async close() {
      await closeApp();
      await app.close();
      for (const extra of extraClients) await extra.close();
      await client.close();
      await upstream.close();
      await provider.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Drives the provider's dev login form over HTTP; returns the callback URL the provider redirected to (not yet requested). */
export async function authorizeAtProvider(browser: BrowserLike, authorizationUrl: URL, appOrigin: string, user = 'alice'): Promise<URL> {
  const isApp = (url: URL) => url.origin === appOrigin;
  let { response, url } = await browser.follow(authorizationUrl, { stop: isApp });
  for (let step = 0; step < 4 && !isApp(url); step++) {
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action || !/name="prompt" value="login"/.test(html) && !/name="login"/.test(html)) {
      throw new Error(`unexpected provider page at ${url}: ${html.slice(0, 300)}`);
    }
    const form = new URLSearchParams({ prompt: 'login', login: user, password: 'any' });
    ({ response, url } = await browser.follow(new URL(action.replace(/&amp;/g, '&'), url), {
      stop: isApp,
      init: { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    }));
  }
  if (!isApp(url)) throw new Error(`provider did not redirect back to the app (at ${url})`);
  return url;
}

/**
 * Where the callback's landing page sends the browser (its `<meta http-equiv="refresh">` target), or null when the
 * response is not the landing page. Also checks what every landing page must be: 200, no-store, no-referrer, and a
 * link with the same target.
 */
export async function landingTarget(response: Response): Promise<string | null> {
  if (response.status !== 200) return null;
  const html = await response.clone().text();
  const refresh = /<meta http-equiv="refresh" content="0;url=([^"]*)">/.exec(html)?.[1];
  if (refresh === undefined) return null;
  const unescape = (value: string) => value.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const target = unescape(refresh);
  if (!html.includes(`<a href="${refresh}">`)) throw new Error('landing page without its link');
  if (response.headers.get('referrer-policy') !== 'no-referrer') throw new Error('landing page without Referrer-Policy: no-referrer');
  if (response.headers.get('cache-control') !== 'no-store') throw new Error('landing page without Cache-Control: no-store');
  return target;
}

/** Full login: /login at the app → provider → returns the callback URL and the app's answer to it. */
export async function logIn(browser: BrowserLike, harness: Harness, returnTo = '/', user = 'alice'): Promise<{ callbackUrl: URL; callbackResponse: Response }> {
  const start = await browser.request(`${harness.appOrigin}/login?returnTo=${encodeURIComponent(returnTo)}`);
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`login did not redirect: ${start.status}`);
  const callbackUrl = await authorizeAtProvider(browser, new URL(location), harness.appOrigin, user);
  const callbackResponse = await browser.request(callbackUrl);
  return { callbackUrl, callbackResponse };
}
