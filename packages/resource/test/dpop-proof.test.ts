// DPoP options (RFC 9449 §7.1 at a resource server) and the request URL the proof is checked against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDpopProofChecker } from '../src/dpop-proof.ts';
import { createDpopKey, signProof } from './helpers/dpop-keys.ts';

test('unsafe or unusable DPoP options throw ERR_VERIFIER_CONFIGURATION', () => {
  for (const options of [
    { publicBaseUrl: 'api.example' },
    { publicBaseUrl: 'https://api.example/?x=1' },
    { publicBaseUrl: 'ftp://api.example' },
    { publicBaseUrl: 'https://api.example', algorithms: ['HS256'] },
    { publicBaseUrl: 'https://api.example', algorithms: ['none'] },
    { publicBaseUrl: 'https://api.example', iatWindowSeconds: 0 },
    { publicBaseUrl: 'https://api.example', maxReplayCacheEntries: 0 },
  ]) {
    assert.throws(() => createDpopProofChecker(options), { code: 'ERR_VERIFIER_CONFIGURATION' }, JSON.stringify(options));
  }
});

test('a path prefix in publicBaseUrl is part of htu; a trailing slash on it is not doubled', async () => {
  const key = await createDpopKey();
  const checker = createDpopProofChecker({ publicBaseUrl: 'https://edge.example/api/' });
  const proof = await signProof(key, { htm: 'GET', htu: 'https://edge.example/api/items', token: 'tok' });
  await checker.check({ headers: { dpop: proof }, method: 'GET', url: '/items?x=1' }, 'tok', key.jkt);
});

test('an absolute-form request target (a host we do not trust) cannot be matched: ERR_DPOP_PROOF_INVALID', async () => {
  const key = await createDpopKey();
  const checker = createDpopProofChecker({ publicBaseUrl: 'https://api.example' });
  const proof = await signProof(key, { htm: 'GET', htu: 'https://evil.example/items', token: 'tok' });
  await assert.rejects(
    checker.check({ headers: { dpop: proof }, method: 'GET', url: 'https://evil.example/items' }, 'tok', key.jkt),
    { code: 'ERR_DPOP_PROOF_INVALID', description: 'the request URL cannot be checked against the DPoP proof' },
  );
});

test('two DPoP headers (joined by Node, or as an array) are refused', async () => {
  const key = await createDpopKey();
  const checker = createDpopProofChecker({ publicBaseUrl: 'https://api.example' });
  const proof = await signProof(key, { htm: 'GET', htu: 'https://api.example/items', token: 'tok' });
  for (const dpop of [`${proof}, ${proof}`, [proof, proof]]) {
    await assert.rejects(checker.check({ headers: { dpop }, method: 'GET', url: '/items' }, 'tok', key.jkt), { code: 'ERR_DPOP_PROOF_INVALID' });
  }
});

test('a supplied replay cache is used (a shared cache across instances)', async () => {
  const seen: string[] = [];
  const key = await createDpopKey();
  const checker = createDpopProofChecker({ publicBaseUrl: 'https://api.example', replayCache: { add: async (jti) => { seen.push(jti); return false; } } });
  const proof = await signProof(key, { htm: 'GET', htu: 'https://api.example/items', token: 'tok', jti: 'j-1' });
  await assert.rejects(checker.check({ headers: { dpop: proof }, method: 'GET', url: '/items' }, 'tok', key.jkt), { description: 'the DPoP proof was already used' });
  assert.deepEqual(seen, ['j-1']);
});
