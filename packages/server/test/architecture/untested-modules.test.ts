// Lists the source modules that no test imports. Each one must be on the allow-list below, with the reason it needs
// no test of its own (most are covered end to end: through createServer and app.inject, the CLI harness, or the
// audit against a real server); a new module with rules of its own gets a test file that mirrors its path instead.
// The list is exact both ways: a module that gains a test must leave it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { importedSourceModules, listModules, SRC, TEST } from './source-imports.ts';

/** A path, or a folder ending in "/" (every module below it). */
const COVERED_END_TO_END: Record<string, string[]> = {
  // The HTTP layer and the endpoints: every test under endpoints/, grants/, flows/, http/ drives them through
  // createServer (http/app.ts) with app.inject or a real browser; views through the pages those tests read.
  'routes, endpoints and pages (test/endpoints, test/flows, test/http)': [
    'http/account-routes.ts', 'http/authorization-routes.ts', 'http/browser-response.ts', 'http/connection-limits.ts',
    'http/metrics-route.ts', 'http/paths.ts', 'http/routes.ts', 'http/security-headers.ts', 'http/cors.ts', 'http/device-routes.ts', 'http/registration-routes.ts', 'http/views/',
    // The passkey pages' scripts: test/flows/passkeys-browser.test.ts runs them in chromium.
    'http/assets/',
    'endpoints/', 'server-context.ts',
  ],
  // The grants: test/grants/*.test.ts run them through POST /token (their declarations: test/endpoints/token.test.ts).
  'grants through the token endpoint (test/grants)': [
    'grants/authorization-code.ts', 'grants/derived-grant-id.ts', 'grants/client-credentials.ts', 'grants/refresh-token.ts', 'grants/token-exchange.ts', 'grants/user-tokens.ts',
    // Issuing device codes: test/grants/device-code.test.ts through POST /device/authorize.
    'device/device-codes.ts',
  ],
  // The authorization request and its interaction: test/endpoints/authorize.test.ts and interaction.test.ts.
  'the authorization request (test/endpoints/authorize, interaction)': ['authorization/'],
  // Sessions, throttling, known devices, cookies and CSRF: test/endpoints/interaction.test.ts (throttling, known
  // devices), account.test.ts, test/accounts/password-sign-in.test.ts, test/flows/*browser*.
  'sign-in state in the browser (test/endpoints/interaction, account; test/accounts)': [
    'accounts/known-device-cookie.ts', 'accounts/known-device.ts', 'accounts/login-session.ts', 'accounts/login-throttle.ts',
    // The passkey sign-in: test/accounts/passkeys.test.ts (over HTTP) and test/flows/passkeys-browser.test.ts.
    'accounts/passkey-sign-in.ts',
    'browser/',
  ],
  // Rate limits: test/endpoints/rate-limits.test.ts; caches: test/store/cross-instance-cache.test.ts.
  'limits and caches (test/endpoints/rate-limits, test/store/cross-instance-cache)': [
    'rate-limits/', 'cache/cache-sync.ts', 'clients/client-directory.ts', 'apis/scope-catalog.ts',
  ],
  // Protocol pieces whose every rule shows in a response the endpoint tests assert (errors, scopes, audience, claims,
  // ID tokens checked by openid-client in test/flows, JWS verified by jose against /jwks).
  'protocol pieces asserted through responses': [
    'oauth/audience.ts', 'oauth/error-description.ts', 'oauth/errors.ts', 'oidc/claims.ts', 'oidc/id-token.ts',
    'keys/generate-key.ts', 'keys/jwk-thumbprint.ts',
    // client_name, client_uri, logo_uri, scope: asserted by test/endpoints/register.test.ts and test/clients/client-metadata-documents.test.ts
    'clients/client-metadata-fields.ts',
  ],
  // The CLI: test/cli/cli.test.ts runs every command through runCli (cli/main.ts).
  'CLI commands (test/cli through runCli)': ['cli/'],
  // The audit: test/audit runs it against Latchkey, a permissive node-oidc-provider and two apps.
  'the audit (test/audit)': ['audit/'],
  // Migrations: every store test migrates a fresh database (test/store/store-contract.ts on SQLite and PostgreSQL).
  'migrations (test/store)': ['store/migrations/'],
  // The per-artifact store interfaces (types only) and their SQL implementations: test/store/store-contract.ts runs
  // every method through the composed Store (store/sql/sql-store.ts) on SQLite and PostgreSQL.
  'the store behind its contract (test/store)': [
    'store/api-store.ts', 'store/audit-store.ts', 'store/cache-version-store.ts', 'store/client-store.ts', 'store/code-store.ts',
    'store/consent-store.ts', 'store/device-code-store.ts', 'store/expiry-store.ts', 'store/failure-counter-store.ts',
    'store/interaction-store.ts', 'store/logout-delivery-store.ts', 'store/pushed-request-store.ts', 'store/revoked-token-store.ts', 'store/used-jti-store.ts', 'store/session-store.ts', 'store/signing-key-store.ts',
    'store/user-store.ts', 'store/passkey-store.ts', 'store/second-factor-store.ts', 'store/sql/',
  ],
  // Package entry points: re-exports only, used by test/packed-packages.test.ts and the examples.
  'entry points': ['index.ts', 'internal.ts'],
};

const covers = (entry: string, module: string) => (entry.endsWith('/') ? module.startsWith(entry) : module === entry);

test('every source module is imported by a test, or on the commented allow-list (and the list has nothing extra)', () => {
  const imported = new Set(listModules(TEST).flatMap((m) => importedSourceModules(join(TEST, m))));
  const untested = listModules(SRC).filter((m) => !imported.has(m));
  const entries = Object.values(COVERED_END_TO_END).flat();
  assert.deepEqual(untested.filter((m) => !entries.some((e) => covers(e, m))), [], 'modules without a test and not on the allow-list');
  assert.deepEqual(entries.filter((e) => !untested.some((m) => covers(e, m))), [], 'allow-list entries that now have a test (remove them)');
});
