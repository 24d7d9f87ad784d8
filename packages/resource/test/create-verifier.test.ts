// createVerifier options and RFC 8414 §3 discovery: unsafe configuration throws, the metadata issuer must match (§3.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier } from '../src/create-verifier.ts';
import { BearerError, TokenMissingError, type FetchLike } from '../src/index.ts';
import { AUDIENCE, startFakeIssuer } from './helpers/fake-issuer.ts';

function assertConfigurationError(build: () => unknown, message: RegExp): void {
  assert.throws(build, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'ERR_VERIFIER_CONFIGURATION');
    assert.match((error as Error).message, message);
    return true;
  });
}

async function assertMetadataFailure(promise: Promise<unknown>, description: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, 'ERR_METADATA');
    assert.equal((error as { description?: unknown }).description, description);
    return true;
  });
}

const issuer = 'http://127.0.0.1:9';

test('alg none and every HS* algorithm are refused at construction, even when configured on purpose', () => {
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, algorithms: ['ES256', 'none'] }), /none/);
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, algorithms: ['HS256'] }), /symmetric/);
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, algorithms: ['RS256', 'hs512'] }), /symmetric/);
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, algorithms: ['RS1'] }), /unsupported/);
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, algorithms: [] }), /non-empty/);
});

test('issuer, audience, realm and durations are validated at construction', () => {
  assertConfigurationError(() => createVerifier({ issuer: 'not a url', audience: AUDIENCE }), /issuer/);
  assertConfigurationError(() => createVerifier({ issuer: 'https://as.example?x=1', audience: AUDIENCE }), /query or fragment/);
  assertConfigurationError(() => createVerifier({ issuer: 'ftp://as.example', audience: AUDIENCE }), /http/);
  assertConfigurationError(() => createVerifier({ issuer, audience: '' }), /audience/);
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, realm: 'api\r\nSet-Cookie: a=b' }), /realm/);
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, clockToleranceSeconds: -1 }), /clockToleranceSeconds/);
  assertConfigurationError(() => createVerifier({ issuer, audience: AUDIENCE, httpTimeoutSeconds: -1 }), /httpTimeoutSeconds/);
  assertConfigurationError(
    () => createVerifier({ issuer, audience: AUDIENCE, introspection: { clientId: 'a', clientSecret: '' } }),
    /clientSecret/,
  );
});

test('the realm defaults to the audience', () => {
  const verifier = createVerifier({ issuer, audience: AUDIENCE });
  assert.equal(verifier.errorResponse(new TokenMissingError()).headers['www-authenticate'], `Bearer realm="${AUDIENCE}"`);
});

test('discovery uses oauth-authorization-server and fetches metadata once for many tokens', async () => {
  const fake = await startFakeIssuer();
  try {
    const verifier = createVerifier({ issuer: fake.issuer, audience: AUDIENCE });
    for (let index = 0; index < 3; index += 1) {
      const claims = await verifier.verify(await fake.signToken({ claims: { scope: 'read:items read:items write:items' } }));
      assert.equal(claims.iss, fake.issuer);
      assert.equal(claims.scope, 'read:items read:items write:items');
      assert.deepEqual(claims.scopes, ['read:items', 'write:items']);
      assert.equal(typeof claims.jti, 'string');
    }
    assert.deepEqual({ oauth: fake.hits.oauthMetadata, openid: fake.hits.openidMetadata }, { oauth: 1, openid: 0 });
  } finally {
    await fake.close();
  }
});

test('discovery falls back to openid-configuration when oauth-authorization-server is absent', async () => {
  const fake = await startFakeIssuer({ serve: { oauth: false } });
  try {
    const verifier = createVerifier({ issuer: fake.issuer, audience: AUDIENCE });
    const claims = await verifier.verify(await fake.signToken());
    assert.equal(claims.sub, 'user-1');
    assert.equal(fake.hits.openidMetadata, 1);
  } finally {
    await fake.close();
  }
});

test('metadata naming another issuer is refused with ERR_METADATA, without falling back', async () => {
  const fake = await startFakeIssuer({ metadataIssuer: (real) => `${real}/` });
  try {
    const verifier = createVerifier({ issuer: fake.issuer, audience: AUDIENCE });
    await assertMetadataFailure(verifier.verify(await fake.signToken()), 'issuer metadata names a different issuer');
    assert.deepEqual({ oauth: fake.hits.oauthMetadata, openid: fake.hits.openidMetadata, jwks: fake.hits.jwks }, { oauth: 1, openid: 0, jwks: 0 });
    const failure: unknown = await verifier.verify(await fake.signToken()).then(() => assert.fail('verified'), (error: unknown) => error);
    assert.ok(failure instanceof BearerError);
    assert.equal(fake.hits.oauthMetadata, 1, 'the remembered failure is re-thrown inside the backoff window');
    const response = verifier.errorResponse(failure);
    assert.equal(response.status, 503);
    assert.equal(response.headers['www-authenticate'], undefined);
    assert.deepEqual(response.body, { error: 'temporarily_unavailable', error_description: 'issuer metadata names a different issuer' });
  } finally {
    await fake.close();
  }
});

test('an unreachable issuer is not re-queried on every request (failure backoff), then retried', async () => {
  const fake = await startFakeIssuer();
  const token = await fake.signToken();
  let calls = 0;
  let down = true;
  const countingFetch: FetchLike = async (url, init) => {
    calls += 1;
    if (down) throw new TypeError('fetch failed');
    return fetch(url, init);
  };
  try {
    const verifier = createVerifier({ issuer: fake.issuer, audience: AUDIENCE, fetch: countingFetch, retryAfterFailureSeconds: 0.3 });
    for (let index = 0; index < 5; index += 1) {
      await assertMetadataFailure(verifier.verify(token), 'issuer metadata could not be fetched');
    }
    assert.equal(calls, 2, 'both well-known URLs tried once, then backing off');
    down = false;
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.equal((await verifier.verify(token)).sub, 'user-1');
    assert.equal(calls, 4, 'the injected fetch also serves the metadata and the JWKS');
  } finally {
    await fake.close();
  }
});

test('httpTimeoutSeconds is in seconds: a request that never answers is aborted by a timeout, and the fetch fails closed', async () => {
  const fake = await startFakeIssuer();
  const reasons: unknown[] = [];
  const hangingFetch: FetchLike = (_url, init) => new Promise((_resolve, reject) => {
    init.signal?.addEventListener('abort', () => {
      reasons.push(init.signal?.reason);
      reject(init.signal?.reason);
    });
  });
  try {
    const verifier = createVerifier({ issuer: fake.issuer, audience: AUDIENCE, fetch: hangingFetch, httpTimeoutSeconds: 0.05 });
    await assertMetadataFailure(verifier.verify(await fake.signToken()), 'issuer metadata could not be fetched');
    assert.deepEqual(reasons.map((reason) => (reason as Error).name), ['TimeoutError', 'TimeoutError']);
  } finally {
    await fake.close();
  }
});
