// What every server check shares: the options, the probe, the discovered metadata and JWKS, one signed-in browser
// (cookie jar), and helpers that build requests exactly as a client would (RFC 6749 §4.1, RFC 7636 §4.1–4.3).
import { createHash, randomBytes } from 'node:crypto';
import type { CheckDefinition, CheckResult, Exchange } from '../audit-report.ts';
import { walkAuthorization, type AuthorizationOutcome, type Credentials } from '../authorization-walk.ts';
import { CookieJar, type ProbeClient, type ProbeResponse } from '../probe-client.ts';

export interface ServerAuditOptions {
  /** The issuer identifier (its discovery document is fetched from it). */
  issuer: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** A redirect URI registered for the client, byte for byte. It need not serve anything: redirects are read, not followed. */
  redirectUri?: string | undefined;
  credentials?: Credentials | undefined;
  /** Scope for sign-ins; default `openid`, plus `offline_access` when the server lists it. */
  scope?: string | undefined;
  /** Most requests to send (default 150). */
  budget?: number | undefined;
  /** Pause before each request in milliseconds (default 100). */
  delayMs?: number | undefined;
  fetch?: typeof fetch | undefined;
}

export type Metadata = Record<string, unknown>;

export interface TokenSet {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  [key: string]: unknown;
}

/** One authorization response the probe saw come back to the client, for the state and iss checks. */
export interface ObservedAuthorizationResponse {
  sentState: string;
  params: URLSearchParams;
  exchange: Exchange;
}

