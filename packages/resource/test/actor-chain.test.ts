// RFC 8693 §4.1: a token obtained by token exchange carries `act`; the verifier hands the chain to the API as
// `claims.actors` (current actor first) and refuses a malformed chain as an invalid token.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actorChain } from '../src/access-token-claims.ts';
import { createVerifier } from '../src/create-verifier.ts';
import { AUDIENCE, startFakeIssuer } from './helpers/fake-issuer.ts';

test('no act: no actors; one actor; a nested chain, current actor first, with each actor\'s own claims', () => {
  assert.deepEqual(actorChain(undefined), []);
  assert.deepEqual(actorChain({ sub: 'svc' }), [{ sub: 'svc' }]);
  assert.deepEqual(actorChain({ sub: 'calendar-api', client_id: 'cal', act: { sub: 'contacts-api', act: { sub: 'gateway' } } }),
    [{ sub: 'calendar-api', client_id: 'cal' }, { sub: 'contacts-api' }, { sub: 'gateway' }]);
});

test('a malformed act claim is ERR_TOKEN_INVALID: not an object, an actor without sub, a chain deeper than 10', () => {
  let deep: Record<string, unknown> = { sub: 'a0' };
  for (let i = 1; i <= 10; i++) deep = { sub: `a${i}`, act: deep };
  for (const act of ['svc', ['svc'], null, { client_id: 'x' }, { sub: '' }, { sub: 'ok', act: 'nested string' }, deep]) {
    assert.throws(() => actorChain(act), { code: 'ERR_TOKEN_INVALID' }, JSON.stringify(act));
  }
});

test('verify: the exchanged token\'s actors are on the claims, the raw act too; a malformed act is refused with 401 invalid_token', async () => {
  const fake = await startFakeIssuer();
  try {
    const verifier = createVerifier({ issuer: fake.issuer, audience: AUDIENCE });
    const act = { sub: 'calendar-api', act: { sub: 'contacts-api' } };
    const claims = await verifier.verify(await fake.signToken({ claims: { sub: 'alice', client_id: 'calendar-api', act } }));
    assert.deepEqual(claims.actors, [{ sub: 'calendar-api' }, { sub: 'contacts-api' }]);
    assert.deepEqual(claims.act, act);
    assert.deepEqual((await verifier.verify(await fake.signToken({}))).actors, []);
    await assert.rejects(verifier.verify(await fake.signToken({ claims: { act: { client_id: 'no-sub' } } })), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, 'ERR_TOKEN_INVALID');
      assert.equal(verifier.errorResponse(error as never).status, 401);
      return true;
    });
  } finally {
    await fake.close();
  }
});
