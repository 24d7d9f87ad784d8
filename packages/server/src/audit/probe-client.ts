// The server audit's only way out: an HTTP client that sends what an ordinary client would send, never more than
// a fixed number of requests, with a pause before each one, and records every exchange (redacted) as evidence.
import type { Exchange } from './audit-report.ts';
import { redactBody, redactHeaders, redactUrl } from './redact-evidence.ts';

export class BudgetExhausted extends Error {
  constructor(budget: number) {
    super(`the request budget (${budget}) is spent`);
    this.name = 'BudgetExhausted';
  }
}

/** Cookies by name for one simulated browser (no domain or path logic: the probe talks to one server). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  header(): string | undefined {
    return this.#cookies.size === 0 ? undefined : [...this.#cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }

  remember(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq < 1) continue;
      const name = pair!.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age=(0|-)/i.test(a) || /^\s*expires=.*19[0-9]{2}/i.test(a));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair!.slice(eq + 1).trim());
    }
  }
}

export interface ProbeRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  jar?: CookieJar;
}

export interface ProbeResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The Location header (resolved against the request URL when relative), if any. */
  location: string | undefined;
  exchange: Exchange;
  json(): Record<string, unknown> | undefined;
}

const SHOWN_RESPONSE_HEADERS = [
  'location', 'content-type', 'cache-control', 'pragma', 'x-frame-options', 'content-security-policy', 'www-authenticate',
  'access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'set-cookie',
];

export interface ProbeClientOptions {
  /** Most requests one audit may send. */
  budget: number;
  /** Pause before every request after the first, in milliseconds. */
  delayMs: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class ProbeClient {
  readonly #options: ProbeClientOptions;
  #sent = 0;

  constructor(options: ProbeClientOptions) {
    this.#options = options;
  }

  get sent(): number {
    return this.#sent;
  }

  get remaining(): number {
    return this.#options.budget - this.#sent;
  }

  async send(request: ProbeRequest): Promise<ProbeResponse> {
    if (this.#sent >= this.#options.budget) throw new BudgetExhausted(this.#options.budget);
    if (this.#sent > 0 && this.#options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#options.delayMs));
    this.#sent++;
    const method = request.method ?? (request.form ? 'POST' : 'GET');
    const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9,*/*;q=0.8', 'user-agent': 'latchkey-audit', ...request.headers };
    const cookie = request.jar?.header();
    if (cookie) headers.cookie = cookie;
    const body = request.form ? new URLSearchParams(request.form).toString() : undefined;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const doFetch = this.#options.fetch ?? fetch;
    const response = await doFetch(request.url, {
      method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.#options.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    request.jar?.remember(response.headers.getSetCookie());
    const rawLocation = response.headers.get('location');
    let location: string | undefined;
    if (rawLocation !== null) {
      // An absolute Location stays byte for byte (URL parsing would resolve "/../" and hide what the server sent).
      try {
        location = URL.canParse(rawLocation) ? rawLocation : new URL(rawLocation, request.url).toString();
      } catch {
        location = rawLocation;
      }
    }
    const shownRequestHeaders = Object.fromEntries(Object.entries(headers).filter(([n]) => ['authorization', 'origin', 'access-control-request-method', 'cookie'].includes(n)));
    const shownResponseHeaders: Record<string, string> = {};
    for (const name of SHOWN_RESPONSE_HEADERS) {
      const value = name === 'set-cookie' ? response.headers.getSetCookie().join(', ') : response.headers.get(name);
      if (value) shownResponseHeaders[name] = value;
    }
    const exchange: Exchange = {
      request: { method, url: redactUrl(request.url), headers: redactHeaders(shownRequestHeaders), ...(body ? { body: redactBody(body, headers['content-type']) } : {}) },
      response: { status: response.status, headers: redactHeaders(shownResponseHeaders), ...(text ? { body: redactBody(text, response.headers.get('content-type') ?? undefined) } : {}) },
    };
    return {
      status: response.status, headers: response.headers, text, location, exchange,
      json: () => {
        try {
          const parsed: unknown = JSON.parse(text);
          return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
        } catch {
          return undefined;
        }
      },
    };
  }
}
