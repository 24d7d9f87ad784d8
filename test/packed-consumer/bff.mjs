// A backend-for-frontend on the installed @latchkey/client (Fastify adapter): / needs a signed-in user.
import Fastify from 'fastify';
import { createLatchkeyClient, createSqliteStore, generateEncryptionKey } from '@latchkey/client';
import { fastifyBff } from '@latchkey/client/fastify';

const appUrl = process.env.APP_URL;
const client = await createLatchkeyClient({
  issuer: process.env.ISSUER, clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET,
  redirectUri: `${appUrl}/auth/callback`, scopes: ['openid', 'profile'],
  store: createSqliteStore({ path: process.env.SESSION_DB }), encryptionKeys: [{ kid: 'k1', key: generateEncryptionKey() }],
});
const app = Fastify();
await app.register(fastifyBff, { client });
app.get('/', { preHandler: app.latchkey.requireLogin }, async (request) => ({ sub: request.latchkey.session.subject, name: request.latchkey.session.claims.name }));
await app.listen({ port: Number(new URL(appUrl).port), host: '127.0.0.1' });
console.log('bff ready');
process.once('SIGTERM', () => void app.close());
