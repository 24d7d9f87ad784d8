// Finds the access token in a request as RFC 6750 §2.1 (Authorization header) and §2.2 (form body) allow, or in
// an RFC 9449 §7.1 `Authorization: DPoP` header; §2.3 URI query tokens are ignored.
import { InvalidRequestError, type AuthScheme } from './errors.ts';

/** The parts of an HTTP request token extraction looks at; Fastify and Express requests both fit. */
export interface BearerRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  method?: string;
  /** Request target (path and query); Express's `originalUrl` wins when present. Read only for DPoP `htu`. */
  url?: string;
  originalUrl?: string;
  /** Parsed body (object of fields), or the raw form string; read only for application/x-www-form-urlencoded. */
  body?: unknown;
  /** Accepted so whole requests can be passed in; deliberately never read (RFC 6750 §2.3 tokens are not accepted). */
  query?: unknown;
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Whether `value` is an RFC 6750 §2.1 b64token: the only characters an access token may have, wherever it was sent. */
export function isB64Token(value: unknown): value is string {
  return typeof value === 'string' && B64TOKEN.test(value);
}
const SCHEME_AND_REST = /^(\S+)\s*([\s\S]*)$/;
const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
// RFC 6750 §2.2: the body method is only for requests whose method defines body semantics ("GET" MUST NOT be used).
const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

export function headerValue(request: BearerRequest, name: string): string | string[] | undefined {
  const direct = request.headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** An access token and the scheme it came with. */
export interface PresentedToken {
  token: string;
  scheme: AuthScheme;
}

function tokenFromAuthorizationHeader(request: BearerRequest, acceptDpop: boolean): PresentedToken | undefined {
  const header = headerValue(request, 'authorization');
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw new InvalidRequestError('more than one Authorization header');
  const match = SCHEME_AND_REST.exec(header.trim());
  if (match === null) return undefined;
  const [, scheme = '', rest = ''] = match;
  // Another scheme (Basic, or DPoP where it is not accepted) is not a credential of ours: RFC 6750 §3.1 counts "an
  // unsupported authentication method" as lacking authentication information, so it is no credentials, not an error.
  const accepted: AuthScheme | undefined = scheme.toLowerCase() === 'bearer' ? 'Bearer'
    : acceptDpop && scheme.toLowerCase() === 'dpop' ? 'DPoP' : undefined;
  if (accepted === undefined) return undefined;
  if (rest === '') throw new InvalidRequestError('the Authorization header has no bearer token');
  if (/\s/.test(rest)) throw new InvalidRequestError('the Authorization header carries more than one value');
  if (!isB64Token(rest)) throw new InvalidRequestError('the bearer token contains characters RFC 6750 does not allow');
  return { token: rest, scheme: accepted };
}

function isFormEncoded(request: BearerRequest): boolean {
  const contentType = headerValue(request, 'content-type');
  if (typeof contentType !== 'string') return false;
  return (contentType.split(';')[0] ?? '').trim().toLowerCase() === FORM_MEDIA_TYPE;
}

function accessTokenFields(body: unknown): unknown[] {
  if (typeof body === 'string') return new URLSearchParams(body).getAll('access_token');
  if (body instanceof URLSearchParams) return body.getAll('access_token');
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'access_token')) return [];
  const value: unknown = (body as Record<string, unknown>)['access_token'];
  return Array.isArray(value) ? value : [value];
}

function tokenFromFormBody(request: BearerRequest): string | undefined {
  if (request.body === undefined || request.body === null) return undefined;
  if (METHODS_WITHOUT_BODY.has((request.method ?? '').toUpperCase())) return undefined;
  if (!isFormEncoded(request)) return undefined;
  const fields = accessTokenFields(request.body);
  if (fields.length === 0) return undefined;
  if (fields.length > 1) throw new InvalidRequestError('the access_token parameter is repeated');
  const [token] = fields;
  if (!isB64Token(token)) {
    throw new InvalidRequestError('the access_token parameter is malformed');
  }
  return token;
}

/**
 * Returns the request's token and scheme, or undefined when it carries none (a query-string token counts as none).
 * `DPoP` is a scheme only when `acceptDpop`; a form-body token is always Bearer (RFC 9449 §7.1 uses the header).
 * Throws InvalidRequestError for malformed credentials or a token sent by more than one method (RFC 6750 §2).
 */
export function extractAccessToken(request: BearerRequest, acceptDpop: boolean): PresentedToken | undefined {
  const fromHeader = tokenFromAuthorizationHeader(request, acceptDpop);
  const fromBody = tokenFromFormBody(request);
  if (fromHeader !== undefined && fromBody !== undefined) {
    throw new InvalidRequestError('the access token was sent by more than one method');
  }
  return fromHeader ?? (fromBody === undefined ? undefined : { token: fromBody, scheme: 'Bearer' });
}

/** The RFC 6750 bearer token alone (DPoP not accepted). */
export function extractBearerToken(request: BearerRequest): string | undefined {
  return extractAccessToken(request, false)?.token;
}
