// RFC 8693 token exchange from the API's side (verifier.exchangeToken): the request the kit sends, the answer it
// returns, and how a refusal or an unreachable server surfaces (TokenExchangeError with the server's error code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVerifier } from '../src/create-verifier.ts';
import { VerifierConfigurationError, type FetchLike } from '../src/index.ts';
import { TokenExchangeError } from '../src/token-exchange.ts';

const ISSUER = 'https://as.example';
const TOKEN_ENDPOINT = 'https://as.example/token';
const CALENDAR = 'https://calendar.example';

interface Sent { url: string; headers: Record<string, string>; form: URLSearchParams }

/** An authorization server that publishes its metadata and answers the token endpoint with `answer`. */
function fakeServer(answer: (form: URLSearchParams) => Response): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    if (url === `${ISSUER}/.well-known/oauth-authorization-server`) return Response.json({ issuer: ISSUER, token_endpoint: TOKEN_ENDPOINT, jwks_uri: `${ISSUER}/jwks` });
    if (url !== TOKEN_ENDPOINT) return new Response('not found', { status: 404 });
    const form = new URLSearchParams(String(init.body));
    sent.push({ url, headers: init.headers as Record<string, string>, form });
    return answer(form);
  };
  return { fetch: fetchImpl, sent };
}

const verifierWith = (fetchImpl: FetchLike) => createVerifier({
  issuer: ISSUER, audience: 'https://contacts.example', fetch: fetchImpl, tokenExchange: { clientId: 'contacts api', clientSecret: 's3cret/+' },
});

test('sends an RFC 8693 request with client_secret_basic and returns the issued token', async () => {
  const server = fakeServer(() => Response.json({
    access_token: 'new-token', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 300, scope: 'calendar:read',
  }));
  const exchanged = await verifierWith(server.fetch).exchangeToken('user-token', { audience: CALENDAR, scopes: ['calendar:read'] });
  assert.deepEqual(exchanged, { accessToken: 'new-token', issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token', expiresInSeconds: 300, scopes: ['calendar:read'] });
  const [request] = server.sent;
  assert.equal(request!.headers.authorization, `Basic ${Buffer.from('contacts+api:s3cret%2F%2B').toString('base64')}`);
  assert.deepEqual(Object.fromEntries(request!.form), {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: 'user-token',
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    resource: CALENDAR, audience: CALENDAR, scope: 'calendar:read',
  });
});

test('without scopes, no scope is sent and the server decides', async () => {
  const server = fakeServer(() => Response.json({ access_token: 't', token_type: 'bearer', scope: 'calendar:read calendar:write' }));
  const exchanged = await verifierWith(server.fetch).exchangeToken('user-token', { audience: CALENDAR });
  assert.equal(server.sent[0]!.form.has('scope'), false);
  assert.deepEqual(exchanged.scopes, ['calendar:read', 'calendar:write']);
  assert.equal(exchanged.expiresInSeconds, undefined);
});

test("a refusal is TokenExchangeError carrying the server's error code; other failures carry none", async () => {
  const refused = fakeServer(() => Response.json({ error: 'invalid_target', error_description: 'this client may not exchange tokens for this API' }, { status: 400 }));
  await assert.rejects(verifierWith(refused.fetch).exchangeToken('user-token', { audience: CALENDAR }), (error: unknown) => {
    assert.ok(error instanceof TokenExchangeError);
    assert.equal(error.code, 'ERR_TOKEN_EXCHANGE');
    assert.equal(error.error, 'invalid_target');
    assert.match(error.message, /invalid_target.*may not exchange/);
    return true;
  });
  const broken = [
    fakeServer(() => new Response('<html>oops</html>', { status: 502 })),
    fakeServer(() => Response.json({ token_type: 'Bearer' })),
    fakeServer(() => Response.json({ access_token: 't', token_type: 'N_A' })),
    fakeServer(() => { throw new TypeError('fetch failed'); }),
  ];
  for (const server of broken) {
    await assert.rejects(verifierWith(server.fetch).exchangeToken('user-token', { audience: CALENDAR }), (error: unknown) => {
      assert.ok(error instanceof TokenExchangeError, String(error));
      assert.equal(error.error, undefined);
      return true;
    });
  }
});

test('not configured, incomplete credentials, or an audience that is no absolute URI: a configuration error', async () => {
  const plain = createVerifier({ issuer: ISSUER, audience: 'https://contacts.example' });
  await assert.rejects(plain.exchangeToken('t', { audience: CALENDAR }), VerifierConfigurationError);
  assert.throws(() => createVerifier({ issuer: ISSUER, audience: 'https://contacts.example', tokenExchange: { clientId: 'a', clientSecret: '' } }), /tokenExchange needs a clientId and a clientSecret/);
  await assert.rejects(verifierWith(fakeServer(() => Response.json({})).fetch).exchangeToken('t', { audience: 'calendar' }), VerifierConfigurationError);
});
