// "How this worked": the steps of the OAuth flow as the importer saw them, per browser, in order, for a learner to
// read. Tokens, codes, verifiers and secrets are never kept here: only their kind and length (and, for a JWT access
// token, the claims the API will check). Random values that are not secrets (state, nonce, PKCE challenge) are shortened.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { LatchkeyClientOptions } from '@latchkey/client';

export interface TraceField {
  name: string;
  value: string;
  /** The value stands for a secret that is not shown. */
  redacted?: boolean;
}

export type StepKind = 'redirect' | 'callback' | 'exchange' | 'userinfo' | 'refresh' | 'api-call' | 'revocation' | 'note';

export interface TraceStep {
  kind: StepKind;
  title: string;
  /** Through the browser (front channel) or server to server (back channel, the browser is not involved). */
  channel: 'front' | 'back' | 'none';
  /** e.g. "POST http://localhost:4000/token". */
  request?: string;
  sent: TraceField[];
  received: TraceField[];
  note?: string;
  /** How many identical calls in a row this step stands for. */
  repeat: number;
}

type StepInput = Omit<TraceStep, 'repeat' | 'sent' | 'received'> & Partial<Pick<TraceStep, 'sent' | 'received'>>;

const MAX_TRACES = 1000;
const MAX_STEPS = 40;

export const TRACE_COOKIE = 'importer-trace';

export function newTraceId(): string {
  return randomBytes(16).toString('base64url');
}

/** A secret's stand-in: what it is and how long it is, never any of its characters. */
export function redacted(kind: string, value: string): TraceField['value'] {
  return `${kind}, ${value.length} characters (redacted)`;
}

/** A random value that is not a secret, shortened so the page stays readable. */
export function shortened(value: string): string {
  return value.length > 10 ? `${value.slice(0, 8)}… (random)` : value;
}

/** The claims of a JWT access token that an API checks (no signature, no token). */
export function accessTokenClaims(token: string): TraceField[] {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const fields: TraceField[] = [];
    if (payload.aud !== undefined) fields.push({ name: 'its audience (aud)', value: String(payload.aud) });
    if (typeof payload.scope === 'string') fields.push({ name: 'its scope', value: payload.scope });
    if (typeof payload.exp === 'number' && typeof payload.iat === 'number') fields.push({ name: 'valid for', value: `${payload.exp - payload.iat} seconds` });
    return fields;
  } catch {
    return [];
  }
}

/** Every browser's steps, keyed by the random id in its `importer-trace` cookie; bounded and in memory. */
export class FlowTraces {
  readonly #traces = new Map<string, TraceStep[]>();

  has(id: string | undefined): id is string {
    return id !== undefined && this.#traces.has(id);
  }

