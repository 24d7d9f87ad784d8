// The client kit's structure: core -> public surface (index.ts) -> adapters, and the source modules no test imports.
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
  assert.deepEqual(Object.keys(fastifyEntry).sort(), ['fastifyBff']);
  assert.deepEqual(Object.keys(expressEntry).sort(), ['expressBff']);
});

/** Covered only end to end (through a login against a real provider, or an adapter over HTTP), never imported by a test on its own. */
const COVERED_END_TO_END = [
  'src/access-token-refresh.ts', // token-refresh, refresh-identity, upstream-audience (through client.getAccessToken)
  'src/authorization-callback.ts', // callback-attacks, id-token-validation, incremental-authorization (client.callback)
  'src/backchannel-logout.ts', // backchannel-logout (both adapters, against the Latchkey server: every §2.6 defect, replay)
  'src/authorization-request.ts', // login-cycle, callback-attacks (client.login: state, nonce, PKCE, the binding cookie)
  'src/html-escape.ts', // error-response.test.ts and the landing page's escaping (browser-same-site)
  'src/kit-response-headers.ts', // callback-attacks checks the headers of every kit response
  'src/logout.ts', // login-cycle (revocation, RP-initiated logout), latchkey-server
  'src/opaque-ids.ts', // every flow: cookie and state values and their SHA-256 keys (encryption-at-rest)
  'src/provider-configuration.ts', // id-token-validation (foreign-key signatures are refused), every harness start
  'src/sign-in-landing.ts', // browser-same-site and callback-attacks (landingTarget)
  'src/token-revocation.ts', // login-cycle and refresh-identity count revocations at the provider
  // The store is the store engineer's part of issue 12: store-contract.test.ts reaches it through index.ts.
  'src/store/migrations.ts',
  'src/store/postgres-store.ts',
  'src/store/sqlite-store.ts',
  'src/store/store-records.ts',
];

test('every source module is imported by a test, or listed as covered end to end', () => {
  assert.deepEqual(modulesNoTestImports(PACKAGE), [...COVERED_END_TO_END].sort());
});
