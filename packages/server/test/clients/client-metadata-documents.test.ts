// OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP 2025-11-25): a client_id that
// is a URL is fetched, validated and used as an unvetted public client; documents that lie, are huge, slow, redirect
// or point at private addresses are refused on a page, never redirected, and the server fetches nothing private.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { guardedFetch } from '../../src/outbound/guarded-fetch.ts';
import { isPublicAddress } from '../../src/outbound/public-address.ts';
import { cacheSeconds } from '../../src/clients/metadata-document-clients.ts';
import { clientFromMetadataDocument, parseClientIdUrl } from '../../src/clients/client-metadata-document.ts';
import { ClientKeys } from '../../src/clients/client-keys.ts';
import { authorizeUrl, InjectBrowser, location, pkcePair, runAuthorization, tokenRequest } from '../helpers/authorization-flow.ts';
import { json, startDocumentHost, type DocumentHost } from '../helpers/metadata-document-host.ts';
import { ASSERTION_TYPE, clientAssertion, clientKeyPair, type ClientKeyPair } from '../helpers/client-assertion.ts';
import { addApi, addTestUser, basic, FORM_HEADERS, form, startTestServer, TEST_ISSUER, type TestServer } from '../helpers/test-server.ts';

const API = 'https://mcp.example/mcp';
const PASSWORD = 'a long enough password for alice';
const CALLBACK = 'http://127.0.0.1:33418/callback';
const pkce = pkcePair();
const clock = { now: 1_900_000_000 };
let host: DocumentHost;
let server: TestServer;

const goodDocument = (self: string, extra: Record<string, unknown> = {}) => ({
  client_id: self, client_name: 'Agent Desk', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'none', client_uri: 'https://agent.example', ...extra,
});

before(async () => {
  host = await startDocumentHost();
  server = await startTestServer({ clientMetadataDocuments: true, clientMetadataDocumentsAllowPrivate: true, operatorName: 'Example Corp' },
    { now: () => clock.now, metadataDocuments: { timeoutMs: 400 } });
  await addApi(server, API, { 'tools:read': 'Use the read-only tools', 'tools:write': 'Use the tools that change things' });
  await addTestUser(server, 'alice', PASSWORD);
});
after(async () => {
  await server.close();
  await host.close();
});

function authorize(clientId: string, overrides: Record<string, string> = {}) {
  return authorizeUrl({
    response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, scope: 'tools:read', state: 's1', resource: API,
    code_challenge: pkce.challenge, code_challenge_method: 'S256', ...overrides,
  });
}

/** Asserts the authorization request is refused on a page (400, never a redirect) that says `why`. */
async function refusedOnPage(app: TestServer['app'], clientId: string, why: RegExp, overrides: Record<string, string> = {}) {
  const response = await new InjectBrowser(app).get(authorize(clientId, overrides));
  assert.equal(response.statusCode, 400, response.body.slice(0, 400));
  assert.equal(response.headers.location, undefined, 'never redirected');
  assert.match(response.body, why);
}

