// A stub OpenID provider whose refresh responses the test scripts: the attacker's (or a broken provider's) side of OIDC Core §12.2.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { listenOnLoopback, type TestProvider } from './test-provider.ts';

export const SCRIPTED_CLIENT_ID = 'scripted-bff';

export interface ScriptedProvider extends TestProvider {
  /** Claims laid over the original ID token's for the next refresh's ID token (`undefined` values remove a claim). */
  refreshClaims: Record<string, unknown>;
  /** The `auth_time` and `sub` of the login's ID token. */
  readonly authTime: number;
  readonly subject: string;
  /** Every access token the token endpoint issued, in order, and what it answered to which grant. */
  issued: Array<{ grant: 'authorization_code' | 'refresh_token'; accessToken: string; refreshToken: string }>;
  /** Tokens sent to the revocation endpoint. */
  revoked: string[];
}

/** Discovery, JWKS, an authorization endpoint that approves at once, a token endpoint and a revocation endpoint. */
export async function startScriptedProvider(app: { redirectUri: string }): Promise<ScriptedProvider> {
  const listener = await listenOnLoopback();
  const issuer = listener.origin;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'scripted', alg: 'ES256', use: 'sig' };
  const nonces = new Map<string, string>();
  let serial = 0;
  const provider: ScriptedProvider = {
    issuer,
    clientId: SCRIPTED_CLIENT_ID,
    clientSecret: 'scripted-secret-for-tests-only',
    counts: { refreshGrants: 0, codeGrants: 0, revocations: 0, endSession: 0 },
    refreshClaims: {},
    authTime: Math.floor(Date.now() / 1000) - 60,
    subject: 'victim',
    issued: [],
    revoked: [],
    close: listener.close,
  };
  const idToken = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = Object.fromEntries(Object.entries({ iat: now, exp: now + 600, ...claims }).filter(([, value]) => value !== undefined));
    return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'scripted' }).sign(privateKey);
  };
  const original = () => ({ iss: issuer, aud: SCRIPTED_CLIENT_ID, sub: provider.subject, auth_time: provider.authTime });

  listener.setHandler((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        revocation_endpoint: `${issuer}/revoke`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const code = `code-${++serial}`;
      nonces.set(code, url.searchParams.get('nonce') ?? '');
      const back = new URL(app.redirectUri);
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state') ?? '', iss: issuer }).toString();
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (url.pathname === '/revoke') {
        provider.counts.revocations += 1;
        provider.revoked.push(form.get('token') ?? '');
        return json(200, {});
      }
      if (url.pathname !== '/token') return json(404, { error: 'not_found' });
      const grant = form.get('grant_type');
      const n = ++serial;
      const accessToken = `${grant === 'refresh_token' ? 'refreshed' : 'login'}-access-${n}`;
      const refreshToken = `refresh-${n}`;
      let claims: Record<string, unknown>;
      if (grant === 'authorization_code') {
        provider.counts.codeGrants += 1;
        claims = { ...original(), nonce: nonces.get(form.get('code') ?? '') };
      } else if (grant === 'refresh_token') {
        provider.counts.refreshGrants += 1;
        claims = { ...original(), ...provider.refreshClaims };
      } else {
        return json(400, { error: 'unsupported_grant_type' });
      }
      provider.issued.push({ grant, accessToken, refreshToken });
      idToken(claims).then((token) => json(200, {
        access_token: accessToken, token_type: 'Bearer', expires_in: 300, refresh_token: refreshToken, scope: 'openid', id_token: token,
      }), () => json(500, { error: 'server_error' }));
    });
  });
  return provider;
}
