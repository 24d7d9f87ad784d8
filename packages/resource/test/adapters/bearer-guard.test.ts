// What both adapters share: a scope check answers with the realm of the verifier that authenticated the request
// (RFC 6750 §3), refuses to run on a request no adapter authenticated, and lets faults of ours through as errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticateRequest, scopeCheck } from '../../src/adapters/bearer-guard.ts';
import { createVerifier } from '../../src/index.ts';

const verifier = createVerifier({ issuer: 'http://127.0.0.1:9', audience: 'https://api.example', realm: 'items' });
const claims = { sub: 's', client_id: 'c', scope: 'read', scopes: ['read'], iss: 'http://127.0.0.1:9', aud: 'https://api.example', exp: 0, actors: [] };

test('a request without credentials is refused with the bare challenge of the verifier realm', async () => {
  const outcome = await authenticateRequest(verifier, { headers: {} });
  assert.deepEqual(outcome.refusal, { status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer realm="items"' }, body: undefined });
});

test('a scope check answers insufficient_scope with the realm of the verifier that ran first', async () => {
  const request = { headers: {} };
  await authenticateRequest(verifier, request);
  const check = scopeCheck(['write']);
  assert.equal(check(request, { ...claims }).refusal?.headers['www-authenticate'], 'Bearer realm="items", error="insufficient_scope", scope="write"');
  assert.equal(scopeCheck(['read'])(request, claims).claims?.sub, 's');
});

test('a scope check on a request no bearer adapter authenticated is a wiring error, never a pass', () => {
  assert.throws(() => scopeCheck(['read'])({ headers: {} }, claims), /no bearer adapter authenticated/);
});

test('a fault that is not a BearerError is thrown on (the framework answers 500), not turned into a refusal', async () => {
  const broken = { ...verifier, authenticate: async () => { throw new Error('store down'); } };
  await assert.rejects(authenticateRequest(broken, { headers: {} }), /store down/);
});
