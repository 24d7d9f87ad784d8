// Unit checks: return paths (RFC 9700 §4.11), token cipher (NIST SP 800-38D), cookies (RFC 6265bis §4.1.3), options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appLocation, safeReturnTo, sameOriginTarget } from '../src/return-to.ts';
import { EXPECTED_TARGETS, redirectBypassCorpus } from './support/redirect-bypass-corpus.ts';
import { TokenCipher, generateEncryptionKey } from '../src/token-encryption.ts';
import { parseCookieHeader, serializeCookie } from '../src/cookies.ts';
import { resolveOptions } from '../src/client-options.ts';
import { computeRefreshAt } from '../src/kit-context.ts';
import { proxiedLocation, resolveUpstreamUrl } from '../src/api-proxy.ts';
import { UpstreamNotAllowedError } from '../src/errors.ts';
import { toWebRequest } from '../src/adapters/node-http-bridge.ts';
import { createSqliteStore } from '../src/index.ts';

test('return targets: every known open-redirect bypass stays on the app origin (WHATWG URL parser)', () => {
  for (const origin of ['https://app.example', 'http://127.0.0.1:3000']) {
    for (const candidate of redirectBypassCorpus(origin)) {
      const target = sameOriginTarget(candidate, origin);
      if (target === null) {
        assert.equal(safeReturnTo(candidate, origin), '/');
        continue;
      }
      // What is stored is a normalised path that resolves, read again, to the same URL on the same origin.
      assert.ok(target.startsWith('/') && !target.startsWith('//'), `${JSON.stringify(candidate)} → ${target}`);
      const again = new URL(target, `${origin}/`);
      assert.equal(again.origin, origin, JSON.stringify(candidate));
      assert.equal(`${again.pathname}${again.search}${again.hash}`, target);
      assert.equal(new URL(appLocation(target, origin)).origin, origin);
    }
    for (const [candidate, expected] of EXPECTED_TARGETS) assert.equal(sameOriginTarget(candidate, origin), expected, JSON.stringify(candidate));
    for (const notString of [undefined, null, 42, ['/', '/'], {}, '']) assert.equal(safeReturnTo(notString, origin), '/');
    // Absolute URLs on the app's own origin are fine, and come out as paths.
    assert.equal(sameOriginTarget(`${origin}/orders?id=3`, origin), '/orders?id=3');
  }
  // The stored value is checked again where the kit redirects.
  assert.equal(appLocation('//evil.example', 'https://app.example'), 'https://app.example/');
  assert.throws(() => safeReturnTo('/', '/fallback'), /appOrigin/);
  assert.throws(() => safeReturnTo('/', 'https://app.example/path'), /appOrigin/);
});

test('adapters build the kit\'s Request on the app origin even when the request target reads as //host', () => {
  for (const target of ['//evil.example/orders', '///evil.example', '/\\evil.example/x', '//evil.example@app.example/', 'orders']) {
    const request = toWebRequest('https://app.example', 'GET', target, { host: 'evil.example' });
    assert.equal(new URL(request.url).origin, 'https://app.example', target);
  }
  assert.equal(toWebRequest('https://app.example', 'GET', '//evil.example/orders?a=1', {}).url, 'https://app.example//evil.example/orders?a=1');
});

test('TokenCipher: round trip, AAD binding, tamper detection, unknown kid, key format', () => {
  const key = generateEncryptionKey();
  const cipher = new TokenCipher([{ kid: 'a', key }]);
  const sealed = cipher.encrypt('secret-token', 'session:1:access_token');
  assert.match(sealed, /^v1\.a\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  assert.notEqual(cipher.encrypt('secret-token', 'x'), cipher.encrypt('secret-token', 'x'), 'random IV per encryption');
  assert.equal(cipher.decrypt(sealed, 'session:1:access_token'), 'secret-token');
  assert.throws(() => cipher.decrypt(sealed, 'session:2:access_token'), /unable to authenticate|auth/i);
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3]!, 'base64url');
  body[0]! ^= 1;
  assert.throws(() => cipher.decrypt([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'session:1:access_token'));
  assert.throws(() => new TokenCipher([{ kid: 'b', key: generateEncryptionKey() }]).decrypt(sealed, 'x'), /"a", which is not configured/);
  assert.throws(() => new TokenCipher([]), /at least one key/);
  assert.throws(() => new TokenCipher([{ kid: 'a', key: 'c2hvcnQ' }]), /32 bytes/);
  assert.throws(() => new TokenCipher([{ kid: 'a.b', key }]), /kid/);
  assert.throws(() => new TokenCipher([{ kid: 'a', key }, { kid: 'a', key }]), /duplicate/);
});