export const randomValue = (): string => randomBytes(24).toString('base64url');

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export class ServerAuditContext {
  readonly options: ServerAuditOptions;
  readonly probe: ProbeClient;
  metadata: Metadata | undefined;
  jwks: { keys: Record<string, unknown>[] } | undefined;
  /** The signed-in browser: once it has a session, later authorization requests skip the login page. */
  readonly userJar = new CookieJar();
  readonly authorizationResponses: ObservedAuthorizationResponse[] = [];
  /** Successful token responses (with the exchange that carried them), for lifetime and cache checks. */
  readonly tokenResponses: { tokens: TokenSet; response: ProbeResponse }[] = [];

  constructor(options: ServerAuditOptions, probe: ProbeClient) {
    this.options = options;
    this.probe = probe;
  }

  endpoint(name: string): string | undefined {
    const value = this.metadata?.[name];
    return typeof value === 'string' ? value : undefined;
  }

  list(name: string): string[] | undefined {
    const value = this.metadata?.[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
  }

  get serverOrigins(): Set<string> {
    const origins = new Set<string>();
    for (const url of [this.options.issuer, this.endpoint('authorization_endpoint')]) {
      try {
        if (url) origins.add(new URL(url).origin);
      } catch { /* an unusable URL is reported by the discovery checks */ }
    }
    return origins;
  }

  /** Why authorization-request checks cannot run, or undefined when they can. */
  get authorizationBlocker(): string | undefined {
    if (!this.endpoint('authorization_endpoint')) return 'the server publishes no authorization_endpoint';
    if (!this.options.clientId || !this.options.redirectUri) return 'needs a client: pass --client-id and --redirect-uri';
    return undefined;
  }

  /** Why checks that need a signed-in user cannot run, or undefined. */
  get userBlocker(): string | undefined {
    if (this.authorizationBlocker) return this.authorizationBlocker;
    if (!this.endpoint('token_endpoint')) return 'the server publishes no token_endpoint';
    if (!this.options.credentials) return 'needs a user: pass --user and --password-stdin';
    return undefined;
  }

  get scope(): string {
    if (this.options.scope) return this.options.scope;
    const supported = this.list('scopes_supported') ?? [];
    return supported.includes('offline_access') ? 'openid offline_access' : 'openid';
  }

  /** An authorization URL with the client's defaults (code flow, S256 PKCE, state, nonce) and `overrides` (undefined removes). */
  authorizeUrl(overrides: Record<string, string | undefined>): string {
    const url = new URL(this.endpoint('authorization_endpoint')!);
    const scope = overrides.scope ?? this.scope;
    const params: Record<string, string | undefined> = {
      response_type: 'code', client_id: this.options.clientId, redirect_uri: this.options.redirectUri, scope,
      state: randomValue(), nonce: randomValue(), code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
      // node-oidc-provider and others grant offline_access only after an explicit consent prompt (OIDC Core §11).
      ...(scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
      ...overrides,
    };
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }

  /** Sends an authorization request in the signed-in browser (signing in when credentials were given). */
  async authorize(overrides: Record<string, string | undefined>, evidence: Exchange[], options: { signIn?: boolean; jar?: CookieJar } = {}): Promise<AuthorizationOutcome> {
    const url = this.authorizeUrl(overrides);
    const sentState = new URL(url).searchParams.get('state') ?? '';
    const before = evidence.length;
    const outcome = await walkAuthorization(this.probe, url, {
      jar: options.jar ?? this.userJar, serverOrigins: this.serverOrigins, evidence,
      credentials: options.signIn === false ? undefined : this.options.credentials,
    });
    if (outcome.kind === 'redirect' && this.options.redirectUri && outcome.location.startsWith(this.options.redirectUri) && sentState) {
      this.authorizationResponses.push({ sentState, params: outcome.params, exchange: evidence[evidence.length - 1] ?? evidence[before]! });
    }
    return outcome;
  }

  /** POST to the token endpoint with the client's authentication (RFC 6749 §2.3.1: Basic, or client_id alone for a public client). */
  async tokenRequest(fields: Record<string, string>, evidence: Exchange[], endpoint = this.endpoint('token_endpoint')!): Promise<ProbeResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const form = { ...fields };
    const { clientId, clientSecret } = this.options;
    if (clientId && clientSecret) {
      const methods = this.list('token_endpoint_auth_methods_supported') ?? ['client_secret_basic'];
      if (methods.includes('client_secret_basic') || !methods.includes('client_secret_post')) {
        const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
        headers.authorization = `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
      } else {
        form.client_id = clientId;
        form.client_secret = clientSecret;
      }
    } else if (clientId) {
      form.client_id = clientId;
    }
    const response = await this.probe.send({ url: endpoint, headers, form });
    evidence.push(response.exchange);
    const body = response.json();
    if (response.status === 200 && body && typeof body.access_token === 'string') this.tokenResponses.push({ tokens: body as TokenSet, response });
    return response;
  }

  /** A full sign-in: authorization request, then the code exchanged for tokens. */
  async signInForTokens(evidence: Exchange[], overrides: Record<string, string | undefined> = {}): Promise<{ tokens: TokenSet; code: string; verifier: string } | { reason: string }> {
    const { verifier, challenge } = pkcePair();
    const outcome = await this.authorize({ code_challenge: challenge, ...overrides }, evidence);
    const code = outcome.kind === 'redirect' ? outcome.params.get('code') : null;
    if (!code) return { reason: describeOutcome(outcome, 'sign-in did not return a code') };
    const response = await this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: this.options.redirectUri!, code_verifier: verifier }, evidence);
    const tokens = response.json();
    if (response.status !== 200 || !tokens || typeof tokens.access_token !== 'string') return { reason: `the code exchange failed with ${response.status} ${String(tokens?.error ?? '')}`.trim() };
    return { tokens: tokens as TokenSet, code, verifier };
  }
}

export function describeOutcome(outcome: AuthorizationOutcome, prefix: string): string {
  switch (outcome.kind) {
    case 'redirect': {
      const error = outcome.params.get('error');
      if (!error) return `${prefix}: redirected ${outcome.params.has('code') ? 'with a code' : 'with neither code nor error'}`;
      return `${prefix}: redirected with error=${error}${outcome.params.get('error_description') ? ` (${outcome.params.get('error_description')})` : ''}`;
    }
    case 'login-page': return `${prefix}: the server shows a login page and no user was given`;
    case 'login-failed': return `${prefix}: the login form refused the given user (check --user and the password)`;
    case 'page': return `${prefix}: the server answered ${outcome.status} with a page the probe cannot drive`;
  }
}

/** One family of checks: the definitions it reports and a run that returns a result for each. */
export interface CheckFamily {
  name: string;
  checks: CheckDefinition[];
  /** What every check of the family needs; when it is missing the runner skips them all with the reason. */
  needs?: 'authorization' | 'user';
  run(ctx: ServerAuditContext): Promise<CheckResult[]>;
}
