// Test helpers for the authorization code flow over app.inject: a cookie-keeping browser, PKCE values, reading
// the forms' CSRF token, and one call that signs in, consents and returns the code.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { FORM_HEADERS } from './test-server.ts';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A browser over app.inject: keeps cookies (by name, no domain logic), never follows redirects by itself. */
export class InjectBrowser {
  readonly app: FastifyInstance;
  readonly cookies = new Map<string, string>();
  /** Extra request headers (for example x-forwarded-for is not trusted; use remoteAddress instead). */
  remoteAddress = '127.0.0.1';
  /** Headers sent with every request (for example a User-Agent). */
  readonly headers: Record<string, string> = {};

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  #cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ') };
  }

  #remember(response: LightMyRequestResponse): void {
    const header = response.headers['set-cookie'];
    const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
    for (const line of lines) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const maxAge = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('max-age='));
      if (maxAge !== undefined && Number(maxAge.split('=')[1]) <= 0) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  static path(url: string): string {
    if (url.startsWith('/')) return url;
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url: InjectBrowser.path(url), headers: { ...this.headers, ...this.#cookieHeader(), ...headers }, remoteAddress: this.remoteAddress });
    this.#remember(response);
    return response;
  }

  async post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'POST', url: InjectBrowser.path(url), payload: new URLSearchParams(fields).toString(),
      headers: { ...FORM_HEADERS, ...this.headers, ...this.#cookieHeader(), ...headers }, remoteAddress: this.remoteAddress,
    });
    this.#remember(response);
    return response;
  }
}

export function csrfFrom(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error(`no CSRF token in page:\n${html.slice(0, 500)}`);
  return match[1];
}

export function formActionFrom(html: string): string {
  const match = /<form method="post" action="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no form in page');
  return match[1].replace(/&amp;/g, '&');
}

export function location(response: LightMyRequestResponse): string {
  const value = response.headers.location;
  if (typeof value !== 'string') throw new Error(`expected a redirect, got ${response.statusCode}: ${response.body.slice(0, 300)}`);
  return value;
}

/** The query parameters of a redirect to the client. */
export function callbackParams(response: LightMyRequestResponse): URLSearchParams {
  return new URL(location(response)).searchParams;
}

export function authorizeUrl(params: Record<string, string | undefined>): string {
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return `/authorize?${new URLSearchParams(defined).toString()}`;
}

export interface FlowOptions {
  username: string;
  password: string;
  /** Click Allow (default) or Deny when a consent page appears. */
  decision?: 'allow' | 'deny';
}

/**
 * Follows an authorization request through whatever pages appear (login, consent) until the redirect back to the
 * client; returns that final response and the pages seen.
 */
export async function runAuthorization(browser: InjectBrowser, url: string, options: FlowOptions): Promise<{ response: LightMyRequestResponse; pages: string[]; html: string[] }> {
  const pages: string[] = [];
  const html: string[] = [];
  let response = await browser.get(url);
  for (let step = 0; step < 6; step++) {
    if (response.statusCode === 303) {
      const next = location(response);
      if (!next.includes('/interaction/')) return { response, pages, html };
      response = await browser.get(next);
      continue;
    }
    if (response.statusCode !== 200) return { response, pages, html };
    const page = response.body;
    html.push(page);
    const action = formActionFrom(page);
    if (action.endsWith('/login')) {
      pages.push('login');
      response = await browser.post(action, { csrf: csrfFrom(page), username: options.username, password: options.password });
    } else if (action.endsWith('/consent')) {
      pages.push('consent');
      response = await browser.post(action, { csrf: csrfFrom(page), decision: options.decision ?? 'allow' });
    } else {
      return { response, pages, html }; // a page that posts elsewhere: the form_post response to the client
    }
  }
  throw new Error('authorization did not finish');
}

export interface ClientCredentials {
  id: string;
  secret?: string | undefined;
}

/** POST /token with client_secret_basic for confidential clients and client_id alone for public ones. */
export async function tokenRequest(app: FastifyInstance, client: ClientCredentials, fields: Record<string, string | undefined>): Promise<LightMyRequestResponse> {
  const body: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body[k] = v;
  const headers: Record<string, string> = { ...FORM_HEADERS };
  if (client.secret !== undefined) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
  else body.client_id = client.id;
  return app.inject({ method: 'POST', url: '/token', headers, payload: new URLSearchParams(body).toString() });
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}
