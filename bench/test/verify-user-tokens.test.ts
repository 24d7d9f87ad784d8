// The bench refuses to measure a user-facing flow whose answer is wrong: signing in over HTTP works against Latchkey,
// and the verification of code-flow, refresh and introspection answers fails on every kind of wrong answer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchServer, type RunningServer } from '../src/launch-server.ts';
import { authorizeWithSession, codeExchangeBody, codeFlow, NONCE, refreshBody, signIn, tokenRequest, userFlowOf } from '../src/user-flow.ts';
import { VerificationError } from '../src/verify-token-endpoint.ts';
import { verifyIntrospection, verifyUserTokens } from '../src/verify-user-tokens.ts';

let latchkey: RunningServer;
let cookies: string;
before(async () => {
  latchkey = await launchServer('latchkey');
  cookies = await signIn(latchkey.ready);
});
after(async () => {
  await latchkey?.stop();
});

const rejectedWith = (pattern: RegExp) => (error: Error) => error instanceof VerificationError && pattern.test(error.message);

test('a code flow from the SSO session passes: access token, ID token with the nonce, refresh token; introspection says active', async () => {
  const tokens = await verifyUserTokens(latchkey.ready, await codeFlow(latchkey.ready, cookies), { nonce: NONCE });
  assert.match(tokens.checked, /ES256 at\+jwt access token, RS256 ID token with nonce, refresh token/);
  assert.match(await verifyIntrospection(latchkey.ready, tokens.accessToken), /^200 active/);
  const refreshed = await verifyUserTokens(latchkey.ready, await tokenRequest(latchkey.ready, refreshBody(tokens.refreshToken)));
  assert.notEqual(refreshed.refreshToken, tokens.refreshToken);
});

test('an ID token without the request\'s nonce, or for another audience, stops the bench', async () => {
  await assert.rejects(verifyUserTokens(latchkey.ready, await codeFlow(latchkey.ready, cookies), { nonce: 'another-nonce' }), rejectedWith(/ID token nonce is bench-nonce/));
  await assert.rejects(verifyUserTokens({ ...latchkey.ready, audience: 'https://other.example' }, await codeFlow(latchkey.ready, cookies)),
    rejectedWith(/access token does not verify.*aud/));
});

test('a refused code exchange (the code replayed) stops the bench with the status and the error', async () => {
  const flow = userFlowOf(latchkey.ready);
  const code = await authorizeWithSession(latchkey.ready, cookies);
  await verifyUserTokens(latchkey.ready, await tokenRequest(latchkey.ready, codeExchangeBody(flow, code)));
  await assert.rejects(verifyUserTokens(latchkey.ready, await tokenRequest(latchkey.ready, codeExchangeBody(flow, code))),
    rejectedWith(/token request answered 400, not 200: .*invalid_grant/));
});

test('an introspection answer that is not active, or by a client that may not see the token, stops the bench', async () => {
  await assert.rejects(verifyIntrospection(latchkey.ready, 'not-a-token'), rejectedWith(/not active/));
  const tokens = await verifyUserTokens(latchkey.ready, await codeFlow(latchkey.ready, cookies));
  // The client credentials client is neither the token's client nor an introspector of its API (RFC 7662 §2.2).
  const stranger = { ...latchkey.ready, introspection: { ...latchkey.ready.introspection!, clientId: latchkey.ready.clientId, clientSecret: latchkey.ready.clientSecret } };
  await assert.rejects(verifyIntrospection(stranger, tokens.accessToken), rejectedWith(/\{"active":false\}, not active/));
});
