// Cookie parsing and Set-Cookie serialisation (RFC 6265 §4.1, §5.2; cookie prefixes from RFC 6265bis §4.1.3).

export interface CookieAttributes {
  maxAgeSeconds?: number;
  secure: boolean;
  sameSite: 'Lax' | 'Strict';
}

/** Parses a Cookie request header into name → first value. Malformed pairs are skipped. */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (!name) continue;
    let value = part.slice(index + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

const VALUE_PATTERN = /^[A-Za-z0-9._~-]*$/;

/** Serialises an HttpOnly, Path=/ cookie without Domain (host-only), as `__Host-` cookies require. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!VALUE_PATTERN.test(value)) throw new TypeError('cookie values must be base64url/opaque');
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${attributes.sameSite}`];
  if (attributes.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(attributes.maxAgeSeconds))}`);
  if (attributes.maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}

/** A Set-Cookie value that deletes the cookie. */
export function expireCookie(name: string, attributes: CookieAttributes): string {
  return serializeCookie(name, '', { ...attributes, maxAgeSeconds: 0 });
}
