// The app audit's authorization server: a small OpenID provider on node:http and jose that plays by the rules
// (discovery RFC 8414 / OIDC Discovery, code flow with S256 PKCE RFC 7636, `iss` in responses RFC 9207, refresh
// RFC 6749 §6) until a scenario tells it to misbehave: a forged `state`, or an ID token with a bad signature, `aud`,
// `iss` or `nonce` (OIDC Core §3.1.3.7). It signs in one synthetic user without a login page and records every
// request the app makes, so the audit can see what the app asked for and what it accepted.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export type IssuerScenario = 'honest' | 'wrong-state' | 'missing-state' | 'bad-signature' | 'wrong-aud' | 'wrong-iss' | 'wrong-nonce';

export interface TestIssuerOptions {
  /** 0 picks a free port. */
  port: number;
  clientId: string;
  /** When set, the token endpoint requires it (client_secret_basic or client_secret_post). */
  clientSecret?: string | undefined;
  redirectUri: string;
}

export interface RecordedTokenRequest {
  grantType: string;
  at: number;
  /** What the issuer answered: "200", or the status and error code ("401 invalid_client (...)"), for the evidence. */
  outcome?: string;
}

export interface RecordedApiCall {
  /** Whether the access token presented had expired (or was unknown). */
  valid: boolean;
  expired: boolean;
  at: number;
}

export const AUDIT_SUBJECT = 'latchkey-audit-user';

interface IssuedCode {
  nonce: string | undefined;
  challenge: string | undefined;
  method: string | undefined;
  redirectUri: string;
  scope: string;
}

export class TestIssuer {
  readonly options: TestIssuerOptions;
  issuer = '';
  scenario: IssuerScenario = 'honest';
  /** Lifetime of the next access tokens, in seconds. */
  accessTokenSeconds = 3600;
  /** When false, /authorize answers an error page: one login per run, so a logged-out app cannot loop. */
  acceptingLogins = true;
  readonly authorizeRequests: URLSearchParams[] = [];
  readonly tokenRequests: RecordedTokenRequest[] = [];
  readonly apiCalls: RecordedApiCall[] = [];
  /** Every token handed to the app (access, refresh, ID; not codes, which travel in the callback URL), to look for in the browser. */
  readonly issuedTokens = new Set<string>();
  readonly #codes = new Map<string, IssuedCode>();
  readonly #accessTokens = new Map<string, number>();
  readonly #refreshTokens = new Set<string>();
  #server: Server | undefined;
  #key!: CryptoKey;
  #attackerKey!: CryptoKey;
  #jwk!: JWK;
  #requests = 0;

  constructor(options: TestIssuerOptions) {
    this.options = options;
  }

  get requestCount(): number {
    return this.#requests;
  }

