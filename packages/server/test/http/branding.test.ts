// The operator's branding on every page: the product name in the header and the title, the logo by its exact URL
// (the CSP allows that image and nothing else), the accent colour in the hashed inline style; nothing from elsewhere.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe('branding', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ productName: 'Acme <ID>', logoUrl: 'https://static.acme.example/logo.svg', brandColor: '#7a1f5c' });
  });
  after(() => server.close());

  it('shows the name (escaped), the logo and the colour on the account, home and error pages', async () => {
    for (const url of ['/account', '/', '/authorize?client_id=nope']) {
      const page = await server.app.inject({ method: 'GET', url });
      assert.match(page.body, /<header class="brand"><img src="https:\/\/static.acme.example\/logo.svg" alt=""><span>Acme &lt;ID&gt;<\/span><\/header>/, url);
      assert.match(page.body, /<title>[^<]+ · Acme &lt;ID&gt;<\/title>/, url);
      assert.match(page.body, /--accent: #7a1f5c;/);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /img-src https:\/\/static.acme.example\/logo.svg(;|$)/, url);
      assert.doesNotMatch(csp, /unsafe-inline|\*/);
    }
    const account = await server.app.inject({ method: 'GET', url: '/account' });
    assert.match(account.body, /to continue to <strong>your Acme &lt;ID&gt; account<\/strong>/);
  });

  it('the passkey scripts are served by the server itself, as JavaScript', async () => {
    for (const url of ['/assets/webauthn-browser.js', '/assets/passkeys.js']) {
      const script = await server.app.inject({ method: 'GET', url });
      assert.equal(script.statusCode, 200, url);
      assert.match(String(script.headers['content-type']), /^text\/javascript/);
    }
    assert.match((await server.app.inject({ method: 'GET', url: '/assets/webauthn-browser.js' })).body, /SimpleWebAuthnBrowser/);
  });
});
