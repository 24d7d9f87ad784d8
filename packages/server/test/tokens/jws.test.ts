// Compact JWS signing (tokens/jws.ts): the same token on the calling thread and through signAsync, RSA sent to the
// thread pool (a native SIGNREQUEST job, seen through async_hooks) and ES256/EdDSA not, and no key material in what a
// log line or an error could show of a signer.
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { SigningAlg } from '../../src/store/records.ts';
import { createJwsSigner } from '../../src/tokens/jws.ts';

function keyPair(alg: SigningAlg): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return generateKeyPairSync('ed25519');
}

/**
 * Whether `work` signed on the thread pool: a SIGNREQUEST job whose completion callback ran (a synchronous signature
 * creates the job too, but runs it on the calling thread and never calls back).
 */
async function signedOnThreadPool(work: () => Promise<unknown>): Promise<boolean> {
  const jobs = new Set<number>();
  let calledBack = false;
  const hook = createHook({
    init: (id, type) => void (type === 'SIGNREQUEST' && jobs.add(id)),
    before: (id) => void (jobs.has(id) && (calledBack = true)),
  }).enable();
  try {
    await work();
  } finally {
    hook.disable();
  }
  return calledBack;
}

describe('JWS signing', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`${alg}: sign and signAsync give tokens that verify with the public key, with the header {alg, kid, typ}`, async () => {
      const { privateKey, publicKey } = keyPair(alg);
      const signer = createJwsSigner('kid-1', alg, privateKey);
      for (const token of [signer.sign({ sub: 'a' }, 'at+jwt'), await signer.signAsync({ sub: 'a' }, 'at+jwt')]) {
        assert.deepEqual(decodeProtectedHeader(token), { alg, kid: 'kid-1', typ: 'at+jwt' });
        const { payload } = await compactVerify(token, publicKey);
        assert.deepEqual(JSON.parse(Buffer.from(payload).toString()), { sub: 'a' });
      }
    });
  }

  it('RS256 through signAsync is signed on the thread pool; ES256 and EdDSA on the calling thread', async () => {
    const rsa = createJwsSigner('r', 'RS256', keyPair('RS256').privateKey);
    assert.equal(await signedOnThreadPool(() => rsa.signAsync({ n: 1 }, 'JWT')), true);
    assert.equal(await signedOnThreadPool(async () => rsa.sign({ n: 1 }, 'JWT')), false, 'sign() stays on the calling thread');
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const signer = createJwsSigner('k', alg, keyPair(alg).privateKey);
      assert.equal(await signedOnThreadPool(() => signer.signAsync({ n: 1 }, 'JWT')), false, alg);
    }
  });

  it('concurrent RSA signatures all complete and all verify (the pool serves many requests at once)', async () => {
    const { privateKey, publicKey } = keyPair('RS256');
    const signer = createJwsSigner('r', 'RS256', privateKey);
    const tokens = await Promise.all(Array.from({ length: 16 }, (_, i) => signer.signAsync({ i }, 'JWT')));
    for (const [i, token] of tokens.entries()) {
      assert.deepEqual(JSON.parse(Buffer.from((await compactVerify(token, publicKey)).payload).toString()), { i });
    }
  });

  it('a signer shows no key material: not in JSON, not in util.inspect (what a logger prints)', () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const { privateKey } = keyPair(alg);
      const signer = createJwsSigner('kid-x', alg, privateKey);
      const secretParts = Object.entries(privateKey.export({ format: 'jwk' })).filter(([k]) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k)).map(([, v]) => String(v));
      assert.ok(secretParts.length > 0);
      const shown = `${JSON.stringify(signer)} ${inspect(signer, { depth: 10, showHidden: true })} ${inspect(privateKey, { depth: 10, showHidden: true })}`;
      for (const part of secretParts) assert.ok(!shown.includes(part), `${alg}: key material shown`);
      assert.equal(createPublicKey(privateKey).type, 'public');
    }
  });

  it('a signing failure rejects the promise (the grant then commits nothing)', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const notPrivate = createJwsSigner('r', alg, keyPair(alg).publicKey);
      await assert.rejects(notPrivate.signAsync({ n: 1 }, 'JWT'), alg);
    }
  });
});
