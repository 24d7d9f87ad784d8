// Server under test 1: Latchkey itself, as `latchkey start` runs it, on a fresh SQLite file.
// The API and the client are registered the way the CLI does (`latchkey api add`, `latchkey client add`).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, openStore, resolveConfig } from '@latchkey/server';
import { registerApi } from '../../packages/server/src/apis/register-api.ts';
import { registerClient } from '../../packages/server/src/clients/register-client.ts';
import { API_IDENTIFIER, API_SCOPE, ACCESS_TOKEN_TTL } from './child-protocol.ts';
import { freePort, runChild } from './child-runtime.ts';

const { version } = JSON.parse(readFileSync(new URL('../../packages/server/package.json', import.meta.url), 'utf8')) as { version: string };

await runChild(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
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

  // logLevel warn: no per-request log lines (oidc-provider is run without request logging too).
  const config = resolveConfig({
    dev: true, secret: 'x'.repeat(40), port, issuer, databaseUrl, logLevel: 'warn', accessTokenAlg: 'ES256', accessTokenTtl: ACCESS_TOKEN_TTL,
  });
  const app = await createServer(config);
  await app.listen({ host: '127.0.0.1', port });
  return {
    ready: {
      name: 'latchkey', issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`,
      clientId, clientSecret, audience: API_IDENTIFIER, version: `@latchkey/server ${version}`,
    },
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
