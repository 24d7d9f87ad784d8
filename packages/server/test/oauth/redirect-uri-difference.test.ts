// Why a redirect_uri did not match (issue 18): the first differing character and each kind of difference.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestRegistered, describeDifference, explainRedirectUriMismatch } from '../../src/oauth/redirect-uri-difference.ts';

const REGISTERED = 'https://app.example/callback';
const kinds = (received: string, registered = REGISTERED) => describeDifference(received, registered).kinds.map((k) => `${k.kind}: ${k.received} vs ${k.registered}`);

describe('each kind of difference', () => {
  it('trailing slash', () => {
    assert.deepEqual(kinds('https://app.example/callback/'), ['trailing slash: /callback/ vs /callback']);
    assert.equal(describeDifference('https://app.example/callback/', REGISTERED).position, 29, 'one past the registered URI');
  });
  it('scheme', () => assert.deepEqual(kinds('http://app.example/callback'), ['scheme: http: vs https:']));
  it('port, also a written default port', () => {
    assert.deepEqual(kinds('https://app.example:8443/callback'), ['port: 8443 vs (none)']);
    assert.deepEqual(kinds('https://app.example:443/callback'), ['port: 443 vs (none)']);
    assert.equal(describeDifference('https://app.example:8443/callback', REGISTERED).position, 20);
  });
  it('host', () => assert.deepEqual(kinds('https://www.app.example/callback'), ['host: www.app.example vs app.example']));
  it('path', () => assert.deepEqual(kinds('https://app.example/cb'), ['path: /cb vs /callback']));
  it('query', () => assert.deepEqual(kinds('https://app.example/callback?next=1'), ['query: ?next=1 vs (none)']));
  it('letter case of the host or percent-encoding: the strings differ though the URLs parse the same', () => {
    assert.deepEqual(kinds('https://App.example/callback'), ['encoding or letter case: https://App.example/callback vs https://app.example/callback']);
    assert.equal(describeDifference('https://App.example/callback', REGISTERED).position, 9);
  });
  it('several at once', () => assert.deepEqual(kinds('http://app.example:8080/callback/'), ['scheme: http: vs https:', 'port: 8080 vs (none)', 'trailing slash: /callback/ vs /callback']));
});

describe('the explanation', () => {
  it('names the closest registered URI, the first differing character with context, and each difference', () => {
    const registered = ['https://other.example/cb', REGISTERED];
    assert.equal(closestRegistered('https://app.example/callback/', registered), REGISTERED);
    assert.deepEqual(explainRedirectUriMismatch('https://app.example/callback/', registered), [
      'registered redirect URIs: https://other.example/cb  https://app.example/callback',
      'closest registered: https://app.example/callback, first difference at character 29 (received "/", registered "(end)")',
      'trailing slash differs: received /callback/, registered /callback',
      'matching is exact string comparison (only a loopback IP literal may change its port, RFC 8252 §7.3)',
    ]);
  });
  it('no registered URI; a received value that is not a URI', () => {
    assert.deepEqual(explainRedirectUriMismatch('https://a.example/cb', []), ['registered redirect URIs: (none)']);
    assert.ok(explainRedirectUriMismatch('not a uri', [REGISTERED]).includes('the received redirect_uri is not an absolute URI'));
  });
});