  async start(): Promise<void> {
    this.#key = (await generateKeyPair('RS256', { extractable: true })).privateKey;
    this.#attackerKey = (await generateKeyPair('RS256')).privateKey;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = await exportJWK(this.#key);
    this.#jwk = { ...publicJwk, kid: 'audit-rs256', alg: 'RS256', use: 'sig' };
    const server = createServer((req, res) => void this.#handle(req, res).catch(() => {
      if (!res.headersSent) this.#json(res, 500, { error: 'server_error' });
    }));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.options.port, '127.0.0.1', () => resolve()));
    this.#server = server;
    this.issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  }

  #page(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
  }

  async #body(req: IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#requests++;
    const url = new URL(req.url ?? '/', this.issuer);
    const path = url.pathname;
    if (path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server') return this.#json(res, 200, this.metadata());
    if (path === '/jwks') return this.#json(res, 200, { keys: [this.#jwk] });
    if (path === '/authorize') return this.#authorize(url.searchParams, res);
    if (path === '/token' && req.method === 'POST') return this.#token(req, await this.#body(req), res);
    if (path === '/userinfo' || path.startsWith('/api/')) return this.#resource(req, res);
    if (path === '/revoke' && req.method === 'POST') return void res.writeHead(200).end();
    return this.#page(res, 404, 'not found');
  }

  metadata(): Record<string, unknown> {
    const issuer = this.issuer;
    return {
      issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`, revocation_endpoint: `${issuer}/revoke`, response_types_supported: ['code'], response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'], code_challenge_methods_supported: ['S256'], subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'], authorization_response_iss_parameter_supported: true,
    };
  }

  #authorize(params: URLSearchParams, res: ServerResponse): void {
    this.authorizeRequests.push(params);
    if (params.get('client_id') !== this.options.clientId) return this.#page(res, 400, 'unknown client_id');
    if (params.get('redirect_uri') !== this.options.redirectUri) return this.#page(res, 400, 'redirect_uri is not the registered one');
    if (!this.acceptingLogins) return this.#page(res, 400, 'latchkey audit: this run already signed in once; the app asked again, so it is not signed in');
    const back = new URL(this.options.redirectUri);
    const state = params.get('state');
    if (params.get('response_type') !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type');
    } else {
      const code = randomBytes(24).toString('base64url');
      this.#codes.set(code, {
        nonce: params.get('nonce') ?? undefined, challenge: params.get('code_challenge') ?? undefined, method: params.get('code_challenge_method') ?? undefined,
        redirectUri: this.options.redirectUri, scope: params.get('scope') ?? 'openid',
      });
      back.searchParams.set('code', code);
    }
    if (this.scenario === 'wrong-state') back.searchParams.set('state', `forged-${randomBytes(12).toString('base64url')}`);
    else if (this.scenario !== 'missing-state' && state !== null) back.searchParams.set('state', state);
    back.searchParams.set('iss', this.issuer);
    // One code per run: the audit then judges whether the app ended up signed in.
    this.acceptingLogins = false;
    res.writeHead(303, { location: back.toString(), 'cache-control': 'no-store' }).end();
  }

  #clientAuthenticated(req: IncomingMessage, body: URLSearchParams): boolean {
    const expected = this.options.clientSecret;
    const header = req.headers.authorization;
    let id = body.get('client_id');
    let secret = body.get('client_secret');
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    }
    return id === this.options.clientId && (expected === undefined || secret === expected);
  }

  async #token(req: IncomingMessage, body: URLSearchParams, res: ServerResponse): Promise<void> {
    const record: RecordedTokenRequest = { grantType: body.get('grant_type') ?? '', at: Date.now() };
    this.tokenRequests.push(record);
    const [status, answer] = await this.#tokenAnswer(req, body, record.grantType);
    record.outcome = status === 200 ? '200' : `${status} ${String(answer.error)}${answer.error_description ? ` (${String(answer.error_description)})` : ''}`;
    return this.#json(res, status, answer);
  }

  async #tokenAnswer(req: IncomingMessage, body: URLSearchParams, grantType: string): Promise<[number, Record<string, unknown>]> {
    if (!this.#clientAuthenticated(req, body)) return [401, { error: 'invalid_client', error_description: 'client_id or client secret does not match' }];
    if (grantType === 'authorization_code') {
      const code = body.get('code') ?? '';
      const issued = this.#codes.get(code);
      this.#codes.delete(code);
      if (!issued) return [400, { error: 'invalid_grant', error_description: 'unknown or used code' }];
      if (body.get('redirect_uri') !== issued.redirectUri) return [400, { error: 'invalid_grant', error_description: 'redirect_uri differs from the authorization request' }];
      if (issued.challenge !== undefined) {
        const verifier = body.get('code_verifier') ?? '';
        const computed = issued.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
        if (computed !== issued.challenge) return [400, { error: 'invalid_grant', error_description: 'PKCE verification failed' }];
      }
      return [200, await this.#tokens(issued.nonce, true)];
    }
    if (grantType === 'refresh_token') {
      const token = body.get('refresh_token') ?? '';
      if (!this.#refreshTokens.delete(token)) return [400, { error: 'invalid_grant', error_description: 'unknown or used refresh token' }];
      return [200, await this.#tokens(undefined, false)];
    }
    return [400, { error: 'unsupported_grant_type' }];
  }

  async #tokens(nonce: string | undefined, withIdToken: boolean): Promise<Record<string, unknown>> {
    const accessToken = `at.${randomBytes(24).toString('base64url')}`;
    const refreshToken = `rt.${randomBytes(24).toString('base64url')}`;
    this.#accessTokens.set(accessToken, Date.now() + this.accessTokenSeconds * 1000);
    this.#refreshTokens.add(refreshToken);
    const answer: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', expires_in: this.accessTokenSeconds, refresh_token: refreshToken, scope: 'openid profile' };
    if (withIdToken) answer.id_token = await this.#idToken(nonce);
    for (const value of [accessToken, refreshToken, answer.id_token]) if (typeof value === 'string') this.issuedTokens.add(value);
    return answer;
  }

  async #idToken(nonce: string | undefined): Promise<string> {
    const s = this.scenario;
    const claims: Record<string, unknown> = { name: 'Latchkey Audit', email: 'audit@example.invalid' };
    if (nonce !== undefined || s === 'wrong-nonce') claims.nonce = s === 'wrong-nonce' ? randomBytes(12).toString('base64url') : nonce;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'audit-rs256', typ: 'JWT' })
      .setIssuer(s === 'wrong-iss' ? 'https://attacker.example' : this.issuer)
      .setAudience(s === 'wrong-aud' ? 'some-other-client' : this.options.clientId)
      .setSubject(AUDIT_SUBJECT).setIssuedAt().setExpirationTime('10m')
      .sign(s === 'bad-signature' ? this.#attackerKey : this.#key);
  }

  /** UserInfo and the test API (/api/...): a bearer token that is known and unexpired, else 401 (RFC 6750 §3.1). */
  #resource(req: IncomingMessage, res: ServerResponse): void {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const expiresAt = this.#accessTokens.get(token);
    const expired = expiresAt !== undefined && expiresAt <= Date.now();
    const valid = expiresAt !== undefined && !expired;
    this.apiCalls.push({ valid, expired, at: Date.now() });
    if (!valid) return this.#json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer error="invalid_token"` });
    return this.#json(res, 200, { sub: AUDIT_SUBJECT, name: 'Latchkey Audit', ok: true });
  }
}