describe('a client whose client_id is its metadata document URL', () => {
  it('discovery says client_id_metadata_document_supported', async () => {
    const metadata = (await server.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
    assert.equal(metadata.client_id_metadata_document_supported, true);
  });

  it('signs in through login and a consent page that names its host and says it is not verified; the token is issued to the URL', async () => {
    host.routes.set('/agent/client.json', json((self) => goodDocument(self), { 'cache-control': 'max-age=600' }));
    const clientId = host.url('/agent/client.json');
    const browser = new InjectBrowser(server.app);
    const { response, pages, html } = await runAuthorization(browser, authorize(clientId), { username: 'alice', password: PASSWORD });
    assert.deepEqual(pages, ['login', 'consent']);
    for (const page of html) {
      assert.match(page, /<strong>127\.0\.0\.1<\/strong> — this application registered itself and is <strong>not verified by Example Corp<\/strong>/);
      // MCP 2025-11-25: the redirect URI's host is displayed, with a warning for a loopback one.
      assert.match(page, /You will be sent back to <strong>127\.0\.0\.1:33418<\/strong>\. That is an application running on this computer/);
    }
    assert.match(html[1]!, /Agent Desk/);
    const callback = new URL(location(response));
    assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
    const token = await tokenRequest(server.app, { id: clientId }, {
      grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: pkce.verifier,
    });
    assert.equal(token.statusCode, 200, token.body);
    const stored = await server.store.getClient(clientId);
    assert.equal(stored?.registration, 'dynamic');
    assert.equal(stored?.isPublic, true);
    assert.equal(stored?.firstUsedAt, clock.now, 'in use: it will not expire as an unused registration');
    assert.equal(host.hits.get('/agent/client.json'), 1, 'fetched once, then served from the cache (max-age=600)');
  });

  it('never gets silent consent: a second authorization asks again even though every scope was approved', async () => {
    const clientId = host.url('/agent/client.json');
    const browser = new InjectBrowser(server.app);
    await runAuthorization(browser, authorize(clientId), { username: 'alice', password: PASSWORD });
    const again = await runAuthorization(browser, authorize(clientId), { username: 'alice', password: PASSWORD });
    assert.deepEqual(again.pages, ['consent'], 'signed in already, but consent is asked again');
    const silent = await browser.get(authorize(clientId, { prompt: 'none' }));
    assert.equal(silent.statusCode, 400, 'prompt=none cannot complete: no redirect before sign-in for an unvetted client');
    assert.match(silent.body, /consent is asked at every authorization of an application the operator did not verify, and prompt=none forbids asking\. \(consent_required\)/);
  });

  it('is fetched again once its max-age has passed (bounded below by the minimum cache time)', async () => {
    let served = 0;
    host.routes.set('/short/client.json', (request, response) => {
      served++;
      json((self) => goodDocument(self, { client_name: `Short ${served}` }), { 'cache-control': 'max-age=1' })(request, response);
    });
    const clientId = host.url('/short/client.json');
    const browser = new InjectBrowser(server.app);
    await browser.get(authorize(clientId));
    await browser.get(authorize(clientId));
    assert.equal(served, 1, 'max-age=1 is raised to the 60 s minimum');
    clock.now += 61;
    await browser.get(authorize(clientId));
    assert.equal(served, 2);
    assert.equal((await server.store.getClient(clientId))?.name, 'Short 2', 'the stored client follows the document');
  });

  it('cache-control bounds: max-age within [min, max], no-store and absent mean the minimum', () => {
    assert.equal(cacheSeconds('public, max-age=300', 60, 86400), 300);
    assert.equal(cacheSeconds('max-age=99999999', 60, 86400), 86400);
    assert.equal(cacheSeconds('no-store', 60, 86400), 60);
    assert.equal(cacheSeconds(undefined, 60, 86400), 60);
  });
});

describe('a metadata document client that authenticates with private_key_jwt (RFC 7523 §2.2)', () => {
  let key: ClientKeyPair;
  let clientId: string;
  const assertion = (k = key, claims: Record<string, unknown> = {}) => clientAssertion(k, { clientId, aud: TEST_ISSUER, now: clock.now, claims });
  const withAssertion = (jwt: string) => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: jwt });
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url, headers: { ...FORM_HEADERS, ...headers }, payload: form(fields) });
  /** A code for the key client (login and consent in the browser). */
  async function code(): Promise<string> {
    const { response } = await runAuthorization(new InjectBrowser(server.app), authorize(clientId), { username: 'alice', password: PASSWORD });
    return new URL(location(response)).searchParams.get('code')!;
  }
  const codeGrant = (value: string) => ({ grant_type: 'authorization_code', code: value, redirect_uri: CALLBACK, code_verifier: pkce.verifier });
  const assertInvalidClient = (response: { statusCode: number; json(): { error: string } }, body: string) => {
    assert.equal(response.statusCode, 401, body);
    assert.equal(response.json().error, 'invalid_client');
  };

  before(async () => {
    key = await clientKeyPair('ES256');
    host.routes.set('/keyed/jwks.json', json({ keys: [key.publicJwk] }));
    host.routes.set('/keyed/client.json', json((self) => goodDocument(self, { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: host.url('/keyed/jwks.json') })));
    clientId = host.url('/keyed/client.json');
  });

  it('signs in and obtains tokens with a signed assertion (keys fetched from its jwks_uri through the guard); the client is confidential', async () => {
    const token = await post('/token', { ...codeGrant(await code()), ...withAssertion(await assertion()) });
    assert.equal(token.statusCode, 200, token.body);
    const stored = await server.store.getClient(clientId);
    assert.equal(stored?.isPublic, false);
    assert.equal(stored?.secretHash, null, 'no secret exists');
    assert.equal(stored?.jwksUri, host.url('/keyed/jwks.json'));
    assert.equal(stored?.registration, 'dynamic');
    assert.equal(host.hits.get('/keyed/jwks.json'), 1);
    const refreshed = await post('/token', { grant_type: 'refresh_token', refresh_token: token.json().refresh_token, ...withAssertion(await assertion()) });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const introspected = await post('/introspect', { token: refreshed.json().access_token, ...withAssertion(await assertion()) });
    assert.equal(introspected.statusCode, 200, introspected.body);
    const revoked = await post('/revoke', { token: refreshed.json().refresh_token, ...withAssertion(await assertion()) });
    assert.equal(revoked.statusCode, 200, revoked.body);
    const pushed = await post('/par', {
      response_type: 'code', redirect_uri: CALLBACK, scope: 'tools:read', resource: API, code_challenge: pkce.challenge, code_challenge_method: 'S256',
      ...withAssertion(await assertion()),
    });
    assert.equal(pushed.statusCode, 201, pushed.body);
    const unsigned = await post('/par', { client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, code_challenge: pkce.challenge, code_challenge_method: 'S256' });
    assert.equal(unsigned.statusCode, 401, 'a pushed request without the assertion is refused');
  });

  it('a replayed assertion is refused (its jti is used once)', async () => {
    const jwt = await assertion();
    const first = await post('/token', { ...codeGrant(await code()), ...withAssertion(jwt) });
    assert.equal(first.statusCode, 200, first.body);
    const replayed = await post('/token', { ...codeGrant(await code()), ...withAssertion(jwt) });
    assertInvalidClient(replayed, replayed.body);
    assert.equal(replayed.json().error_description, 'client authentication failed: the client assertion is invalid');
  });

  it('an assertion signed by a key not in its JWKS is invalid_client (another kid, or the same kid with another key)', async () => {
    const other = await clientKeyPair('ES256');
    clock.now += 31; // the cached key set is older than the 30 s refetch floor
    const before = host.hits.get('/keyed/jwks.json') ?? 0;
    const unknownKid = await post('/token', { ...codeGrant('x'), ...withAssertion(await assertion(other)) });
    assertInvalidClient(unknownKid, unknownKid.body);
    assert.equal(host.hits.get('/keyed/jwks.json'), before + 1, 'an unknown kid refetches the key set once (rotation), which still lacks it');
    const sameKid = await post('/token', { ...codeGrant('x'), ...withAssertion(await assertion({ ...other, kid: key.kid })) });
    assertInvalidClient(sameKid, sameKid.body);
  });

  it('a client_secret (Basic or in the body), or client_id alone, does not authenticate it', async () => {
    const basicAuth = await post('/token', codeGrant('x'), { authorization: basic(clientId, 'guessed-secret') });
    assertInvalidClient(basicAuth, basicAuth.body);
    assert.match(basicAuth.json().error_description, /must authenticate with private_key_jwt/);
    const inBody = await post('/token', { ...codeGrant('x'), client_id: clientId, client_secret: 'guessed-secret' });
    assertInvalidClient(inBody, inBody.body);
    const alone = await post('/token', { ...codeGrant(await code()), client_id: clientId });
    assertInvalidClient(alone, alone.body);
    const both = await post('/token', { ...codeGrant('x'), ...withAssertion(await assertion()), client_secret: 'guessed-secret' });
    assert.equal(both.statusCode, 400, 'an assertion and a secret together: two methods');
  });

  it('inline public keys (jwks) work the same way', async () => {
    const inlineKey = await clientKeyPair('ES256');
    host.routes.set('/inline/client.json', json((self) => goodDocument(self, { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [inlineKey.publicJwk] } })));
    const inlineId = host.url('/inline/client.json');
    const { response } = await runAuthorization(new InjectBrowser(server.app), authorize(inlineId), { username: 'alice', password: PASSWORD });
    const value = new URL(location(response)).searchParams.get('code')!;
    const jwt = await clientAssertion(inlineKey, { clientId: inlineId, aud: `${TEST_ISSUER}/token`, now: clock.now });
    const token = await post('/token', { ...codeGrant(value), ...withAssertion(jwt) });
    assert.equal(token.statusCode, 200, token.body);
  });
});

