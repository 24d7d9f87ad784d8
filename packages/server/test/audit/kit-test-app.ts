// A login-protected app built on @latchkey/client like its README example: "/" needs a session, "/data" calls the
// test issuer's API with the session's access token (the kit refreshes it when it is about to expire).
import Fastify, { type FastifyInstance } from 'fastify';
import { createLatchkeyClient, createSqliteStore, generateEncryptionKey } from '@latchkey/client';
import { fastifyBff } from '@latchkey/client/fastify';

export async function startKitApp(appOrigin: string, issuer: string, client: { id: string; secret: string }): Promise<FastifyInstance> {
  const latchkey = await createLatchkeyClient({
    issuer, clientId: client.id, clientSecret: client.secret, redirectUri: `${appOrigin}/auth/callback`,
    scopes: ['openid', 'profile', 'offline_access'], store: createSqliteStore({ path: ':memory:' }),
    encryptionKeys: [{ kid: 'audit-test', key: generateEncryptionKey() }],
  });
  const app = Fastify();
  await app.register(fastifyBff, { client: latchkey });
  app.get('/', { preHandler: app.latchkey.requireLogin }, async (request, reply) => reply.type('text/html').send(`<h1>Hello ${String(request.latchkey.session!.claims.sub)}</h1>`));
  app.get('/data', { preHandler: app.latchkey.requireLogin }, async (request) => {
    const token = await request.latchkey.getAccessToken();
    const response = await fetch(`${issuer}/api/data`, { headers: { authorization: `Bearer ${token}` } });
    return { upstream: response.status };
  });
  await app.listen({ host: '127.0.0.1', port: Number(new URL(appOrigin).port) });
  return app;
}
