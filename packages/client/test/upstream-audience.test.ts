// Per-upstream audiences (RFC 8707 §2.2): the proxy sends a token minted for that API, obtained with the session's refresh token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createLatchkeyClient, createSqliteStore, generateEncryptionKey } from '../src/index.ts';
import { listenOnLoopback } from './support/test-provider.ts';
import { startRecordingUpstream } from './support/test-harness.ts';

test('an upstream with an audience gets its own token, refreshed once, with rotation tracked', { timeout: 30_000 }, async () => {
  const op = await listenOnLoopback();
  const upstream = await startRecordingUpstream();
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256', use: 'sig' };
  const refreshRequests: Array<Record<string, string>> = [];
  let currentRefreshToken = 'rt-0';
  let counter = 0;
  let nonce = '';
  op.setHandler((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: op.origin, authorization_endpoint: `${op.origin}/authorize`, token_endpoint: `${op.origin}/token`,
        jwks_uri: `${op.origin}/jwks`, response_types_supported: ['code'], id_token_signing_alg_values_supported: ['ES256'],
      });
    }
    if (path === '/jwks') return json(200, { keys: [jwk] });
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', async () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      if (form.grant_type === 'authorization_code') {
        const now = Math.floor(Date.now() / 1000);
        const idToken = await new SignJWT({ iss: op.origin, aud: 'aud-client', sub: 'u1', nonce, iat: now, exp: now + 300 })
          .setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(privateKey);
        return json(200, { access_token: 'at-main', token_type: 'Bearer', expires_in: 300, refresh_token: currentRefreshToken, id_token: idToken, scope: 'openid orders:read' });
      }
      refreshRequests.push(form);
      if (form.refresh_token !== currentRefreshToken) return json(400, { error: 'invalid_grant' });
      counter += 1;
      currentRefreshToken = `rt-${counter}`;
      // Short lifetime: the audience token is due for refresh after one second.
      return json(200, { access_token: `at-${form.resource}-${counter}`, token_type: 'Bearer', expires_in: 2, refresh_token: currentRefreshToken, scope: form.scope });
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-audience-'));
  const client = await createLatchkeyClient({
    issuer: op.origin, clientId: 'aud-client', clientSecret: 'secret', redirectUri: 'http://127.0.0.1:1/cb',
    scopes: ['openid', 'orders:read'], store: createSqliteStore({ path: join(dir, 's.db') }),
    encryptionKeys: [{ kid: 'k1', key: generateEncryptionKey() }], fetchUserInfo: false,
    upstreams: { orders: { url: `${upstream.origin}/v1`, audience: 'https://orders.example', scopes: ['orders:read'] } },
  });
  try {
    const login = await client.login(new Request('http://127.0.0.1:1/login'));
    const authorizationUrl = new URL(login.headers.get('location')!);
    nonce = authorizationUrl.searchParams.get('nonce')!;
    const binding = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const callbackUrl = new URL(`http://127.0.0.1:1/cb?code=c&state=${authorizationUrl.searchParams.get('state')}`);
    const callback = await client.callback(new Request(callbackUrl, { headers: { cookie: binding } }));
    const cookie = callback.headers.getSetCookie()[0]!.split(';')[0]!;
    const proxied = () => client.proxy(new Request('http://127.0.0.1:1/api/orders/items', { headers: { cookie } }), 'orders', 'items');

    assert.equal((await proxied()).status, 200);
    assert.equal(upstream.calls.at(-1)?.authorization, 'Bearer at-https://orders.example-1');
    assert.deepEqual({ resource: refreshRequests[0]?.resource, scope: refreshRequests[0]?.scope }, { resource: 'https://orders.example', scope: 'orders:read' });
    assert.equal((await proxied()).status, 200);
    assert.equal(refreshRequests.length, 1, 'the audience token is cached');
    const session = (await client.getSession(cookie))!;
    assert.equal(await client.getAccessToken(session), 'at-main', 'the main token is untouched');

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const tokens = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken(session, { audience: 'https://orders.example', scopes: ['orders:read'] })));
    assert.deepEqual(new Set(tokens), new Set(['at-https://orders.example-2']));
    assert.equal(refreshRequests.length, 2);
    assert.equal(refreshRequests[1]?.refresh_token, 'rt-1', 'the rotated refresh token was used');
    assert.equal(await client.getAccessToken(session), 'at-main');
  } finally {
    await client.close();
    await upstream.close();
    await op.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
