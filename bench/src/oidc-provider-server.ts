// Server under test 2: node-oidc-provider 9 configured as close to Latchkey as it allows: client
// credentials (RFC 6749 §4.4) with client_secret_basic, resource indicators (RFC 8707) whose default
// resource is the one API, JWT access tokens (RFC 9068) signed ES256 with a 900 s lifetime, its default
// in-memory adapter, and no request logging (none is configured; Koa logs nothing by itself).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import Provider from 'oidc-provider';
import { API_IDENTIFIER, API_SCOPE, ACCESS_TOKEN_TTL } from './child-protocol.ts';
import { freePort, runChild } from './child-runtime.ts';

const providerVersion = (createRequire(import.meta.url)('oidc-provider/package.json') as { version: string }).version;

await runChild(async () => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };
  const clientId = randomBytes(16).toString('base64url');
  const clientSecret = randomBytes(32).toString('base64url');

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: API_SCOPE,
    }],
    jwks: { keys: [signingJwk] },
    scopes: [API_SCOPE],
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    ttl: { ClientCredentials: ACCESS_TOKEN_TTL },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => API_IDENTIFIER,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== API_IDENTIFIER) throw new Provider.errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: API_IDENTIFIER,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ACCESS_TOKEN_TTL,
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });

  const server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    ready: {
      name: 'oidc-provider', issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`,
      clientId, clientSecret, audience: API_IDENTIFIER, version: `oidc-provider ${providerVersion}`,
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
});
