// node-oidc-provider 9 configured the careless way, for the audit's tests: PKCE optional, refresh tokens not rotated,
// the implicit flow ("id_token token") enabled, a one-day access token, and redirect URIs matched by prefix (a
// registered URI accepts anything appended to it). Its dev interactions accept any login and password.
// (oidc-provider 9 implements only S256, so "plain" cannot be switched on; the audit's plain check passes against it.)
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from '../helpers/latchkey-process.ts';

export interface PermissiveProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  close(): Promise<void>;
}

interface ClientPrototype {
  redirectUris: string[];
  redirectUriAllowed(value: string): boolean;
}

export async function startPermissiveProvider(redirectUri: string): Promise<PermissiveProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = 'careless-client';
  const clientSecret = randomBytes(32).toString('base64url');
  const configuration: Record<string, unknown> = {
    clients: [{
      client_id: clientId, client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token', 'implicit'], response_types: ['code', 'id_token token'],
    }],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'permissive-rs256', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: ['code', 'id_token token'],
    pkce: { required: () => false },
    rotateRefreshToken: false,
    ttl: { AccessToken: 86_400, AuthorizationCode: 600, IdToken: 3600, RefreshToken: 86_400 * 30, Interaction: 600, Session: 86_400, Grant: 86_400 * 30 },
    features: { devInteractions: { enabled: true } },
  };
  const provider = new Provider(issuer, configuration as ConstructorParameters<typeof Provider>[1]);
  // Prefix matching, the mistake RFC 9700 §4.1.3 is about.
  const prototype = (provider as unknown as { Client: { prototype: ClientPrototype } }).Client.prototype;
  prototype.redirectUriAllowed = function redirectUriAllowed(this: ClientPrototype, value: string) {
    return this.redirectUris.some((registered) => value.startsWith(registered));
  };
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return {
    issuer, clientId, clientSecret, redirectUri,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
