// The user-facing flows, driven over HTTP like a browser and a web app would: sign in once through the server's own
// login and consent (OpenID Connect Core §3.1.2.3-4) to obtain an SSO session, then authorization requests that the
// session answers at once (RFC 6749 §4.1.1-2, PKCE RFC 7636) and code exchanges at the token endpoint (§4.1.3).
import { createHash } from 'node:crypto';
import { basicAuthorization, USER_SCOPE, type ReadyMessage, type UserFlowSetup } from './child-protocol.ts';

/** A fixed PKCE pair: the server checks the pair, not its freshness (each request is still a new authorization). */
export const CODE_VERIFIER = 'bench-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
export const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url');
export const NONCE = 'bench-nonce-0123456789';
export const STATE = 'bench-state';

export class FlowError extends Error {
  constructor(server: string, message: string) {
    super(`${server}: ${message}`);
    this.name = 'FlowError';
  }
}

export function userFlowOf(server: ReadyMessage): UserFlowSetup {
  if (!server.userFlow) throw new FlowError(server.name, 'offers no authorization code flow');
  return server.userFlow;
}

/** The path and query of an authorization request (the server answers it from the session, when there is one). */
export function authorizationPath(flow: UserFlowSetup): string {
  const url = new URL(flow.authorizationUrl);
  const query = new URLSearchParams({
    response_type: 'code', client_id: flow.clientId, redirect_uri: flow.redirectUri, scope: USER_SCOPE, state: STATE, nonce: NONCE,
    code_challenge: CODE_CHALLENGE, code_challenge_method: 'S256',
  });
  return `${url.pathname}?${query}`;
}

export function codeExchangeBody(flow: UserFlowSetup, code: string): string {
  return new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: flow.redirectUri, code_verifier: CODE_VERIFIER }).toString();
}

export function refreshBody(refreshToken: string): string {
  return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
}

/** The code of a redirect to the client's redirect URI, or undefined when `location` is something else. */
export function codeFromLocation(flow: UserFlowSetup, location: string | undefined): string | undefined {
  if (!location || !location.startsWith(flow.redirectUri)) return undefined;
  const url = new URL(location);
  if (url.searchParams.get('state') !== STATE) return undefined;
  return url.searchParams.get('code') ?? undefined;
}

/** Cookies as a browser keeps them for one site (name -> value; expiry and paths do not matter here). */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function formOf(html: string): { action: string; fields: Map<string, string> } | undefined {
  const form = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(html);
  if (!form) return undefined;
  const fields = new Map<string, string>();
  for (const input of html.matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    if (name) fields.set(name, /value="([^"]*)"/.exec(input[0])?.[1] ?? '');
  }
  if (/name="decision"/.test(html)) fields.set('decision', 'allow');
  return { action: form[1]!.replace(/&amp;/g, '&'), fields };
}

/**
 * Signs the bench user in once: follows the server's redirects, fills its login form (username, password) and its
 * consent form (Allow), carrying cookies, until the redirect to the client with a code. Returns the session's cookies.
 */
export async function signIn(server: ReadyMessage): Promise<string> {
  const flow = userFlowOf(server);
  const jar = new CookieJar();
  let next: { url: string; init: RequestInit } = { url: new URL(authorizationPath(flow), server.issuer).href, init: { method: 'GET' } };
  for (let step = 0; step < 12; step++) {
    const response = await fetch(next.url, { ...next.init, redirect: 'manual', headers: { ...(next.init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(response);
    const location = response.headers.get('location') ?? undefined;
    if (response.status >= 300 && response.status < 400 && location) {
      if (codeFromLocation(flow, location)) return jar.header();
      if (location.startsWith(flow.redirectUri)) throw new FlowError(server.name, `sign-in ended in an error redirect: ${location}`);
      next = { url: new URL(location, next.url).href, init: { method: 'GET' } };
      continue;
    }
    const html = await response.text();
    const form = response.status === 200 ? formOf(html) : undefined;
    if (!form) throw new FlowError(server.name, `sign-in step ${step} answered ${response.status} without a form: ${html.slice(0, 300)}`);
    if (form.fields.has('password')) {
      form.fields.set('username', flow.username);
      form.fields.set('password', flow.password);
    }
    next = {
      url: new URL(form.action, next.url).href,
      init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([...form.fields]).toString() },
    };
  }
  throw new FlowError(server.name, 'sign-in did not reach the client within 12 steps');
}

/** One authorization request answered from the SSO session: it must redirect straight to the client with a code. */
export async function authorizeWithSession(server: ReadyMessage, cookies: string): Promise<string> {
  const flow = userFlowOf(server);
  const response = await fetch(new URL(authorizationPath(flow), server.issuer), { redirect: 'manual', headers: { cookie: cookies } });
  await response.arrayBuffer();
  const location = response.headers.get('location') ?? undefined;
  const code = codeFromLocation(flow, location);
  if (response.status < 300 || response.status >= 400 || !code) {
    throw new FlowError(server.name, `an authorization request with the session answered ${response.status} ${location ?? ''}, not a redirect with a code`);
  }
  return code;
}

/** A POST to the token endpoint as the web client; returns the status, headers and parsed body. */
export async function tokenRequest(server: ReadyMessage, body: string): Promise<{ status: number; headers: Headers; text: string; json: Record<string, unknown> | undefined }> {
  const flow = userFlowOf(server);
  const response = await fetch(server.tokenUrl, {
    method: 'POST', body,
    headers: { authorization: basicAuthorization(flow.clientId, flow.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Authorize with the session and exchange the code: the token response body (status checked by the caller). */
export async function codeFlow(server: ReadyMessage, cookies: string) {
  return tokenRequest(server, codeExchangeBody(userFlowOf(server), await authorizeWithSession(server, cookies)));
}
