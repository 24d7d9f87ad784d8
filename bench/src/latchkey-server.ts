// Server under test 1: Latchkey itself, as `latchkey start` runs it, on a fresh SQLite file, or (latchkey-postgres,
// when the harness passes a PostgreSQL URL) in a fresh PostgreSQL schema that is dropped when the server stops.
// The API and the client are registered the way the CLI does (`latchkey api add`, `latchkey client add`).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, openStore, resolveConfig } from '@latchkey/server/internal';
import { registerApi } from '../../packages/server/src/apis/register-api.ts';
import { registerClient } from '../../packages/server/src/clients/register-client.ts';
import { createTestSchema } from '../../packages/server/test/store/postgres-test-schema.ts';
import { API_IDENTIFIER, API_SCOPE, ACCESS_TOKEN_TTL, POSTGRES_URL_ENV } from './child-protocol.ts';
import { freePort, runChild } from './child-runtime.ts';

const { version } = JSON.parse(readFileSync(new URL('../../packages/server/package.json', import.meta.url), 'utf8')) as { version: string };

/** Starts Latchkey on `databaseUrl` with the bench's API and client registered; returns what runChild needs. */
async function startLatchkey(databaseUrl: string, onPostgres: boolean) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;

  const now = Math.floor(Date.now() / 1000);
  const setup = openStore(databaseUrl);
  let clientId: string;
  let clientSecret: string | undefined;
  try {
    await setup.migrate();
    await registerApi(setup, { identifier: API_IDENTIFIER, scopes: [`${API_SCOPE}=Read things`] }, now);
    ({ client: { id: clientId }, clientSecret } = await registerClient(setup, { name: 'bench', scope: API_SCOPE }, now));
  } finally {
    await setup.close();
  }
  if (!clientSecret) throw new Error('registerClient returned no secret for a confidential client');

  // logLevel warn: no per-request log lines (oidc-provider is run without request logging too). The load generator is
  // one address and one client asking as fast as it can, so the per-second caps are off (the checks still run).
  const config = resolveConfig({
    dev: true, secret: 'x'.repeat(40), port, issuer, databaseUrl, logLevel: 'warn', accessTokenAlg: 'ES256', accessTokenTtl: ACCESS_TOKEN_TTL,
    requestsPerSecondPerAddress: 0, requestsPerSecondPerClient: 0,
  });
  const app = await createServer(config);
  await app.listen({ host: '127.0.0.1', port });
  const ready = {
    name: onPostgres ? 'latchkey-postgres' as const : 'latchkey' as const, issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`,
    clientId, clientSecret, audience: API_IDENTIFIER, version: `@latchkey/server ${version}${onPostgres ? ' on PostgreSQL' : ''}`,
  };
  return { ready, close: () => app.close() };
}

await runChild(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const postgresUrl = process.env[POSTGRES_URL_ENV] || undefined;
  const schema = postgresUrl ? await createTestSchema(postgresUrl, 'bench') : undefined;
  const cleanUp = async () => {
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  };
  try {
    const started = await startLatchkey(schema ? schema.url : `sqlite:${join(dir, 'bench.db')}`, schema !== undefined);
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
