// The adapters' Request is built on the app origin, never from Host or a request target that reads as //host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toWebRequest } from '../../src/adapters/node-http-bridge.ts';

test('adapters build the kit\'s Request on the app origin even when the request target reads as //host', () => {
  for (const target of ['//evil.example/orders', '///evil.example', '/\\evil.example/x', '//evil.example@app.example/', 'orders']) {
    const request = toWebRequest('https://app.example', 'GET', target, { host: 'evil.example' });
    assert.equal(new URL(request.url).origin, 'https://app.example', target);
  }
  assert.equal(toWebRequest('https://app.example', 'GET', '//evil.example/orders?a=1', {}).url, 'https://app.example//evil.example/orders?a=1');
});
