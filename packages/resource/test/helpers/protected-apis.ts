// The same small protected API in Fastify and in Express, served on 127.0.0.1:0, so RFC 6750 behaviour is tested over real HTTP.
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { AccessTokenClaims, Verifier } from '../../src/index.ts';
import { expressBearer, expressProtectedResourceMetadata, expressRequireScopes } from '../../src/adapters/express-bearer.ts';
import { fastifyBearer, fastifyProtectedResourceMetadata, fastifyRequireScopes } from '../../src/adapters/fastify-bearer.ts';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export type ApiStarter = (verifier: Verifier) => Promise<RunningApi>;

function describeCaller(auth: AccessTokenClaims | null | undefined) {
  return { sub: auth?.sub, client_id: auth?.client_id, scopes: auth?.scopes };
}

/**
 * Routes: GET /public (no token), GET /items (read:items), POST /items (write:items, form body allowed),
 * GET /admin (admin and read:items); the RFC 9728 metadata route when the verifier has resourceMetadata.
 */
export const startFastifyApi: ApiStarter = async (verifier) => {
  const app = Fastify();
  app.get('/public', async () => ({ public: true }));
  if (verifier.resourceMetadata !== undefined) await app.register(fastifyProtectedResourceMetadata(verifier));
  await app.register(async (api) => {
    await api.register(fastifyBearer(verifier));
    api.get('/items', { preHandler: fastifyRequireScopes(['read:items']) }, async (request) => describeCaller(request.auth));
    api.post('/items', { preHandler: fastifyRequireScopes(['write:items']) }, async (request) => describeCaller(request.auth));
    api.get('/admin', { preHandler: fastifyRequireScopes(['admin', 'read:items']) }, async (request) => describeCaller(request.auth));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
};

export const startExpressApi: ApiStarter = async (verifier) => {
  const app = express();
  app.get('/public', (_request, response) => {
    response.json({ public: true });
  });
  if (verifier.resourceMetadata !== undefined) app.use(expressProtectedResourceMetadata(verifier));
  app.use(express.urlencoded({ extended: false }));
  app.use(expressBearer(verifier));
  app.get('/items', expressRequireScopes(['read:items']), (request, response) => {
    response.json(describeCaller(request.auth));
  });
  app.post('/items', expressRequireScopes(['write:items']), (request, response) => {
    response.json(describeCaller(request.auth));
  });
  app.get('/admin', expressRequireScopes(['admin', 'read:items']), (request, response) => {
    response.json(describeCaller(request.auth));
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
};
