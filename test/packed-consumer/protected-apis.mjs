// An Express API and a Fastify API on the installed @latchkey/resource; each /items route needs items:read.
// Prints their ports as one JSON line, then serves until it is stopped.
import express from 'express';
import Fastify from 'fastify';
import { createVerifier } from '@latchkey/resource';
import { expressBearer, expressRequireScopes } from '@latchkey/resource/express';
import { fastifyBearer, fastifyRequireScopes } from '@latchkey/resource/fastify';

const verifier = createVerifier({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });

const expressApp = express();
expressApp.use(expressBearer(verifier));
expressApp.get('/items', expressRequireScopes(['items:read']), (req, res) => void res.json({ api: 'express', sub: req.auth?.sub, scope: req.auth?.scope }));
const expressServer = expressApp.listen(0, '127.0.0.1');
await new Promise((resolve) => expressServer.once('listening', resolve));

const fastifyApp = Fastify();
await fastifyApp.register(async (api) => {
  await api.register(fastifyBearer(verifier));
  api.get('/items', { preHandler: fastifyRequireScopes(['items:read']) }, async (request) => ({ api: 'fastify', sub: request.auth?.sub, scope: request.auth?.scope }));
});
await fastifyApp.listen({ port: 0, host: '127.0.0.1' });

console.log(JSON.stringify({ express: expressServer.address().port, fastify: fastifyApp.server.address().port }));
process.once('SIGTERM', () => {
  expressServer.close();
  void fastifyApp.close();
});
