// The `verify` scenario, in this process: the resource kit's verifier (@latchkey/resource createVerifier) against a raw
// jose.jwtVerify with the same checks' core (RFC 9068 §4: ES256, typ at+jwt, iss, aud, exp), on the same token and key.
// The kit's metadata and JWKS come from an in-process fetch, so neither side touches the network after the first call.
import { createVerifier } from '@latchkey/resource';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { API_IDENTIFIER, API_SCOPE } from './child-protocol.ts';

export const VERIFIERS = ['resource-kit', 'jose'] as const;
export type VerifierName = (typeof VERIFIERS)[number];

export interface VerifyRun {
  verifiesPerSecond: number;
  verifies: number;
  seconds: number;
}

const ISSUER = 'https://issuer.bench.example';

export async function createVerifyFunctions(): Promise<Record<VerifierName, () => Promise<unknown>> & { version: string }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const jwks = { keys: [jwk] };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ client_id: 'bench-client', scope: API_SCOPE, jti: 'bench-jti' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })
    .setIssuer(ISSUER).setAudience(API_IDENTIFIER).setSubject('bench-user').setIssuedAt(now).setExpirationTime(now + 3600)
    .sign(privateKey);
  const served: Record<string, unknown> = {
    [`${ISSUER}/.well-known/oauth-authorization-server`]: { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` },
    [`${ISSUER}/.well-known/openid-configuration`]: { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` },
    [`${ISSUER}/jwks`]: jwks,
  };
  const kit = createVerifier({
    issuer: ISSUER, audience: API_IDENTIFIER, algorithms: ['ES256'],
    fetch: async (url) => {
      const body = served[String(url)];
      return new Response(body === undefined ? 'not found' : JSON.stringify(body), { status: body === undefined ? 404 : 200, headers: { 'content-type': 'application/json' } });
    },
  });
  const localJwks = createLocalJWKSet(jwks);
  const options = { issuer: ISSUER, audience: API_IDENTIFIER, algorithms: ['ES256'], typ: 'at+jwt', requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'] };
  const functions = {
    'resource-kit': () => kit.verify(token),
    jose: () => jwtVerify(token, localJwks, options),
  };
  // Both must accept the token (and the kit must read the scope): a fast wrong answer is no result.
  const claims = await functions['resource-kit']() as { sub?: unknown; scopes?: unknown };
  const raw = await functions.jose();
  if (claims.sub !== 'bench-user' || !Array.isArray(claims.scopes) || !claims.scopes.includes(API_SCOPE) || raw.payload.sub !== 'bench-user') {
    throw new Error('verify: a verifier did not return the token\'s claims');
  }
  const { version } = (await import('@latchkey/resource/package.json', { with: { type: 'json' } })).default as { version: string };
  return { ...functions, version: `@latchkey/resource ${version}` };
}

/** Calls `verify` in a loop for `seconds` (awaiting each call, as a request handler would). */
export async function runVerifyLoop(verify: () => Promise<unknown>, seconds: number): Promise<VerifyRun> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let verifies = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) await verify();
    verifies += 200;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { verifiesPerSecond: Math.round(verifies / elapsed), verifies, seconds: Math.round(elapsed * 100) / 100 };
}
