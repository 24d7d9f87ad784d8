// JWKS caching and rate-limited refetch on unknown kid (RFC 7517 §4.5 kid, RFC 8414 jwks_uri), counted on the fake issuer.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createVerifier } from '../src/index.ts';
import { assertRejected, callApi, invalidTokenChallenge, REALM } from './helpers/bearer-api-suite.ts';
import { AUDIENCE, startFakeIssuer, type FakeIssuer } from './helpers/fake-issuer.ts';
import { startExpressApi, startFastifyApi, type RunningApi } from './helpers/protected-apis.ts';

let issuer: FakeIssuer;
const apis: RunningApi[] = [];

before(async () => {
  issuer = await startFakeIssuer();
});
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});
after(async () => {
  await issuer.close();
});

test('keys are fetched once and cached across requests', async () => {
  const api = await startFastifyApi(createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, realm: REALM }));
  apis.push(api);
  const before = issuer.hits.jwks;
  for (let index = 0; index < 5; index += 1) {
    assert.equal((await callApi(api, { token: await issuer.signToken() })).status, 200);
  }
  assert.equal(issuer.hits.jwks - before, 1);
});

test('after a key rotation the unknown kid triggers exactly one refetch once the cooldown has passed', async () => {
  const api = await startFastifyApi(createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, realm: REALM, jwksCooldownSeconds: 1 }));
  apis.push(api);
  const start = issuer.hits.jwks;
  assert.equal((await callApi(api, { token: await issuer.signToken() })).status, 200);
  assert.equal(issuer.hits.jwks - start, 1);

  await issuer.rotateKeys();
  const rotated = await issuer.signToken();
  // Inside the cooldown the new kid is not fetched yet: rejected without a JWKS request.
  await assertRejected(await callApi(api, { token: rotated }), 401,
    invalidTokenChallenge('the access token was signed with an unknown key'), 'invalid_token');
  assert.equal(issuer.hits.jwks - start, 1);

  await sleep(1100);
  assert.equal((await callApi(api, { token: rotated })).status, 200);
  assert.equal(issuer.hits.jwks - start, 2);
  assert.equal((await callApi(api, { token: await issuer.signToken() })).status, 200);
  assert.equal(issuer.hits.jwks - start, 2);
});

// Two verifiers instead of one timed window: a long cooldown shows the flood causes no refetch however slow the
// machine is, and a short one (waited out) shows the burst after it shares one refetch. No wall-clock assertion.
async function floodWithRandomKids(api: Awaited<ReturnType<typeof startExpressApi>>, count: number): Promise<void> {
  const tokens = await Promise.all(Array.from({ length: count }, () => issuer.signToken({ kid: randomUUID() })));
  const responses = await Promise.all(tokens.map((token) => callApi(api, { token })));
  for (const response of responses) {
    await assertRejected(response, 401, invalidTokenChallenge('the access token was signed with an unknown key'), 'invalid_token');
  }
}

test('a flood of random kids cannot make the verifier hammer the JWKS endpoint', async () => {
  const api = await startExpressApi(createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, realm: REALM, jwksCooldownSeconds: 600 }));
  apis.push(api);
  const start = issuer.hits.jwks;
  assert.equal((await callApi(api, { token: await issuer.signToken() })).status, 200);
  await floodWithRandomKids(api, 100);
  for (let index = 0; index < 20; index += 1) await floodWithRandomKids(api, 1);
  assert.equal(issuer.hits.jwks - start, 1, 'no refetch inside the cooldown window');
});

test('after the cooldown a concurrent burst of unknown kids shares one refetch', async () => {
  const cooldownSeconds = 2;
  const api = await startExpressApi(createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, realm: REALM, jwksCooldownSeconds: cooldownSeconds }));
  apis.push(api);
  const start = issuer.hits.jwks;
  assert.equal((await callApi(api, { token: await issuer.signToken() })).status, 200);
  assert.equal(issuer.hits.jwks - start, 1);
  await sleep(cooldownSeconds * 1000 + 100);
  await floodWithRandomKids(api, 100);
  assert.equal(issuer.hits.jwks - start, 2, 'one shared refetch for the whole concurrent burst after the cooldown');
});

// Two verifiers instead of one timed window, as above: a long backoff shows that ten failing requests cost one JWKS
// fetch however slow the machine is, and a short one (waited out) shows the endpoint is tried again afterwards.
test('a failing JWKS endpoint is not retried on every request (failure backoff) and answers 503', async () => {
  const fresh = await startFakeIssuer();
  try {
    fresh.jwksFailureStatus = 500;
    const api = await startFastifyApi(createVerifier({
      issuer: fresh.issuer, audience: AUDIENCE, realm: REALM, retryAfterFailureSeconds: 600,
    }));
    apis.push(api);
    const responses = [];
    for (let index = 0; index < 10; index += 1) responses.push(await callApi(api, { token: await fresh.signToken() }));
    for (const response of responses) {
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('www-authenticate'), null);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.deepEqual(await response.json(), {
        error: 'temporarily_unavailable',
        error_description: 'the issuer signing keys could not be fetched',
      });
    }
    assert.equal(fresh.hits.jwks, 1);
  } finally {
    await fresh.close();
  }
});

test('after the failure backoff, the JWKS endpoint is tried again', async () => {
  const fresh = await startFakeIssuer();
  try {
    fresh.jwksFailureStatus = 500;
    const api = await startFastifyApi(createVerifier({
      issuer: fresh.issuer, audience: AUDIENCE, realm: REALM, retryAfterFailureSeconds: 0.5,
    }));
    apis.push(api);
    assert.equal((await callApi(api, { token: await fresh.signToken() })).status, 503);
    assert.equal(fresh.hits.jwks, 1);
    fresh.jwksFailureStatus = undefined;
    await sleep(600);
    assert.equal((await callApi(api, { token: await fresh.signToken() })).status, 200);
    assert.equal(fresh.hits.jwks, 2);
  } finally {
    await fresh.close();
  }
});
