// Server under test 1: Latchkey itself, as `latchkey start` runs it, on a fresh SQLite file, or (latchkey-postgres,
// when the harness passes a PostgreSQL URL) in a fresh PostgreSQL schema that is dropped when the server stops.
// The API, the clients and the user are registered the way the CLI does (`latchkey api add`, `latchkey client add`,
// `latchkey user add`): a client credentials client, a web client (code + refresh, RS256 ID tokens, the default),
// and the API's resource server as its introspector (RFC 7662 §2.2).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addApiIntrospector, addUser, createServer, openStore, registerApi, registerClient, resolveConfig } from '@latchkey/server/internal';
import { createTestSchema } from '../../packages/server/test/store/postgres-test-schema.ts';
import {
  API_IDENTIFIER, API_SCOPE, ACCESS_TOKEN_TTL, BENCH_PASSWORD, BENCH_USERNAME, POSTGRES_URL_ENV, REDIRECT_URI, serverSetupFromEnv, USER_SCOPE,
} from './child-protocol.ts';
import { freePort, runChild } from './child-runtime.ts';

const { version } = JSON.parse(readFileSync(new URL('../../packages/server/package.json', import.meta.url), 'utf8')) as { version: string };

function secretOf(registered: { client: { id: string }; clientSecret: string | undefined }): { id: string; secret: string } {
  if (!registered.clientSecret) throw new Error('registerClient returned no secret for a confidential client');
  return { id: registered.client.id, secret: registered.clientSecret };
}

/** Registers the bench's API, clients and user in `databaseUrl`. */
async function register(databaseUrl: string) {
  const now = Math.floor(Date.now() / 1000);
  const setup = openStore(databaseUrl);
  try {
    await setup.migrate();
    await registerApi(setup, { identifier: API_IDENTIFIER, scopes: [`${API_SCOPE}=Read things`] }, now);
    const machine = secretOf(await registerClient(setup, { name: 'bench', scope: API_SCOPE }, now));
    const web = secretOf(await registerClient(setup, { name: 'bench web app', redirectUris: [REDIRECT_URI], scope: USER_SCOPE }, now));
    const api = secretOf(await registerClient(setup, { name: 'bench API', scope: API_SCOPE }, now));
    await addApiIntrospector(setup, API_IDENTIFIER, api.id);
    await addUser(setup, { username: BENCH_USERNAME, password: BENCH_PASSWORD }, now);
    return { machine, web, api };
  } finally {
    await setup.close();
  }
}

/** Starts Latchkey on `databaseUrl` with the bench's registrations; returns what runChild needs. */
async function startLatchkey(databaseUrl: string, onPostgres: boolean, setupStarted: number) {
  const serverSetup = serverSetupFromEnv();
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { machine, web, api } = await register(databaseUrl);

  // logLevel warn: no per-request log lines (oidc-provider is run without request logging too), except in the scenarios
  // that measure the default (info). The load generator is one address and a few clients asking as fast as they can, so
  // the per-second caps of /token, /introspect and /revoke are off (the failure limits stay: no request here fails).
  const config = resolveConfig({
    dev: true, secret: 'x'.repeat(40), port, issuer, databaseUrl, logLevel: serverSetup.latchkeyLogLevel,
    accessTokenAlg: serverSetup.accessTokenAlg, accessTokenTtl: ACCESS_TOKEN_TTL,
    requestsPerSecondPerAddress: 0, requestsPerSecondPerClient: 0,
    // `latchkey start` has metrics off unless asked (dev mode turns them on); oidc-provider keeps none.
    metricsEnabled: false,
  });
  // The first start on a new database creates the signing keys; `latchkey start` on an existing one does not, so that
  // start is part of the bench's setup, and the one measured is the next.
  await (await createServer(config)).close();
  const setupMillis = performance.now() - setupStarted;
  const app = await createServer(config);
  await app.listen({ host: '127.0.0.1', port });
  const ready = {
    name: onPostgres ? 'latchkey-postgres' as const : 'latchkey' as const, issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`,
    clientId: machine.id, clientSecret: machine.secret, audience: API_IDENTIFIER, version: `@latchkey/server ${version}${onPostgres ? ' on PostgreSQL' : ''}`,
    accessTokenAlg: serverSetup.accessTokenAlg,
    userFlow: {
      authorizationUrl: `${issuer}/authorize`, clientId: web.id, clientSecret: web.secret, redirectUri: REDIRECT_URI,
      username: BENCH_USERNAME, password: BENCH_PASSWORD,
    },
    introspection: { url: `${issuer}/introspect`, clientId: api.id, clientSecret: api.secret },
    setupMillis,
  };
  return { ready, close: () => app.close() };
}

await runChild(async () => {
  const setupStarted = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const postgresUrl = process.env[POSTGRES_URL_ENV] || undefined;
  const schema = postgresUrl ? await createTestSchema(postgresUrl, 'bench') : undefined;
  const cleanUp = async () => {
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  };
  try {
    const started = await startLatchkey(schema ? schema.url : `sqlite:${join(dir, 'bench.db')}`, schema !== undefined, setupStarted);
    return {
      ready: started.ready,
      close: async () => {
        await started.close();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
});
