// Configuration layering and the production safety rules of `latchkey start`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv, ConfigError, contrastWithWhite, resolveConfig } from '../../src/config/config.ts';

const SECRET = 's'.repeat(40);

test('later layers win: defaults <- file <- env <- flags', () => {
  const config = resolveConfig({ port: 5000, accessTokenTtl: 600 }, configFromEnv({ LATCHKEY_PORT: '6000', LATCHKEY_SECRET: SECRET }), { port: '7000' });
  assert.equal(config.port, 7000);
  assert.equal(config.accessTokenTtl, 600);
  assert.equal(config.secret, SECRET);
  assert.equal(config.issuer, 'http://127.0.0.1:7000');
});

test('production refuses to start without LATCHKEY_SECRET, with a one-line explanation', () => {
  assert.throws(() => resolveConfig({ issuer: 'https://id.example' }), (e: Error) => e instanceof ConfigError && /LATCHKEY_SECRET is required/.test(e.message) && !e.message.includes('\n'));
});

test('production refuses a non-https issuer other than loopback', () => {
  assert.throws(() => resolveConfig({ secret: SECRET, issuer: 'http://id.example' }), /must use https/);
  assert.throws(() => resolveConfig({ secret: SECRET, issuer: 'http://10.0.0.5:4000' }), /must use https/);
  for (const issuer of ['http://localhost:4000', 'http://127.0.0.1:4000', 'https://id.example']) {
    assert.equal(resolveConfig({ secret: SECRET, issuer }).issuer, issuer);
  }
});

test('dev mode accepts an http issuer on any host (a compose network name); only http and https are issuers', () => {
  assert.equal(resolveConfig({ dev: true, issuer: 'http://auth.internal:5102' }).issuer, 'http://auth.internal:5102');
  assert.throws(() => resolveConfig({ dev: true, issuer: 'ftp://auth.internal' }), /must use https/);
  assert.throws(() => resolveConfig({ secret: SECRET, issuer: 'http://auth.internal:5102' }), /must use https \(http is allowed only for localhost\/127.0.0.1, or any host with --dev\)/);
});

test('issuer with query, fragment or trailing slash is refused (RFC 8414 §2)', () => {
  for (const issuer of ['https://id.example?x=1', 'https://id.example#f', 'https://id.example/', 'not a url']) {
    assert.throws(() => resolveConfig({ secret: SECRET, issuer }), ConfigError, issuer);
  }
});

test('dev mode needs no secret; a short secret is refused everywhere', () => {
  assert.equal(resolveConfig({ dev: true }).dev, true);
  assert.throws(() => resolveConfig({ dev: true, secret: 'short' }), /at least 32 characters/);
});

test('numbers are range-checked: code lifetime at most 10 minutes', () => {
  assert.throws(() => resolveConfig({ dev: true, codeTtl: 601 }), /codeTtl must be an integer from 5 to 600/);
  assert.throws(() => resolveConfig({ dev: true, port: 'abc' }), /port must be an integer/);
  assert.throws(() => resolveConfig({ dev: true, accessTokenAlg: 'HS256' }), /accessTokenAlg/);
});

test('the PostgreSQL pool size comes from LATCHKEY_DATABASE_POOL_MAX and is range-checked', () => {
  assert.equal(resolveConfig({ dev: true }).databasePoolMax, 10);
  assert.equal(resolveConfig(configFromEnv({ LATCHKEY_DATABASE_POOL_MAX: '25' }), { dev: true }).databasePoolMax, 25);
  assert.throws(() => resolveConfig({ dev: true, databasePoolMax: '0' }), /databasePoolMax must be an integer from 1 to 1000/);
});

test('rate limits and connection deadlines: defaults, LATCHKEY_* names, ranges; no connection bound behind a trusted proxy unless set', () => {
  const defaults = resolveConfig({ secret: SECRET });
  assert.deepEqual(
    [defaults.failureLimitPerAddress, defaults.failureLimitPerClient, defaults.failureWindow, defaults.requestsPerSecondPerAddress, defaults.requestsPerSecondPerClient],
    [50, 50, 300, 100, 100]);
  assert.deepEqual([defaults.headersTimeout, defaults.requestTimeout, defaults.keepAliveTimeout, defaults.idleTimeout, defaults.maxConnectionsPerAddress], [10, 30, 72, 75, 100]);
  const fromEnv = resolveConfig(configFromEnv({
    LATCHKEY_SECRET: SECRET, LATCHKEY_FAILURE_LIMIT_PER_ADDRESS: '5', LATCHKEY_FAILURE_LIMIT_PER_CLIENT: '0', LATCHKEY_FAILURE_WINDOW: '60',
    LATCHKEY_REQUESTS_PER_SECOND_PER_ADDRESS: '7', LATCHKEY_REQUESTS_PER_SECOND_PER_CLIENT: '8', LATCHKEY_HEADERS_TIMEOUT: '2',
    LATCHKEY_REQUEST_TIMEOUT: '3', LATCHKEY_KEEP_ALIVE_TIMEOUT: '4', LATCHKEY_IDLE_TIMEOUT: '5', LATCHKEY_MAX_CONNECTIONS_PER_ADDRESS: '6',
  }));
  assert.deepEqual(
    [fromEnv.failureLimitPerAddress, fromEnv.failureLimitPerClient, fromEnv.failureWindow, fromEnv.requestsPerSecondPerAddress, fromEnv.requestsPerSecondPerClient,
      fromEnv.headersTimeout, fromEnv.requestTimeout, fromEnv.keepAliveTimeout, fromEnv.idleTimeout, fromEnv.maxConnectionsPerAddress],
    [5, 0, 60, 7, 8, 2, 3, 4, 5, 6]);
  assert.equal(resolveConfig({ secret: SECRET, trustProxy: true }).maxConnectionsPerAddress, 0);
  assert.equal(resolveConfig({ secret: SECRET, trustProxy: true, maxConnectionsPerAddress: 500 }).maxConnectionsPerAddress, 500);
  assert.throws(() => resolveConfig({ secret: SECRET, headersTimeout: 0 }), (e: unknown) => e instanceof ConfigError && /headersTimeout must be an integer from 1/.test(e.message));
  assert.throws(() => resolveConfig({ secret: SECRET, headersTimeout: 20, requestTimeout: 10 }), /requestTimeout \(10\) must be at least headersTimeout \(20\)/);
  assert.throws(() => resolveConfig({ secret: SECRET, failureWindow: 0 }), /failureWindow must be an integer from 1/);
});