describe('the jwks_uri of a client nobody vetted is a URL a stranger chose', () => {
  const doc = (jwksUri: string) => JSON.stringify(goodDocument('https://agent.example/client.json', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri }));

  it('is refused in the document when it is http or an address outside the public space (outside development)', () => {
    for (const [uri, why] of [
      ['https://10.0.0.7/jwks.json', /is not on a public address/], ['https://169.254.169.254/latest/jwks', /is not on a public address/],
      ['https://[::1]/jwks.json', /is not on a public address/], ['https://localhost/jwks.json', /is not on a public address/],
      ['https://[::ffff:7f00:1]/jwks.json', /is not on a public address/], ['http://agent.example/jwks.json', /must use https/], ['not a url', /not an absolute URL/],
    ] as const) {
      assert.throws(() => clientFromMetadataDocument('https://agent.example/client.json', doc(uri), 0), why, uri);
    }
    const client = clientFromMetadataDocument('https://agent.example/client.json', doc('https://keys.agent.example/jwks.json'), 0);
    assert.equal(client.isPublic, false);
    assert.equal(client.jwksUri, 'https://keys.agent.example/jwks.json');
  });

  it('is fetched through the SSRF guard: a name that resolves to a private address (DNS rebinding) gets nothing fetched', async () => {
    const keyPair = await clientKeyPair('ES256');
    host.routes.set('/guarded/jwks.json', json({ keys: [keyPair.publicJwk] }));
    const port = new URL(host.origin).port;
    const dynamic = { ...clientFromMetadataDocument('https://agent.example/client.json', doc('https://keys.agent.example/jwks.json'), 0), jwksUri: `https://localhost:${port}/guarded/jwks.json` };
    const keys = new ClientKeys(fetch, { allowPrivate: false });
    await assert.rejects(keys.keysFor(dynamic, 0), /fetching the jwks_uri failed: localhost resolves to (127\.0\.0\.1|::1), which is not a public address/);
    await assert.rejects(keys.keysFor({ ...dynamic, jwksUri: `https://127.0.0.1:${port}/guarded/jwks.json` }, 0), /not a public address/);
    await assert.rejects(keys.keysFor({ ...dynamic, jwksUri: host.url('/guarded/jwks.json') }, 0), /only https URLs are fetched/);
    assert.equal(host.hits.get('/guarded/jwks.json'), undefined, 'nothing reached the private host');
    // The same URL, registered by the operator (vetted), is fetched directly; the cache never lends it to a dynamic client.
    const vetted = await keys.keysFor({ ...dynamic, registration: 'operator', jwksUri: host.url('/guarded/jwks.json') }, 0);
    assert.equal(vetted.keys[0]?.kid, keyPair.kid);
    await assert.rejects(keys.keysFor({ ...dynamic, jwksUri: host.url('/guarded/jwks.json') }, 0), /only https URLs are fetched/);
    assert.equal(host.hits.get('/guarded/jwks.json'), 1);
  });
});

