// The known-device cookie (accounts/known-device.ts) on the wire: HttpOnly, SameSite=Lax, Path=/, and Secure with
// the __Host- prefix on an https issuer, like every cookie of the server (browser/cookies.ts).
import { cookieName, cookieSettings, serializeCookie } from '../browser/cookies.ts';
import type { ServerContext } from '../server-context.ts';
import { KNOWN_DEVICE_TTL } from './known-device.ts';

const DEVICE_COOKIE = 'latchkey_device';

export function deviceCookie(ctx: ServerContext, cookies: Map<string, string>): string | undefined {
  return cookies.get(cookieName(DEVICE_COOKIE, cookieSettings(ctx.config)));
}

export function setDeviceCookie(ctx: ServerContext, value: string): string {
  return serializeCookie(cookieName(DEVICE_COOKIE, cookieSettings(ctx.config)), value, cookieSettings(ctx.config), KNOWN_DEVICE_TTL);
}
