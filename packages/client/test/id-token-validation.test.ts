// ID token checks at the callback (OIDC Core §3.1.3.7) against a stub provider whose token endpoint lies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { CallbackError, createSqliteStore, generateEncryptionKey, type LatchkeyClient, type LatchkeyStore } from '../src/index.ts';
import { createLatchkeyClient } from '../src/latchkey-client.ts';
import { listenOnLoopback, type LoopbackServer } from './support/test-provider.ts';
import { countRows } from './support/store-rows.ts';

const CLIENT_ID = 'stub-client';
let op: LoopbackServer;
let client: LatchkeyClient;
let store: LatchkeyStore;
let dir: string;
let signingKey: CryptoKey;
let otherKey: CryptoKey;
/** What the stub's token endpoint answers next, given the nonce of the pending login. */
let nextIdToken: (nonce: string) => Promise<string>;
let lastNonce = '';
let tokenRequests = 0;

before(async () => {
  op = await listenOnLoopback();
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'stub-key', alg: 'ES256', use: 'sig' };
  op.setHandler((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: op.origin,
        authorization_endpoint: `${op.origin}/authorize`,
        token_endpoint: `${op.origin}/token`,
        jwks_uri: `${op.origin}/jwks`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (path === '/jwks') return json(200, { keys: [publicJwk] });
    if (path === '/token') {
      tokenRequests += 1;
      req.resume();
      req.on('end', () => {
        nextIdToken(lastNonce).then((idToken) => json(200, {
          access_token: 'stub-access-token', token_type: 'Bearer', expires_in: 300, refresh_token: 'stub-refresh-token', id_token: idToken,
        }), () => json(500, {}));
      });
      return;
    }
    json(404, {});
  });
  dir = mkdtempSync(join(tmpdir(), 'latchkey-idtoken-'));
  store = createSqliteStore({ path: join(dir, 'store.db') });
  client = await createLatchkeyClient({
    issuer: op.origin,
    clientId: CLIENT_ID,
    clientSecret: 'stub-secret',
    redirectUri: 'http://127.0.0.1:1/cb',
    scopes: ['openid'],
    store,
    encryptionKeys: [{ kid: 'k1', key: generateEncryptionKey() }],
    fetchUserInfo: false,
  });
});

after(async () => {
  await client.close();
  await op.close();
  rmSync(dir, { recursive: true, force: true });
});

function claims(nonce: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: op.origin, aud: CLIENT_ID, sub: 'user-1', nonce, iat: now, exp: now + 300, ...overrides };
}

function sign(payload: Record<string, unknown>, key: CryptoKey = signingKey, kid = 'stub-key'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(key);
}

/** Runs login + callback through the core API; returns the callback outcome. */
async function attempt(): Promise<Response | CallbackError> {
  const login = await client.login(new Request('http://127.0.0.1:1/login'));
  const authorizationUrl = new URL(login.headers.get('location')!);
  lastNonce = authorizationUrl.searchParams.get('nonce')!;
  const binding = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const callback = new URL('http://127.0.0.1:1/cb');
  callback.searchParams.set('code', 'stub-code');
  callback.searchParams.set('state', authorizationUrl.searchParams.get('state')!);
  callback.searchParams.set('iss', op.origin);
  try {
    return await client.callback(new Request(callback, { headers: { cookie: binding } }));
  } catch (error) {
    if (error instanceof CallbackError) return error;
    throw error;
  }
}

const tampered: Array<[string, (nonce: string) => Promise<string>]> = [
  ['wrong nonce', (nonce) => sign(claims(`${nonce}x`))],
  ['missing nonce', (nonce) => sign(claims(nonce, { nonce: undefined }))],
  ['wrong audience', (nonce) => sign(claims(nonce, { aud: 'another-client' }))],
  ['extra audience without azp', (nonce) => sign(claims(nonce, { aud: [CLIENT_ID, 'another-client'] }))],
  ['wrong issuer', (nonce) => sign(claims(nonce, { iss: 'https://attacker.example' }))],
  ['expired', (nonce) => sign(claims(nonce, { exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 900 }))],
  ['signed by another key', (nonce) => sign(claims(nonce), otherKey)],
  ['unsigned (alg none)', async (nonce) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims(nonce))).toString('base64url')}.`],
];

test('a correct ID token from the stub is accepted (control)', async () => {
  nextIdToken = (nonce) => sign(claims(nonce));
  const outcome = await attempt();
  assert.ok(outcome instanceof Response, String(outcome));
  assert.equal(outcome.status, 200);
  assert.equal((await countRows(store)).sessions, 1);
});

for (const [name, make] of tampered) {
  test(`an ID token with ${name} is refused and no session is stored`, async () => {
    const before = await countRows(store);
    const requests = tokenRequests;
    nextIdToken = make;
    const outcome = await attempt();
    assert.ok(outcome instanceof CallbackError, `expected refusal, got ${outcome instanceof Response ? outcome.status : outcome}`);
    assert.equal(outcome.code, 'ERR_CALLBACK_TOKEN_EXCHANGE_FAILED');
    assert.equal(outcome.reason, 'token_exchange_failed');
    assert.equal(tokenRequests, requests + 1);
    const afterRows = await countRows(store);
    assert.equal(afterRows.sessions, before.sessions);
    assert.equal(afterRows.transactions, 0, 'the transaction is spent');
  });
}
