// Evidence goes into reports that end up in CI logs: every secret a client or user sends or receives (credentials,
// codes, tokens, passwords, CSRF tokens, cookies) is replaced by "[redacted]" before an exchange is recorded.

const SECRET_NAMES = new Set([
  'code', 'access_token', 'refresh_token', 'id_token', 'token', 'client_secret', 'password', 'code_verifier',
  'id_token_hint', 'assertion', 'client_assertion', 'csrf', 'logout_token', 'device_code', 'secret',
]);
const JWT_LIKE = /^[\w-]{8,}\.[\w-]{8,}\.[\w-]*$/;
const MAX_BODY = 400;

export const REDACTED = '[redacted]';

function redactParams(params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const [name, value] of params) out.append(name, SECRET_NAMES.has(name) || JWT_LIKE.test(value) ? REDACTED : value);
  return out.toString().replaceAll('%5Bredacted%5D', REDACTED);
}

export function redactUrl(url: string): string {
  let parsed: URL;
  let relative = false;
  try {
    parsed = new URL(url);
  } catch {
    try {
      parsed = new URL(url, 'http://relative.invalid');
      relative = true;
    } catch {
      return '[unparseable URL]';
    }
  }
  const query = parsed.search ? `?${redactParams(parsed.searchParams)}` : '';
  const fragment = parsed.hash ? `#${redactParams(new URLSearchParams(parsed.hash.slice(1)))}` : '';
  const origin = relative ? '' : parsed.origin === 'null' ? parsed.protocol : parsed.origin;
  return `${origin}${parsed.pathname}${query}${fragment}`;
}

function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_NAMES.has(k) || (typeof v === 'string' && JWT_LIKE.test(v)) ? REDACTED : redactJson(v)]));
  }
  return typeof value === 'string' && JWT_LIKE.test(value) ? REDACTED : value;
}

const truncate = (text: string): string => (text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}… (${text.length} chars)` : text);

export function redactBody(body: string, contentType: string | undefined): string {
  if (body === '') return '';
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json')) {
    try {
      return truncate(JSON.stringify(redactJson(JSON.parse(body))));
    } catch {
      return truncate(body);
    }
  }
  if (type.includes('x-www-form-urlencoded')) return truncate(redactParams(new URLSearchParams(body)));
  if (type.includes('html')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    return `[HTML page, ${body.length} bytes${title ? `, title "${title}"` : ''}]`;
  }
  return truncate(body.split(/\s+/).map((word) => (JWT_LIKE.test(word) ? REDACTED : word)).join(' '));
}

/** Request or response headers worth showing, with credentials and cookie values removed. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (name === 'authorization') out[name] = `${value.split(' ')[0]} ${REDACTED}`;
    else if (name === 'cookie') out[name] = value.split(';').map((c) => `${c.split('=')[0]!.trim()}=${REDACTED}`).join('; ');
    else if (name === 'set-cookie') out[name] = value.split(/,(?=\s*[^;,=\s]+=)/).map((c) => `${c.split('=')[0]!.trim()}=${REDACTED}`).join(', ');
    else if (name === 'location') out[name] = redactUrl(value);
    else out[name] = value;
  }
  return out;
}