  /** Starts (or restarts) the steps of a browser. */
  reset(id: string): void {
    this.#traces.delete(id);
    this.#traces.set(id, []);
    for (const oldest of this.#traces.keys()) {
      if (this.#traces.size <= MAX_TRACES) break;
      this.#traces.delete(oldest);
    }
  }

  steps(id: string | undefined): readonly TraceStep[] {
    return (id && this.#traces.get(id)) || [];
  }

  add(id: string | undefined, input: StepInput): void {
    if (!id) return;
    const steps = this.#traces.get(id);
    if (!steps) return;
    const step: TraceStep = { sent: [], received: [], ...input, repeat: 1 };
    const last = steps.at(-1);
    // A reload repeats the same API call: count it instead of listing it again.
    if (last && last.kind === step.kind && step.kind === 'api-call' && last.request === step.request
      && JSON.stringify(last.received) === JSON.stringify(step.received)) {
      last.repeat += 1;
      return;
    }
    steps.push(step);
    if (steps.length > MAX_STEPS) steps.splice(0, steps.length - MAX_STEPS);
  }
}

/** The trace of the request being handled, for code that has no request at hand (the kit's calls to the server). */
export const currentTrace = new AsyncLocalStorage<{ traceId: string | undefined }>();

type ProviderFetch = NonNullable<LatchkeyClientOptions['fetch']>;

function formOf(body: unknown): URLSearchParams | undefined {
  if (body instanceof URLSearchParams) return body;
  if (typeof body === 'string') return new URLSearchParams(body);
  return undefined;
}

function clientAuthentication(headers: Record<string, string>): TraceField[] {
  const authorization = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (authorization?.startsWith('Basic ')) return [{ name: 'client authentication', value: 'HTTP Basic: client id and client secret (redacted)', redacted: true }];
  return [];
}

async function tokenResponseFields(response: Response): Promise<TraceField[]> {
  const fields: TraceField[] = [{ name: 'status', value: String(response.status) }];
  let body: Record<string, unknown>;
  try {
    body = await response.clone().json() as Record<string, unknown>;
  } catch {
    return fields;
  }
  if (typeof body.error === 'string') return [...fields, { name: 'error', value: body.error }];
  if (typeof body.access_token === 'string') {
    fields.push({ name: 'access_token', value: redacted('JWT', body.access_token), redacted: true });
    fields.push(...accessTokenClaims(body.access_token).map((f) => ({ ...f, name: `  ${f.name}` })));
  }
  if (typeof body.id_token === 'string') fields.push({ name: 'id_token', value: redacted('signed JWT saying who you are', body.id_token), redacted: true });
  if (typeof body.refresh_token === 'string') fields.push({ name: 'refresh_token', value: redacted('opaque', body.refresh_token), redacted: true });
  if (typeof body.scope === 'string') fields.push({ name: 'scope', value: body.scope });
  if (typeof body.expires_in === 'number') fields.push({ name: 'expires_in', value: `${body.expires_in} seconds` });
  return fields;
}

/**
 * The fetch the client kit uses for its calls to the server (its `fetch` option): a plain fetch that also writes the
 * code exchange, refreshes, UserInfo and revocation into the current browser's trace.
 */
export function tracingProviderFetch(traces: FlowTraces): ProviderFetch {
  return async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    const traceId = currentTrace.getStore()?.traceId;
    if (!traces.has(traceId)) return response;
    const request = `${options.method} ${url.split('?')[0]}`;
    const form = formOf(options.body);
    const grantType = form?.get('grant_type');
    if (grantType === 'authorization_code' && form) {
      traces.add(traceId, {
        kind: 'exchange', channel: 'back', request,
        title: "The importer's backend exchanged the code for tokens",
        sent: [
          { name: 'grant_type', value: 'authorization_code' },
          { name: 'code', value: redacted('one-time code', form.get('code') ?? ''), redacted: true },
          { name: 'code_verifier', value: redacted('PKCE secret', form.get('code_verifier') ?? ''), redacted: true },
          { name: 'redirect_uri', value: form.get('redirect_uri') ?? '(not sent)' },
          ...clientAuthentication(options.headers),
        ],
        received: await tokenResponseFields(response),
        note: 'Server to server: the tokens went to the importer, never to your browser. The PKCE verifier proves this is the same importer that started the login.',
      });
    } else if (grantType === 'refresh_token' && form) {
      traces.add(traceId, {
        kind: 'refresh', channel: 'back', request,
        title: 'The importer refreshed its access token',
        sent: [
          { name: 'grant_type', value: 'refresh_token' },
          { name: 'refresh_token', value: redacted('opaque', form.get('refresh_token') ?? ''), redacted: true },
          ...(form.get('resource') ? [{ name: 'resource', value: form.get('resource')! }] : []),
          ...clientAuthentication(options.headers),
        ],
        received: await tokenResponseFields(response),
      });
    } else if (form?.has('token') && options.method === 'POST') {
      traces.add(traceId, {
        kind: 'revocation', channel: 'back', request,
        title: 'The importer told the server to revoke its tokens (Disconnect)',
        sent: [{ name: 'token', value: redacted(form.get('token_type_hint') ?? 'token', form.get('token') ?? ''), redacted: true }, ...clientAuthentication(options.headers)],
        received: [{ name: 'status', value: String(response.status) }],
      });
    } else if (options.method === 'GET' && Object.keys(options.headers).some((h) => h.toLowerCase() === 'authorization')) {
      let claims: TraceField[] = [];
      try {
        const body = await response.clone().json() as Record<string, unknown>;
        claims = ['sub', 'email', 'name'].filter((k) => typeof body[k] === 'string').map((k) => ({ name: k, value: String(body[k]) }));
      } catch { /* not JSON */ }
      traces.add(traceId, {
        kind: 'userinfo', channel: 'back', request,
        title: 'The importer asked the server who you are (UserInfo)',
        sent: [{ name: 'Authorization', value: 'Bearer access token (redacted)', redacted: true }],
        received: [{ name: 'status', value: String(response.status) }, ...claims],
        note: 'The email is released because you allowed "see your email address".',
      });
    }
    return response;
  };
}
