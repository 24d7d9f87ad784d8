// Cookies (RFC 6265 §4.1): HttpOnly, SameSite=Lax, Path=/; Secure and the "__Host-" prefix when the issuer is https
// (RFC 6265bis §4.1.3.2), so no subdomain and no plain-http page can set or read them.
import { issuerIsHttps, type ServerConfig } from '../config/config.ts';

export interface CookieSettings {
  /** The issuer is https: add Secure and the __Host- prefix. */
  https: boolean;
}

export function cookieSettings(config: Pick<ServerConfig, 'issuer'>): CookieSettings {
  return { https: issuerIsHttps(config) };
}

export function cookieName(base: string, settings: CookieSettings): string {
  return settings.https ? `__Host-${base}` : base;
}

/** Parses a Cookie request header; the first occurrence of a name wins. Values are not decoded (ours are base64url). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** A Set-Cookie header value. `maxAge` undefined makes a browser-session cookie; 0 deletes it. */
export function serializeCookie(name: string, value: string, settings: CookieSettings, maxAge?: number): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(maxAge))}`);
  if (settings.https) parts.push('Secure');
  return parts.join('; ');
}
