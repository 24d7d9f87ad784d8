// Redirect URIs accepted at registration (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redirectUriProblem } from '../../src/oauth/redirect-uri.ts';

test('accepted: https, loopback http, private-use schemes', () => {
  for (const uri of ['https://app.example/cb', 'https://app.example:8443/cb?x=1', 'http://127.0.0.1/cb', 'http://127.0.0.1:8080/cb',
    'http://[::1]:3000/cb', 'http://localhost:4002/callback', 'com.example.app:/oauth2redirect']) {
    assert.equal(redirectUriProblem(uri), undefined, uri);
  }
});

test('refused: fragments, relative URIs, plain http elsewhere, dangerous schemes, credentials, bare custom schemes', () => {
  const cases: [string, RegExp][] = [
    ['https://app.example/cb#frag', /fragment/], ['https://app.example/cb#', /fragment/], ['/cb', /absolute/],
    ['http://app.example/cb', /must use https/], ['http://127.0.0.2.nip.io/cb', /must use https/],
    ['javascript:alert(1)', /cannot be a redirect/], ['data:text/html,x', /cannot be a redirect/],
    ['https://user:pass@app.example/cb', /credentials/], ['myapp:/cb', /reverse domain/],
  ];
  for (const [uri, reason] of cases) assert.match(redirectUriProblem(uri) ?? '', reason, uri);
});
