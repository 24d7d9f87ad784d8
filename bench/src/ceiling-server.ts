// Server under test 3, the ceiling: plain Fastify that answers each scenario's requests with the same tokens signed by
// Latchkey's own signing code (tokens/jws.ts, tokens/access-token.ts) and nothing else. POST /token reads the form body
// and the Basic header minimally and answers the RFC 6749 §5.1 JSON: an RFC 9068 access token, and for the code and
// refresh grants an RS256 ID token (OpenID Connect Core §2) and a random refresh token. GET /authorize redirects with a
// random code (carrying the nonce, so no store is needed). No client authentication, no store, no validation: the
// fastest that parsing, signing and answering can be on this stack.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { jwkThumbprint } from '../../packages/server/src/keys/jwk-thumbprint.ts';
import { signAccessToken } from '../../packages/server/src/tokens/access-token.ts';
import { createJwsSigner } from '../../packages/server/src/tokens/jws.ts';
import { API_IDENTIFIER, ACCESS_TOKEN_TTL, BENCH_PASSWORD, BENCH_USERNAME, REDIRECT_URI, serverSetupFromEnv } from './child-protocol.ts';
import { freePort, runChild } from './child-runtime.ts';

const fastifyVersion = (createRequire(import.meta.url)('fastify/package.json') as { version: string }).version;
const ID_TOKEN_TTL = 3600;

function signingKey(alg: 'ES256' | 'RS256') {
  const { publicKey, privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicJwk);
  return { signer: createJwsSigner(kid, alg, privateKey as KeyObject), jwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

await runChild(async () => {
  const setupStarted = performance.now();
  const setup = serverSetupFromEnv();
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const es256 = signingKey('ES256');
  const rs256 = signingKey('RS256');
  const accessSigner = setup.accessTokenAlg === 'ES256' ? es256.signer : rs256.signer;
  const jwks = { keys: [es256.jwk, rs256.jwk] };
  const clientId = randomBytes(16).toString('base64url');
  const clientSecret = randomBytes(32).toString('base64url');
  const webClientId = randomBytes(16).toString('base64url');
  const setupMillis = performance.now() - setupStarted;

  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  app.get('/jwks', async () => jwks);
  app.get('/authorize', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const code = `${randomBytes(32).toString('base64url')}.${Buffer.from(query.nonce ?? '').toString('base64url')}`;
    const location = new URL(query.redirect_uri ?? REDIRECT_URI);
    location.searchParams.set('code', code);
    if (query.state) location.searchParams.set('state', query.state);
    location.searchParams.set('iss', issuer);
    return reply.code(303).header('location', location.href).send();
  });
  app.post('/token', async (request, reply) => {
    const form = request.body as URLSearchParams;
    const basic = Buffer.from((request.headers.authorization ?? '').slice(6), 'base64').toString('utf8');
    const client = decodeURIComponent(basic.slice(0, basic.indexOf(':')));
    const grantType = form.get('grant_type');
    const now = Math.floor(Date.now() / 1000);
    const user = grantType === 'client_credentials' ? undefined : BENCH_USERNAME;
    const token = await signAccessToken(accessSigner, {
      issuer, audience: API_IDENTIFIER, subject: user ?? client, clientId: client, scopes: (form.get('scope') ?? 'read').split(' ').filter((s) => s !== 'openid'),
      ttl: ACCESS_TOKEN_TTL, now, ...(user ? { authTime: now } : {}),
    });
    const body: Record<string, unknown> = { access_token: token.token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL, scope: token.scope };
    if (user) {
      const nonce = grantType === 'authorization_code' ? Buffer.from((form.get('code') ?? '').split('.')[1] ?? '', 'base64url').toString() : '';
      body.id_token = await rs256.signer.signAsync({
        iss: issuer, sub: user, aud: client, azp: client, exp: now + ID_TOKEN_TTL, iat: now, auth_time: now, ...(nonce ? { nonce } : {}),
      }, 'JWT');
      body.refresh_token = randomBytes(32).toString('base64url');
    }
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    ready: {
      name: 'ceiling', issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`,
      clientId, clientSecret, audience: API_IDENTIFIER, version: `fastify ${fastifyVersion}`, accessTokenAlg: setup.accessTokenAlg,
      userFlow: {
        authorizationUrl: `${issuer}/authorize`, clientId: webClientId, clientSecret: randomBytes(32).toString('base64url'), redirectUri: REDIRECT_URI,
        username: BENCH_USERNAME, password: BENCH_PASSWORD,
      },
      introspection: null,
      setupMillis,
    },
    close: () => app.close(),
  };
});
