// The bench refuses to measure a server whose answer is wrong: the verification step, from the failing side.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchServer, type RunningServer } from '../src/launch-server.ts';
import { verifyTokenEndpoint, VerificationError } from '../src/verify-token-endpoint.ts';

let latchkey: RunningServer;
before(async () => {
  latchkey = await launchServer('latchkey');
});
after(async () => {
  await latchkey?.stop();
});

test('a correct answer passes: 200 and an ES256 at+jwt that verifies against the JWKS', async () => {
  const token = await verifyTokenEndpoint(latchkey.ready);
  assert.equal(token.alg, 'ES256');
  assert.equal(token.typ, 'at+jwt');
  assert.ok(token.claims.includes('client_id'));
});

test('a non-200 answer stops the bench with the status and body', async () => {
  await assert.rejects(verifyTokenEndpoint({ ...latchkey.ready, clientSecret: 'wrong' }), (error: Error) =>
    error instanceof VerificationError && /latchkey: token request answered 401, not 200: .*invalid_client/.test(error.message));
});

test('a token for another audience or issuer stops the bench', async () => {
  await assert.rejects(verifyTokenEndpoint({ ...latchkey.ready, audience: 'https://other.example' }), /does not verify.*aud/);
  await assert.rejects(verifyTokenEndpoint({ ...latchkey.ready, issuer: 'http://127.0.0.1:1' }), /does not verify.*iss/);
});
