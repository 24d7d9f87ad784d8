// Server under test 3, the ceiling: plain Fastify whose POST /token reads the form body and the Basic
// header minimally and answers the RFC 6749 §5.1 JSON with an RFC 9068 JWT signed by Latchkey's own
// signing code (tokens/jws.ts, tokens/access-token.ts). No client authentication, no store, no
// validation: the fastest that parsing, signing and answering can be on this stack.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { jwkThumbprint } from '../../packages/server/src/keys/jwk-thumbprint.ts';
import { issueAccessToken } from '../../packages/server/src/tokens/access-token.ts';
import { createJwsSigner } from '../../packages/server/src/tokens/jws.ts';
import { API_IDENTIFIER, ACCESS_TOKEN_TTL } from './child-protocol.ts';
import { freePort, runChild } from './child-runtime.ts';

const fastifyVersion = (createRequire(import.meta.url)('fastify/package.json') as { version: string }).version;

await runChild(async () => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicJwk);
  const signer = createJwsSigner(kid, 'ES256', privateKey);
  const jwks = { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] };
  const clientId = randomBytes(16).toString('base64url');
  const clientSecret = randomBytes(32).toString('base64url');

  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  app.get('/jwks', async () => jwks);
  app.post('/token', async (request, reply) => {
    const form = request.body as URLSearchParams;
    const basic = Buffer.from((request.headers.authorization ?? '').slice(6), 'base64').toString('utf8');
    const client = decodeURIComponent(basic.slice(0, basic.indexOf(':')));
    const scope = form.get('scope') ?? 'read';
    const token = issueAccessToken(signer, {
      issuer, audience: API_IDENTIFIER, subject: client, clientId: client, scopes: scope.split(' '),
      ttl: ACCESS_TOKEN_TTL, now: Math.floor(Date.now() / 1000),
    });
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      .send({ access_token: token.token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL, scope: token.scope });
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    ready: {
      name: 'ceiling', issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`,
      clientId, clientSecret, audience: API_IDENTIFIER, version: `fastify ${fastifyVersion}`,
    },
    close: () => app.close(),
  };
});
