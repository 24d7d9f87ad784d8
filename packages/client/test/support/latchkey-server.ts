// The real Latchkey authorization server in-process on a free loopback port, for running the client kit against it:
// an API with two scopes, one confidential client per test app, users, a log of every token-endpoint request (grant
// type, client, status) and a browser driver for its login, consent and account pages.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { addUser, createServer, openStore, registerApi, registerClient, resolveConfig, type RegisterClientInput, type Store } from '@latchkey/server/internal';
import type { BrowserLike } from './cookie-jar-fetch.ts';
import type { TestProvider } from './test-provider.ts';

export const ORDERS_API = 'https://orders.example';
export const ORDERS_SCOPES = { 'orders:read': 'read your orders', 'orders:write': 'change your orders' } as const;
export const USER_PASSWORD = 'correct horse battery staple';
/** What a test app asks for at login: without offline_access, as Latchkey gives a client with the refresh_token grant a refresh token either way. */
export const APP_SCOPES = ['openid', 'profile', 'email', 'orders:read'];

/** One request to an endpoint that takes client credentials, as Latchkey answered it. */
export interface ClientRequest {
  path: string;
  clientId: string | undefined;
  grantType: string | undefined;
  status: number;
}

export interface LatchkeyTestServer {
  issuer: string;
  app: FastifyInstance;
  store: Store;
  /** Every /token, /revoke and /introspect request, in the order they finished. */
  requests: ClientRequest[];
  /** Registers a confidential client for an app (redirect URI = its callback) and returns the app's view of the provider. */
  registerApp(name: string, redirectUri: string, registration?: Partial<RegisterClientInput>): Promise<LatchkeyProvider>;
  /** Requests to the end-session endpoint (GET or POST /session/end), in the order they finished. */
  endSessionRequests: number;
  /** Adds a user with USER_PASSWORD; returns its id (the `sub` of its tokens). */
  addUser(username: string): Promise<string>;
  /** POST /introspect as `client`. */
  introspect(client: { clientId: string; clientSecret: string }, token: string, hint?: string): Promise<Record<string, unknown>>;
  /** POST /token with grant_type=refresh_token as `client`; the raw answer. */
  refresh(client: { clientId: string; clientSecret: string }, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** TestProvider for the client harness, counting only this app's requests. */
export interface LatchkeyProvider extends TestProvider {
  name: string;
  /** This client's token-endpoint requests of one grant type, with Latchkey's status codes. */
  tokenRequests(grantType: string): ClientRequest[];
}

const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function clientIdOf(authorization: string | undefined, body: unknown): string | undefined {
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    return decodeURIComponent(decoded.slice(0, decoded.indexOf(':')));
  }
  return formValue(body, 'client_id');
}

/** Latchkey parses form bodies into its own FormParams (get(name), which throws on repeats). */
function formValue(body: unknown, name: string): string | undefined {
  const params = body as { get?: (name: string) => string | undefined } | undefined;
  try {
    return typeof params?.get === 'function' ? params.get(name) : undefined;
  } catch {
    return undefined;
  }
}

async function freeLoopbackPort(): Promise<number> {
  const probe = Fastify();
  await probe.listen({ port: 0, host: '127.0.0.1' });
  const { port } = probe.server.address() as AddressInfo;
  await probe.close();
  return port;
}

export async function startLatchkeyServer(options: { accessTokenTtl?: number; keyPublishLeadTime?: number } = {}): Promise<LatchkeyTestServer> {
  const port = await freeLoopbackPort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = resolveConfig({
    dev: true, secret: 'client-kit-against-latchkey-secret-0123456789', issuer, port,
    databaseUrl: 'sqlite::memory:', logLevel: 'silent', accessTokenTtl: options.accessTokenTtl ?? 60,
    ...(options.keyPublishLeadTime !== undefined ? { keyPublishLeadTime: options.keyPublishLeadTime } : {}),
  });
  const store = openStore(config.databaseUrl);
  const app = await createServer(config, { store, cacheSyncIntervalMs: 50 });
  const requests: ClientRequest[] = [];
  let endSessionRequests = 0;
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path === '/session/end') endSessionRequests++;
    if (request.method !== 'POST' || !['/token', '/revoke', '/introspect'].includes(path)) return;
    requests.push({
      path, clientId: clientIdOf(request.headers.authorization, request.body), grantType: formValue(request.body, 'grant_type'), status: reply.statusCode,
    });
  });
  await app.listen({ port, host: '127.0.0.1' });
  const ctx = app.latchkeyServer;
  await registerApi(store, { identifier: ORDERS_API, scopes: Object.entries(ORDERS_SCOPES).map(([name, description]) => `${name}=${description}`) }, ctx.now());
  await ctx.scopes.load();

  const post = async (path: string, client: { clientId: string; clientSecret: string }, fields: Record<string, string>) => {
    const response = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: basic(client.clientId, client.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  return {
    issuer,
    app,
    store,
    requests,
    get endSessionRequests() { return endSessionRequests; },
    async registerApp(name, redirectUri, registration = {}) {
      const { client, clientSecret } = await registerClient(store, { name, redirectUris: [redirectUri], scope: 'openid profile email orders:read orders:write', ...registration }, ctx.now());
      ctx.clients.invalidate();
      await ctx.scopes.load();
      const mine = (path: string, grantType?: string) => requests.filter((r) => r.clientId === client.id && r.path === path && (grantType === undefined || r.grantType === grantType));
      return {
        name,
        issuer,
        clientId: client.id,
        // A private_key_jwt client has none (its app passes clientPrivateKey instead).
        clientSecret: clientSecret ?? '',
        counts: {
          get refreshGrants() { return mine('/token', 'refresh_token').length; },
          get codeGrants() { return mine('/token', 'authorization_code').length; },
          get revocations() { return mine('/revoke').length; },
          get endSession() { return endSessionRequests; }, // all apps' (one shared server)
        },
        tokenRequests: (grantType) => mine('/token', grantType),
        close: async () => {}, // The server is shared by the apps of a test file; close() of the server ends it.
      };
    },
    async addUser(username) {
      const user = await addUser(store, { username, password: USER_PASSWORD, name: `User ${username}`, email: `${username}@example.test` }, ctx.now());
      return user.id;
    },
    async introspect(client, token, hint) {
      const { status, body } = await post('/introspect', client, { token, ...(hint ? { token_type_hint: hint } : {}) });
      assert.equal(status, 200);
      return body;
    },
    refresh: (client, refreshToken) => post('/token', client, { grant_type: 'refresh_token', refresh_token: refreshToken }),
    async close() {
      await app.close();
      await store.close();
    },
  };
}

const csrfOf = (html: string) => {
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(csrf, `no csrf field in:\n${html.slice(0, 400)}`);
  return csrf;
};
const formActions = (html: string) => [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const listItems = (html: string) => [...html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]!);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export interface LatchkeyPage {
  kind: 'login' | 'consent';
  /** On a consent page: the scope descriptions it asks the user to approve. */
  asked: string[];
  html: string;
}

/**
 * Drives Latchkey's pages as the user: follows the authorization URL, signs in and clicks Allow when asked, until
 * Latchkey redirects to the app. Returns that redirect (the callback URL, not requested) and the pages seen.
 */
export async function authorizeAtLatchkey(browser: BrowserLike, authorizationUrl: URL, appOrigin: string, username: string): Promise<{ callbackUrl: URL; pages: LatchkeyPage[] }> {
  const isApp = (url: URL) => url.origin === appOrigin;
  const pages: LatchkeyPage[] = [];
  let { response, url } = await browser.follow(authorizationUrl, { stop: isApp });
  for (let step = 0; step < 4 && !isApp(url); step++) {
    const html = await response.text();
    assert.equal(response.status, 200, `unexpected Latchkey answer at ${url}: ${html.slice(0, 400)}`);
    const action = formActions(html)[0];
    assert.ok(action, `no form at ${url}: ${html.slice(0, 400)}`);
    let fields: Record<string, string>;
    if (action.endsWith('/login')) {
      pages.push({ kind: 'login', asked: [], html });
      fields = { csrf: csrfOf(html), username, password: USER_PASSWORD };
    } else if (action.endsWith('/consent')) {
      const asked = listItems(html.slice(0, html.indexOf('<form')));
      pages.push({ kind: 'consent', asked, html });
      fields = { csrf: csrfOf(html), decision: 'allow' };
    } else {
      assert.fail(`unexpected form ${action}`);
    }
    ({ response, url } = await browser.follow(new URL(action, url), { stop: isApp, init: { method: 'POST', headers: FORM, body: new URLSearchParams(fields) } }));
  }
  assert.ok(isApp(url), `Latchkey did not redirect back to the app (at ${url})`);
  return { callbackUrl: url, pages };
}

/** The user revokes an app on Latchkey's /account page (signing in there first if needed); returns the page afterwards. */
export async function revokeOnAccountPage(browser: BrowserLike, issuer: string, username: string, clientId: string): Promise<string> {
  let { response } = await browser.follow(`${issuer}/account`);
  let html = await response.text();
  if (formActions(html)[0] === `${issuer}/account/login`) {
    ({ response } = await browser.follow(`${issuer}/account/login`, {
      init: { method: 'POST', headers: FORM, body: new URLSearchParams({ csrf: csrfOf(html), username, password: USER_PASSWORD }) },
    }));
    html = await response.text();
  }
  assert.equal(response.status, 200);
  assert.ok(html.includes(`name="client_id" value="${clientId}"`), 'the app is listed on the account page');
  ({ response } = await browser.follow(`${issuer}/account/revoke`, {
    init: { method: 'POST', headers: FORM, body: new URLSearchParams({ csrf: csrfOf(html), client_id: clientId }) },
  }));
  assert.equal(response.status, 200);
  return response.text();
}
