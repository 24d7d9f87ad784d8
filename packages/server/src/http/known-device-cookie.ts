// The known-device cookie (accounts/known-device.ts) on the wire: HttpOnly, SameSite=Lax, Path=/, and Secure with
// the __Host- prefix on an https issuer, like every cookie of the server (http/cookies.ts).
import { cookieSettings } from '../accounts/login-session.ts';
import { KNOWN_DEVICE_TTL } from '../accounts/known-device.ts';
import type { ServerContext } from '../server-context.ts';
import { cookieName, serializeCookie } from './cookies.ts';

const DEVICE_COOKIE = 'latchkey_device';

export function deviceCookie(ctx: ServerContext, cookies: Map<string, string>): string | undefined {
  return cookies.get(cookieName(DEVICE_COOKIE, cookieSettings(ctx)));
}

export function setDeviceCookie(ctx: ServerContext, value: string): string {
  return serializeCookie(cookieName(DEVICE_COOKIE, cookieSettings(ctx)), value, cookieSettings(ctx), KNOWN_DEVICE_TTL);
}
