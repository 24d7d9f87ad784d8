// The start page (/) says what is running and links to discovery, the keys and the account page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/test-server.ts';

test('the start page explains the server and links onwards, with extra links (the demo) when present', async () => {
  const server = await startTestServer();
  try {
    const res = await server.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'.*frame-ancestors 'none'/);
    for (const href of ['/account', '/device', '/.well-known/openid-configuration', '/jwks']) assert.ok(res.body.includes(`href="http://127.0.0.1:4000${href}"`), href);
    assert.match(res.body, /Dev mode/);
    assert.ok(!res.body.includes('<h2>Demo</h2>'));
    server.app.latchkeyServer.homeLinks.push({ label: 'Contacts <Importer>', href: 'http://localhost:4002/', description: 'a third-party app' });
    const withDemo = await server.app.inject({ method: 'GET', url: '/' });
    assert.match(withDemo.body, /<h2>Demo<\/h2>/);
    assert.match(withDemo.body, /Contacts &lt;Importer&gt;/);
  } finally {
    await server.close();
  }
});
