// The resource kit's structure: core -> public surface (index.ts) -> adapters, and the source modules no test imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as expressEntry from '../src/express.ts';
import * as fastifyEntry from '../src/fastify.ts';
import { layeringViolations, modulesNoTestImports } from '../../../test/support/kit-structure.ts';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

test('core modules never import an adapter or a framework; adapters import only the public surface (src/index.ts)', () => {
  assert.deepEqual(layeringViolations(PACKAGE), []);
});

test('the adapter entry points export the adapters and nothing else', () => {
  assert.deepEqual(Object.keys(fastifyEntry).sort(), ['fastifyBearer', 'fastifyProtectedResourceMetadata', 'fastifyRequireScopes']);
  assert.deepEqual(Object.keys(expressEntry).sort(), ['expressBearer', 'expressProtectedResourceMetadata', 'expressRequireScopes']);
});

/** Covered only end to end (through createVerifier or an adapter over HTTP), never imported by a test on its own. */
const COVERED_END_TO_END = [
  'src/introspection-claims.ts', // introspection-mode.test.ts (opaque tokens: audience, issuer, expiry)
  'src/jwks-key-resolver.ts', // jwks-key-resolver.test.ts, through a verifier and the fake issuer's JWKS
  'src/signing-algorithms.ts', // create-verifier.test.ts (none, HS*, unknown and empty lists)
  'src/verify-jwt-access-token.ts', // helpers/bearer-api-suite.ts (the RFC 9068 matrix over both adapters)
];

test('every source module is imported by a test, or listed as covered end to end', () => {
  assert.deepEqual(modulesNoTestImports(PACKAGE), [...COVERED_END_TO_END].sort());
});
