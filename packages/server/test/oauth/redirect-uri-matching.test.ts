// Redirect URI matching at request time: exact string comparison (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3) with the
// loopback-port exception of RFC 8252 §7.3 for IP literals only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findRegisteredRedirectUri, redirectUriMatches } from '../../src/oauth/redirect-uri.ts';

describe('redirectUriMatches', () => {
  it('is exact for everything but a loopback IP literal port', () => {
    assert.ok(redirectUriMatches('https://app.example/cb', 'https://app.example/cb'));
    for (const requested of ['https://app.example/cb/', 'https://app.example/CB', 'https://app.example:443/cb', 'https://app.example/cb?', 'https://app.example/cb#']) {
      assert.ok(!redirectUriMatches(requested, 'https://app.example/cb'), requested);
    }
  });

  it('lets the port of 127.0.0.1 and [::1] vary, and nothing else', () => {
    assert.ok(redirectUriMatches('http://127.0.0.1:5000/cb', 'http://127.0.0.1/cb'));
    assert.ok(redirectUriMatches('http://127.0.0.1/cb', 'http://127.0.0.1:8080/cb'));
    assert.ok(redirectUriMatches('http://[::1]:5000/cb?x=1', 'http://[::1]:1/cb?x=1'));
    for (const [requested, registered] of [
      ['http://localhost:5000/cb', 'http://localhost/cb'],
      ['http://127.0.0.1:5000/cb', 'http://[::1]/cb'],
      ['http://127.0.0.1:5000/cb2', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:5000/cb?x', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:0/cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:99999/cb', 'http://127.0.0.1/cb'],
      ['http://127.0.0.1:5000@evil.example/cb', 'http://127.0.0.1/cb'],
      ['https://127.0.0.1:5000/cb', 'https://127.0.0.1/cb'],
      ['http://127.0.0.1:5000/cb#f', 'http://127.0.0.1/cb#f'],
    ]) {
      assert.ok(!redirectUriMatches(requested!, registered!), `${requested} vs ${registered}`);
    }
    assert.equal(findRegisteredRedirectUri('http://127.0.0.1:1234/cb', ['https://a.example/cb', 'http://127.0.0.1/cb']), 'http://127.0.0.1/cb');
  });
});