describe('documents that lie or misbehave are refused on a page, never redirected', () => {
  it('a client_id in the document other than its URL', async () => {
    host.routes.set('/liar/client.json', json(goodDocument('http://127.0.0.1:1/trusted/client.json')));
    await refusedOnPage(server.app, host.url('/liar/client.json'), /client ID metadata document: the document&#39;s client_id &quot;http:\/\/127\.0\.0\.1:1\/trusted\/client\.json&quot; is not the URL it was fetched from/);
  });

  it('an https redirect URI on another host than the client_id', async () => {
    host.routes.set('/elsewhere/client.json', json((self) => goodDocument(self, { redirect_uris: ['https://attacker.example/cb'] })));
    await refusedOnPage(server.app, host.url('/elsewhere/client.json'), /redirect URI https:\/\/attacker\.example\/cb is on attacker\.example, not on the client_id&#39;s host 127\.0\.0\.1/,
      { redirect_uri: 'https://attacker.example/cb' });
  });

  it('a redirect_uri the document does not list', async () => {
    await refusedOnPage(server.app, host.url('/agent/client.json'), /redirect_uri does not exactly match/, { redirect_uri: 'http://127.0.0.1:9/other' });
  });

  it('private_key_jwt without keys or with private keys, client secrets, and grants other than code/refresh', async () => {
    host.routes.set('/pkjwt/client.json', json((self) => goodDocument(self, { token_endpoint_auth_method: 'private_key_jwt' })));
    await refusedOnPage(server.app, host.url('/pkjwt/client.json'), /private_key_jwt needs the client&#39;s public keys: exactly one of jwks_uri or jwks/);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    host.routes.set('/pkjwt-private/client.json', json((self) => goodDocument(self, { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [privateJwk] } })));
    await refusedOnPage(server.app, host.url('/pkjwt-private/client.json'), /jwks: the JWKS holds private key material/);
    host.routes.set('/nokeys/client.json', json((self) => goodDocument(self, { jwks_uri: 'https://agent.example/jwks' })));
    await refusedOnPage(server.app, host.url('/nokeys/client.json'), /jwks and jwks_uri go with token_endpoint_auth_method &quot;private_key_jwt&quot;, not &quot;none&quot;/);
    host.routes.set('/secret/client.json', json((self) => goodDocument(self, { token_endpoint_auth_method: 'client_secret_basic' })));
    await refusedOnPage(server.app, host.url('/secret/client.json'), /has no shared secret/);
    host.routes.set('/cc/client.json', json((self) => goodDocument(self, { grant_types: ['client_credentials'] })));
    await refusedOnPage(server.app, host.url('/cc/client.json'), /grant_types must include authorization_code/);
    host.routes.set('/nouris/client.json', json((self) => goodDocument(self, { redirect_uris: [] })));
    await refusedOnPage(server.app, host.url('/nouris/client.json'), /redirect_uris must be a non-empty array/);
  });

  it('a document larger than 5 KB, declared or streamed', async () => {
    host.routes.set('/huge/client.json', json((self) => goodDocument(self, { padding: 'x'.repeat(6000) })));
    await refusedOnPage(server.app, host.url('/huge/client.json'), /larger than 5120 bytes/);
    host.routes.set('/streamed/client.json', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(`{"padding":"${'y'.repeat(4000)}`);
      response.end(`${'y'.repeat(4000)}"}`);
    });
    await refusedOnPage(server.app, host.url('/streamed/client.json'), /larger than 5120 bytes/);
  });

  it('a document that does not arrive in time', async () => {
    host.routes.set('/slow/client.json', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{');
      // never ends: the server gives up after its timeout
    });
    await refusedOnPage(server.app, host.url('/slow/client.json'), /no complete answer within 400 ms/);
  });

  it('a redirect (not followed), another status, another media type, a malformed URL', async () => {
    host.routes.set('/moved/client.json', (_request, response) => void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end());
    await refusedOnPage(server.app, host.url('/moved/client.json'), /redirects are not followed/);
    assert.equal(host.hits.get('/latest/meta-data'), undefined);
    await refusedOnPage(server.app, host.url('/missing/client.json'), /HTTP 404, not 200/);
    host.routes.set('/html/client.json', (_request, response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    await refusedOnPage(server.app, host.url('/html/client.json'), /Content-Type is &quot;text\/html&quot;/);
    await refusedOnPage(server.app, `${host.origin}/a/../client.json`, /must not contain \. or \.\. path segments/);
    await refusedOnPage(server.app, `${host.origin}/`, /must have a path/);
  });
});

describe('a flood of new document URLs', () => {
  it('is bounded: past maxInFlight concurrent fetches, another URL is refused until one ends', async () => {
    const bounded = await startTestServer({ clientMetadataDocuments: true, clientMetadataDocumentsAllowPrivate: true }, { metadataDocuments: { maxInFlight: 1, timeoutMs: 2000 } });
    try {
      let release: () => void = () => {};
      host.routes.set('/held/client.json', (_request, response) => {
        release = () => void response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      const held = new InjectBrowser(bounded.app).get(authorize(host.url('/held/client.json')));
      for (let i = 0; i < 2000 && !host.hits.get('/held/client.json'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(host.hits.get('/held/client.json'), 1, 'the first fetch is in flight');
      await refusedOnPage(bounded.app, host.url('/other/client.json'), /too many client metadata documents are being fetched right now/);
      assert.equal(host.hits.get('/other/client.json'), undefined, 'not fetched');
      release();
      assert.equal((await held).statusCode, 400, 'the held one ends (its empty document is refused)');
    } finally {
      await bounded.close();
    }
  });
});

describe('private addresses', () => {
  it('outside development, loopback, private and link-local targets are refused before any connection', async () => {
    const strict = await startTestServer({ clientMetadataDocuments: true });
    try {
      await addApi(strict, API, { 'tools:read': 'Use the read-only tools' });
      host.routes.set('/private/client.json', json((self) => goodDocument(self)));
      const before = host.hits.get('/private/client.json') ?? 0;
      await refusedOnPage(strict.app, host.url('/private/client.json'), /a client_id URL must use https/);
      const port = new URL(host.origin).port;
      await refusedOnPage(strict.app, `https://127.0.0.1:${port}/private/client.json`, /127\.0\.0\.1 resolves to 127\.0\.0\.1, which is not a public address/);
      await refusedOnPage(strict.app, `https://localhost:${port}/private/client.json`, /localhost resolves to (127\.0\.0\.1|::1), which is not a public address/);
      await refusedOnPage(strict.app, 'https://169.254.169.254/latest/client.json', /not a public address/);
      await refusedOnPage(strict.app, 'https://[::ffff:a00:1]/client.json', /not a public address/);
      assert.equal(host.hits.get('/private/client.json') ?? 0, before, 'nothing reached the private host');
    } finally {
      await strict.close();
    }
  });

  it('the guarded fetch itself: http and loopback only with the development allowance', async () => {
    host.routes.set('/plain.json', json({ ok: true }, { 'cache-control': 'max-age=120' }));
    const options = { timeoutMs: 1000, maxBytes: 100, accept: 'application/json' };
    await assert.rejects(guardedFetch(new URL(host.url('/plain.json')), { ...options, allowPrivate: false }), /only https URLs are fetched/);
    const port = new URL(host.origin).port;
    await assert.rejects(guardedFetch(new URL(`https://127.0.0.1:${port}/plain.json`), { ...options, allowPrivate: false }), /not a public address/);
    const answer = await guardedFetch(new URL(host.url('/plain.json')), { ...options, allowPrivate: true });
    assert.deepEqual(JSON.parse(answer.body), { ok: true });
    assert.equal(answer.cacheControl, 'max-age=120');
    // An https URL is fetched over TLS (node:https, loaded at the first such fetch): the plain HTTP host cannot answer
    // the handshake, and the failure is a GuardedFetchError naming the TLS error, not a crash.
    const tls = await guardedFetch(new URL(`https://127.0.0.1:${port}/plain.json`), { ...options, allowPrivate: true }).then(() => undefined, (error: Error) => error);
    assert.equal(tls?.name, 'GuardedFetchError');
    assert.match(tls?.message ?? '', /the request failed \((EPROTO|ERR_SSL_[A-Z_]+|ECONNRESET)\)/);
  });

  it('the address rule: only globally routable unicast', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
      '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:a00:1', '64:ff9b::a00:1', 'ff02::1', 'not-an-ip']) {
      assert.equal(isPublicAddress(address), false, address);
    }
    for (const address of ['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111']) assert.equal(isPublicAddress(address), true, address);
  });

  it('client_id URL rules: https, a path, no fragment, no user info, normal form', () => {
    assert.throws(() => parseClientIdUrl('http://agent.example/c.json', false), /must use https/);
    assert.throws(() => parseClientIdUrl('https://agent.example/c.json#x', false), /fragment/);
    assert.throws(() => parseClientIdUrl('https://u:p@agent.example/c.json', false), /user name or password/);
    assert.throws(() => parseClientIdUrl('https://AGENT.example/c.json', false), /normal form/);
    assert.throws(() => parseClientIdUrl('https://agent.example/a/%2e%2e/c.json', false), /path segments/);
    assert.equal(parseClientIdUrl('https://agent.example/c.json', false).hostname, 'agent.example');
  });
});

describe('when not enabled', () => {
  it('a URL client_id is an unknown client and discovery does not claim support', async () => {
    const off = await startTestServer();
    try {
      host.routes.set('/off/client.json', json((self) => goodDocument(self)));
      await refusedOnPage(off.app, host.url('/off/client.json'), /client_id is not a registered client/);
      assert.equal(host.hits.get('/off/client.json'), undefined, 'nothing fetched');
      const metadata = (await off.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
      assert.equal(metadata.client_id_metadata_document_supported, undefined);
    } finally {
      await off.close();
    }
  });
});
