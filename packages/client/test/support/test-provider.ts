// Test OpenID provider: node-oidc-provider in-process on loopback, with counters for token, refresh and revocation requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, exportJWK } from 'jose';

export interface LoopbackServer {
  server: Server;
  origin: string;
  setHandler(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** A server on 127.0.0.1:0 whose handler is set later (so the port is known before the app is built). */
export async function listenOnLoopback(): Promise<LoopbackServer> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    setHandler(next) {
      handler = next;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

interface OidcContext {
  oidc: { params?: Record<string, unknown>; client?: { clientId: string }; session?: { accountId?: string; grantIdFor(clientId: string): string | undefined }; result?: { consent?: { grantId?: string } }; provider: OidcProviderInstance };
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface OidcProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: string, listener: (ctx: OidcContext, ...rest: unknown[]) => void): void;
  Grant: { new (init: { clientId: string; accountId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
}

export interface TestProviderOptions {
  /** The app's callback URL. */
  redirectUri: string;
  postLogoutRedirectUri?: string;
  accessTokenTtlSeconds?: number;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Requests per path and token requests per grant type. */
  counts: { refreshGrants: number; codeGrants: number; revocations: number; endSession: number };
  close(): Promise<void>;
}

export const TEST_CLIENT_ID = 'latchkey-bff';
export const TEST_CLIENT_SECRET = 'bff-secret-for-tests-only-0123456789abcdef';

/** Starts node-oidc-provider with a confidential client (client_secret_basic, PKCE required, refresh tokens always, rotation on). */
export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const specifier = 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as { default: new (issuer: string, config: object) => OidcProviderInstance };
  const listener = await listenOnLoopback();
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };
  const counts = { refreshGrants: 0, codeGrants: 0, revocations: 0, endSession: 0 };
  const provider = new Provider(listener.origin, {
    clients: [{
      client_id: TEST_CLIENT_ID,
      client_secret: TEST_CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [options.redirectUri],
      post_logout_redirect_uris: options.postLogoutRedirectUri ? [options.postLogoutRedirectUri] : [],
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'orders:read', 'orders:write'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    features: { devInteractions: { enabled: true }, revocation: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    issueRefreshToken: async (_ctx: unknown, client: { clientId: string }) => client.clientId === TEST_CLIENT_ID,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 60,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 3600,
      Grant: 3600,
      Session: 3600,
      Interaction: 600,
    },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, name: `User ${sub}`, email: `${sub}@example.test` }),
    }),
    // First-party style: consent is implied, so only the login prompt is interactive.
    loadExistingGrant: async (ctx: OidcContext) => {
      const { oidc } = ctx;
      const clientId = oidc.client!.clientId;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!grant) grant = new oidc.provider.Grant({ clientId, accountId: oidc.session!.accountId! });
      const scope = typeof oidc.params?.scope === 'string' ? oidc.params.scope : 'openid';
      grant.addOIDCScope(scope);
      await grant.save();
      return grant;
    },
  });
  const count = (ctx: OidcContext) => {
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === 'refresh_token') counts.refreshGrants += 1;
    if (grantType === 'authorization_code') counts.codeGrants += 1;
  };
  provider.on('grant.success', count);
  provider.on('grant.error', count);
  const callback = provider.callback();
  listener.setHandler((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/token/revocation') counts.revocations += 1;
    if (path === '/session/end') counts.endSession += 1;
    callback(req, res);
  });
  return { issuer: listener.origin, clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, counts, close: listener.close };
}
