// A TypeScript app using every entry point as the READMEs show; it must type-check with skipLibCheck false.
import Fastify from 'fastify';
import express from 'express';
import { createVerifier, requireScopes, TokenExchangeError, type AccessTokenClaims, type Actor, type ExchangedToken, type VerifierOptions } from '@latchkey/resource';
import { fastifyBearer, fastifyRequireScopes } from '@latchkey/resource/fastify';
import { expressBearer, expressRequireScopes } from '@latchkey/resource/express';
import { createLatchkeyClient, createSqliteStore, generateEncryptionKey, type LatchkeyClientOptions } from '@latchkey/client';
import { fastifyBff } from '@latchkey/client/fastify';
import { expressBff } from '@latchkey/client/express';
import { createServer, resolveConfig, type ServerConfig } from '@latchkey/server';
import { NodeSqliteDialect } from '@latchkey/sqlite';

export async function main(): Promise<void> {
  const options: VerifierOptions = { issuer: 'https://auth.example', audience: 'https://api.example' };
  const verifier = createVerifier(options);
  const exchange = (token: string): Promise<ExchangedToken | string> => verifier.exchangeToken(token, { audience: 'https://other.example', scopes: ['read'] })
    .catch((error: unknown) => (error instanceof TokenExchangeError ? error.error ?? error.code : 'unexpected'));
  void exchange;
  const api = Fastify();
  await api.register(fastifyBearer(verifier));
  api.get('/items', { preHandler: fastifyRequireScopes(['read:items']) }, async (request) => ({ owner: request.auth?.sub }));
  const app = express();
  app.use('/api', expressBearer(verifier));
  app.get('/api/items', expressRequireScopes(['read:items']), (req, res) => {
    const claims: AccessTokenClaims | undefined = req.auth;
    const actors: Actor[] = claims?.actors ?? [];
    res.json({ owner: claims?.sub, actingFor: actors[0]?.sub, ok: requireScopes(['read:items']) !== undefined });
  });

  const clientOptions: LatchkeyClientOptions = {
    issuer: 'https://auth.example', clientId: 'app', clientSecret: 'secret', redirectUri: 'https://app.example/auth/callback',
    scopes: ['openid'], store: createSqliteStore({ path: ':memory:' }), encryptionKeys: [{ kid: '1', key: generateEncryptionKey() }],
  };
  const client = await createLatchkeyClient(clientOptions);
  const bff = Fastify();
  await bff.register(fastifyBff, { client });
  bff.get('/', { preHandler: bff.latchkey.requireLogin }, async (request) => request.latchkey.session?.claims.sub);
  const latchkey = expressBff(client);
  express().use(latchkey.router).get('/', latchkey.requireLogin, (req, res) => void res.send(req.latchkey?.session?.subject));

  const config: ServerConfig = resolveConfig({ issuer: 'https://id.example', secret: 's'.repeat(40) });
  const server = await createServer(config);
  await server.listen({ port: config.port });
  console.log(typeof NodeSqliteDialect);
}
