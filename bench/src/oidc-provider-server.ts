// Server under test 2: node-oidc-provider 9 configured for the same work as Latchkey, as far as it allows: client
// credentials (RFC 6749 §4.4) and the authorization code flow with refresh-token rotation, client_secret_basic,
// resource indicators (RFC 8707) whose default resource is the one API, RFC 9068 JWT access tokens with a 900 s
// lifetime (opaque ones in the introspection scenario: it cannot introspect JWTs), RS256 ID tokens, RFC 7662
// introspection, signed cookies, its default in-memory adapter, and no request logging (Koa logs nothing by itself).
// Its login and consent are the application's to write; the bench's accepts the one bench user without a form.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import Provider from 'oidc-provider';
import { API_IDENTIFIER, API_SCOPE, ACCESS_TOKEN_TTL, BENCH_PASSWORD, BENCH_USERNAME, REDIRECT_URI, serverSetupFromEnv } from './child-protocol.ts';
import { freePort, runChild } from './child-runtime.ts';

const providerVersion = (createRequire(import.meta.url)('oidc-provider/package.json') as { version: string }).version;

await runChild(async () => {
  const setupStarted = performance.now();
  const setup = serverSetupFromEnv();
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const keys = [
    { ...ec.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' },
    { ...rsa.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' },
  ];
  const id = () => randomBytes(16).toString('base64url');
  const secret = () => randomBytes(32).toString('base64url');
  const machine = { id: id(), secret: secret() };
  const web = { id: id(), secret: secret() };
  const api = { id: id(), secret: secret() };
  const setupMillis = performance.now() - setupStarted;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: machine.id, client_secret: machine.secret, token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: API_SCOPE,
      },
      {
        client_id: web.id, client_secret: web.secret, token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: [REDIRECT_URI],
        id_token_signed_response_alg: 'RS256',
      },
      // The API's resource server: it only introspects.
      { client_id: api.id, client_secret: api.secret, token_endpoint_auth_method: 'client_secret_basic', grant_types: [], response_types: [], redirect_uris: [] },
    ],
    jwks: { keys },
    scopes: ['openid', API_SCOPE],
    cookies: { keys: [secret()] },
    ttl: {
      ClientCredentials: ACCESS_TOKEN_TTL, AccessToken: ACCESS_TOKEN_TTL, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 14 * 86400,
      Grant: 90 * 86400, Session: 12 * 3600, Interaction: 3600,
    },
    findAccount: async (_ctx, accountId) => ({ accountId, claims: async () => ({ sub: accountId }) }),
    // Like Latchkey: every code exchange of a client allowed the refresh grant gets a refresh token, rotated on every use.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Like Latchkey: a token's own client and the API's resource server may introspect it.
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => client.clientId === api.id || client.clientId === token.clientId },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => API_IDENTIFIER,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator, client) => {
          if (resourceIndicator !== API_IDENTIFIER) throw new Provider.errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: API_IDENTIFIER,
            accessTokenFormat: client.clientId === machine.id ? 'jwt' : setup.userAccessTokenFormat,
            accessTokenTTL: ACCESS_TOKEN_TTL,
            jwt: { sign: { alg: setup.accessTokenAlg } },
          };
        },
      },
    },
  });

  // The interaction: sign in the bench user (login prompt), then record the grant of openid and the API scope (consent
  // prompt). An application's login form would check a password here, once per session: it is not measured.
  const interaction = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      return provider.interactionFinished(req, res, { login: { accountId: BENCH_USERNAME } }, { mergeWithLastSubmission: false });
    }
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined)
      ?? new provider.Grant({ accountId: details.session?.accountId ?? BENCH_USERNAME, clientId: String(details.params.client_id) });
    // What its consent prompt lists as missing: openid and the API's scope (as an OIDC scope too, since `scopes` lists it).
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  };
  const callback = provider.callback();
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((error: Error) => {
        res.statusCode = 500;
        res.end(error.message);
      });
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    ready: {
      name: 'oidc-provider', issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`,
      clientId: machine.id, clientSecret: machine.secret, audience: API_IDENTIFIER, version: `oidc-provider ${providerVersion}`,
      accessTokenAlg: setup.accessTokenAlg,
      userFlow: {
        authorizationUrl: `${issuer}/auth`, clientId: web.id, clientSecret: web.secret, redirectUri: REDIRECT_URI,
        username: BENCH_USERNAME, password: BENCH_PASSWORD,
      },
      introspection: { url: `${issuer}/token/introspection`, clientId: api.id, clientSecret: api.secret },
      setupMillis,
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
});
