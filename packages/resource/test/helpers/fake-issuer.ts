// Test double of an authorization server: RFC 8414 metadata, an RFC 7517 JWKS, RFC 9068 tokens and RFC 7662 introspection.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export const AUDIENCE = 'https://api.example';
export const INTROSPECTION_CLIENT = { clientId: 'resource:api', clientSecret: 's3cr3t/+= x' };

type SigningAlgorithm = 'ES256' | 'RS256';

interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export interface SignOptions {
  /** Merged over the default claims; a value of `undefined` removes that claim. */
  claims?: Record<string, unknown>;
  alg?: SigningAlgorithm;
  /** `null` leaves the typ header out. Default 'at+jwt'. */
  typ?: string | null;
  /** Overrides the kid header (e.g. a random kid the JWKS does not hold). */
  kid?: string;
}

export interface FakeIssuerOptions {
  /** Which well-known documents are served. Default: both. */
  serve?: { oauth?: boolean; openid?: boolean };
  /** The `issuer` value the metadata claims; default the real issuer URL. */
  metadataIssuer?: (issuer: string) => string;
}

export interface FakeIssuer {
  readonly issuer: string;
  readonly hits: { oauthMetadata: number; openidMetadata: number; jwks: number; introspection: number };
  /** While set, the JWKS endpoint answers this status instead of the keys. */
  jwksFailureStatus: number | undefined;
  /** Introspection responses for opaque tokens, by token. */
  readonly opaqueTokens: Map<string, Record<string, unknown>>;
  /** Tokens the introspection endpoint reports as `active: false`. */
  readonly revokedTokens: Set<string>;
  signToken(options?: SignOptions): Promise<string>;
  /** Replaces the ES256 key with a new one under a new kid; the old kid disappears from the JWKS. */
  rotateKeys(): Promise<void>;
  /** SPKI PEM of the RS256 public key: the bytes an HS256 key-confusion attacker would use as the secret. */
  rsaPublicKeyPem(): Promise<string>;
  close(): Promise<void>;
}

async function createSigningKey(alg: SigningAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = `${alg.toLowerCase()}-${randomUUID()}`;
  return { kid, alg, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function decodeBasicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (header === undefined || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator === -1) return undefined;
  const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  return { clientId: formDecode(decoded.slice(0, separator)), clientSecret: formDecode(decoded.slice(separator + 1)) };
}

export async function startFakeIssuer(options: FakeIssuerOptions = {}): Promise<FakeIssuer> {
  const keys: Record<SigningAlgorithm, SigningKey> = {
    ES256: await createSigningKey('ES256'),
    RS256: await createSigningKey('RS256'),
  };
  const hits = { oauthMetadata: 0, openidMetadata: 0, jwks: 0, introspection: 0 };
  const opaqueTokens = new Map<string, Record<string, unknown>>();
  const revokedTokens = new Set<string>();
  const app = Fastify();
  let issuer = '';

  const metadata = () => ({
    issuer: options.metadataIssuer?.(issuer) ?? issuer,
    jwks_uri: `${issuer}/jwks`,
    introspection_endpoint: `${issuer}/introspect`,
    token_endpoint: `${issuer}/token`,
  });
  const serve = { oauth: true, openid: true, ...options.serve };
  if (serve.oauth) {
    app.get('/.well-known/oauth-authorization-server', async () => {
      hits.oauthMetadata += 1;
      return metadata();
    });
  }
  if (serve.openid) {
    app.get('/.well-known/openid-configuration', async () => {
      hits.openidMetadata += 1;
      return metadata();
    });
  }
  app.get('/jwks', async (_request, reply) => {
    hits.jwks += 1;
    if (fake.jwksFailureStatus !== undefined) return reply.code(fake.jwksFailureStatus).send({ error: 'unavailable' });
    return { keys: [keys.ES256.publicJwk, keys.RS256.publicJwk] };
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.post('/introspect', async (request, reply) => {
    hits.introspection += 1;
    const credentials = decodeBasicCredentials(request.headers.authorization);
    if (credentials?.clientId !== INTROSPECTION_CLIENT.clientId || credentials.clientSecret !== INTROSPECTION_CLIENT.clientSecret) {
      return reply.code(401).send({ error: 'invalid_client' });
    }
    const token = (request.body as Record<string, string>)['token'] ?? '';
    if (revokedTokens.has(token)) return { active: false };
    const opaque = opaqueTokens.get(token);
    if (opaque !== undefined) return { active: true, ...opaque };
    // Any JWT this issuer signed and did not revoke is active; the payload is echoed as RFC 7662 suggests.
    const [, payload] = token.split('.');
    if (token.split('.').length !== 3 || payload === undefined) return { active: false };
    return { active: true, ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) };
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fake issuer has no TCP address');
  issuer = `http://127.0.0.1:${address.port}`;

  const fake: FakeIssuer = {
    issuer,
    hits,
    jwksFailureStatus: undefined,
    opaqueTokens,
    revokedTokens,
    async signToken(signOptions = {}) {
      const key = keys[signOptions.alg ?? 'ES256'];
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: issuer,
        aud: AUDIENCE,
        sub: 'user-1',
        client_id: 'client-1',
        scope: 'read:items',
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        ...signOptions.claims,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      const typ = signOptions.typ === undefined ? 'at+jwt' : signOptions.typ;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: signOptions.kid ?? key.kid, ...(typ === null ? {} : { typ }) })
        .sign(key.privateKey);
    },
    async rotateKeys() {
      keys.ES256 = await createSigningKey('ES256');
    },
    async rsaPublicKeyPem() {
      return exportSPKI(keys.RS256.publicKey);
    },
    async close() {
      await app.close();
    },
  };
  return fake;
}