test('clients nobody vetted: everything off by default; metadata documents on private addresses only in dev mode', () => {
  const production = { secret: SECRET, issuer: 'https://auth.example.com' };
  const config = resolveConfig(production);
  assert.deepEqual([config.clientMetadataDocuments, config.clientMetadataDocumentsAllowPrivate, config.dynamicRegistration, config.registrationInitialAccessToken],
    [false, false, false, '']);
  assert.deepEqual([config.registrationLimitPerAddress, config.registrationWindow, config.unusedClientTtl, config.unvettedClientScopes], [20, 3600, 7 * 86400, '']);
  assert.equal(config.operatorName, 'auth.example.com', 'the issuer host by default');
  const fromEnv = resolveConfig(production, configFromEnv({
    LATCHKEY_CLIENT_METADATA_DOCUMENTS: 'true', LATCHKEY_DYNAMIC_REGISTRATION: '1', LATCHKEY_UNVETTED_CLIENT_SCOPES: ' openid https://mcp.example/mcp ',
    LATCHKEY_OPERATOR_NAME: 'Example Corp', LATCHKEY_REGISTRATION_LIMIT_PER_ADDRESS: '5', LATCHKEY_UNUSED_CLIENT_TTL: '0',
  }));
  assert.deepEqual([fromEnv.clientMetadataDocuments, fromEnv.dynamicRegistration, fromEnv.unvettedClientScopes, fromEnv.operatorName, fromEnv.registrationLimitPerAddress, fromEnv.unusedClientTtl],
    [true, true, 'openid https://mcp.example/mcp', 'Example Corp', 5, 0]);
  assert.throws(() => resolveConfig(production, { clientMetadataDocumentsAllowPrivate: true }), (e: Error) => e instanceof ConfigError && /allowed only with --dev/.test(e.message));
  assert.equal(resolveConfig({ dev: true, clientMetadataDocumentsAllowPrivate: 'true' }).clientMetadataDocumentsAllowPrivate, true);
  assert.throws(() => resolveConfig(production, { registrationInitialAccessToken: 'short' }), /at least 32 characters/);
  assert.throws(() => resolveConfig(production, { registrationInitialAccessToken: `${'a'.repeat(32)} b` }), /at least 32 characters/);
  assert.equal(resolveConfig(production, { registrationInitialAccessToken: 'a'.repeat(40) }).registrationInitialAccessToken, 'a'.repeat(40));
});

test('branding: product name, logo URL and accent colour; a colour too light for white text is refused (WCAG 1.4.3)', () => {
  const config = resolveConfig({ secret: SECRET, issuer: 'https://id.example' }, configFromEnv({
    LATCHKEY_PRODUCT_NAME: 'Acme ID', LATCHKEY_LOGO_URL: 'https://static.acme.example/logo.svg', LATCHKEY_BRAND_COLOR: '#7A1F5C',
  }));
  assert.deepEqual([config.productName, config.logoUrl, config.brandColor], ['Acme ID', 'https://static.acme.example/logo.svg', '#7a1f5c']);
  const defaults = resolveConfig({ secret: SECRET, issuer: 'https://id.example' });
  assert.deepEqual([defaults.productName, defaults.logoUrl, defaults.brandColor], ['Latchkey', '', '#1f5fbf']);
  assert.ok(contrastWithWhite(defaults.brandColor) >= 4.5);
  assert.throws(() => resolveConfig({ secret: SECRET, brandColor: '#ffd400' }), /too light.*4\.5:1/);
  assert.throws(() => resolveConfig({ secret: SECRET, brandColor: 'blue' }), /#rrggbb/);
  assert.throws(() => resolveConfig({ secret: SECRET, logoUrl: 'http://static.acme.example/logo.svg' }), /logoUrl must use https/);
  assert.throws(() => resolveConfig({ secret: SECRET, logoUrl: 'javascript:alert(1)' }), /logoUrl must use https/);
  assert.throws(() => resolveConfig({ secret: SECRET, productName: ' ' }), /productName must be 1 to 60/);
});