test('cookies: host-only HttpOnly, session Strict by default, Secure and __Host- on https, names unlike the server\'s', () => {
  const store = createSqliteStore({ path: ':memory:' });
  const base = { issuer: 'https://id.example', clientId: 'c', clientSecret: 's', scopes: ['openid'], store, encryptionKeys: [] };
  const https = resolveOptions({ ...base, redirectUri: 'https://app.example/cb' });
  assert.equal(https.sessionCookieName, '__Host-app_session');
  assert.equal(https.transactionCookieName, '__Host-app_login');
  assert.equal(https.sessionCookieSameSite, 'Strict');
  assert.equal(https.cookieSecure, true);
  const cookie = serializeCookie(https.sessionCookieName, 'abc', { secure: true, sameSite: https.sessionCookieSameSite, maxAgeSeconds: 60 });
  assert.equal(cookie, '__Host-app_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
  assert.equal(resolveOptions({ ...base, redirectUri: 'https://app.example/cb', sessionCookieSameSite: 'Lax' }).sessionCookieSameSite, 'Lax');
  assert.throws(() => resolveOptions({ ...base, redirectUri: 'https://app.example/cb', sessionCookieSameSite: 'None' as 'Lax' }), /sessionCookieSameSite/);
  assert.doesNotMatch(cookie, /Domain/i);
  const http = resolveOptions({ ...base, redirectUri: 'http://127.0.0.1:3000/cb', issuer: 'http://127.0.0.1:4000' });
  assert.equal(http.sessionCookieName, 'app_session');
  assert.equal(http.transactionCookieName, 'app_login');
  // Latchkey's own server names its cookie latchkey_sso: the kit's names share no stem with it.
  for (const name of [http.sessionCookieName, http.transactionCookieName, https.sessionCookieName]) assert.doesNotMatch(name, /latchkey/i);
  assert.equal(http.cookieSecure, false);
  assert.throws(() => resolveOptions({ ...base, redirectUri: 'https://app.example/cb', issuer: 'http://id.example' }), /https/);
  assert.throws(() => resolveOptions({ ...base, redirectUri: 'https://app.example/cb', scopes: ['profile'] }), /openid/);
  assert.throws(() => resolveOptions({ ...base, clientSecret: undefined, tokenEndpointAuthMethod: 'client_secret_basic', redirectUri: 'https://app.example/cb' }), /clientSecret/);
  assert.deepEqual([...parseCookieHeader('a=1; b="2"; a=3; junk; =x')], [['a', '1'], ['b', '2']]);
  assert.throws(() => serializeCookie('a', 'x;y', { secure: false, sameSite: 'Lax' }));
});

test('refresh timing: window before expiry, capped at half the lifetime', () => {
  assert.equal(computeRefreshAt(0, 3600, 300_000), 3_300_000);
  assert.equal(computeRefreshAt(0, 60, 300_000), 30_000);
  assert.equal(computeRefreshAt(0, undefined, 300_000), null);
});

test('proxy paths cannot leave the upstream base', () => {
  const upstream = { name: 'u', url: new URL('https://api.example/v1/'), audience: undefined, scopes: undefined, forwardHeaders: new Set<string>(), timeoutMs: 1000 };
  assert.equal(resolveUpstreamUrl(upstream, 'items/1', '?a=b').href, 'https://api.example/v1/items/1?a=b');
  assert.equal(resolveUpstreamUrl(upstream, '/items', '').href, 'https://api.example/v1/items');
  for (const traversal of ['../admin', '..%2Fadmin', '%2e%2e/admin', 'a/../../admin', 'a\\..\\b', '%5C..%5Cadmin', '%E0%A4%A', './x']) {
    assert.throws(() => resolveUpstreamUrl(upstream, traversal, ''), /path|invalid/, traversal);
  }
  // Scheme-relative or absolute-looking paths are refused or stay below the base.
  for (const odd of ['//evil.example/x', 'https://evil.example/', '@evil.example', 'http:evil.example', 'http:%2F%2Fevil.example', 'https:%2F%2F%5B', 'http://[::1]:99/']) {
    let target: URL | undefined;
    try {
      target = resolveUpstreamUrl(upstream, odd, '');
    } catch (error) {
      assert.ok(error instanceof UpstreamNotAllowedError, `${odd}: ${String(error)}`);
      continue;
    }
    assert.ok(target.href.startsWith('https://api.example/v1/'), `${odd} → ${target.href}`);
  }
});

test('proxy: an upstream Location is re-expressed below the proxy mount, or dropped when it leaves the upstream', () => {
  const upstream = { name: 'u', url: new URL('https://api.example/v1/'), audience: undefined, scopes: undefined, forwardHeaders: new Set<string>(), timeoutMs: 1000 };
  const target = new URL('https://api.example/v1/items');
  const mount = new URL('https://app.example/api/u/');
  assert.equal(proxiedLocation(upstream, target, '/v1/items/42', mount), 'https://app.example/api/u/items/42');
  assert.equal(proxiedLocation(upstream, target, 'items/42?x=1', mount), 'https://app.example/api/u/items/42?x=1');
  for (const away of ['https://evil.example/', '//evil.example/v1/', '/v2/items', '/admin', 'javascript:alert(1)', '/v1/..//evil.example', 'http://api.example/v1/x', '/v1//evil.example']) {
    const location = proxiedLocation(upstream, target, away, mount);
    if (location !== null) assert.equal(new URL(location).origin, 'https://app.example', `${away} → ${location}`);
    if (!away.startsWith('/v1//')) assert.equal(location, null, away);
  }
});

test('an unreachable upstream is a 502, not a crash', async () => {
  const { forwardToUpstream } = await import('../src/api-proxy.ts');
  const upstream = { name: 'down', url: new URL('http://127.0.0.1:9/'), audience: undefined, scopes: undefined, forwardHeaders: new Set<string>(), timeoutMs: 2000 };
  await assert.rejects(forwardToUpstream(upstream, new URL('http://127.0.0.1:9/x'), { method: 'GET', headers: new Headers(), body: null }, 't', new URL('http://app.example/api/down/')),
    (error: unknown) => (error as { status?: number }).status === 502);
});
