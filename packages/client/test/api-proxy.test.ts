// The API proxy's path and Location rules (RFC 9700 §4.11.2) and an unreachable upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxiedLocation, resolveUpstreamUrl } from '../src/api-proxy.ts';
import { UpstreamNotAllowedError } from '../src/errors.ts';

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
