// A "known device": after a successful sign-in the browser gets a signed cookie naming a random device id and the
// account it signed in to. Presenting it proves more than a password alone (the browser signed in here recently),
// so login throttling counts that device's failures on their own and a stranger's failures elsewhere do not lock it
// out (OWASP Authentication Cheat Sheet, "Account lockout"; see accounts/login-throttle.ts).
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { randomId } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';

/** How long after its last successful sign-in a browser still counts as known. */
export const KNOWN_DEVICE_TTL = 30 * 86400;

let derived: { secret: string; key: Buffer } | undefined;

function macKey(secret: string): Buffer {
  if (derived?.secret !== secret) derived = { secret, key: Buffer.from(hkdfSync('sha256', secret, 'latchkey', 'known-device', 32)) };
  return derived.key;
}

/** The account name as login throttling counts it: "Alice" and "alice " are one account. */
export function normalizedAccount(username: string): string {
  return username.trim().toLowerCase();
}

function mac(ctx: ServerContext, deviceId: string, issuedAt: number, username: string): string {
  return createHmac('sha256', macKey(ctx.config.secret)).update(`${deviceId}.${issuedAt}.${normalizedAccount(username)}`).digest('base64url');
}

/** The device id, when `cookie` was issued to this browser for this account and not longer than KNOWN_DEVICE_TTL ago. */
export function knownDevice(ctx: ServerContext, cookie: string | undefined, username: string, now: number): string | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
  if (!match) return undefined;
  const [, deviceId = '', issued = '', presented = ''] = match;
  const issuedAt = Number(issued);
  if (issuedAt > now || now - issuedAt > KNOWN_DEVICE_TTL) return undefined;
  const expected = Buffer.from(mac(ctx, deviceId, issuedAt, username));
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? deviceId : undefined;
}

/** The cookie value for a browser that just signed in to `username` (it keeps its device id when it had one). */
export function knownDeviceCookie(ctx: ServerContext, username: string, deviceId: string | undefined, now: number): string {
  const id = deviceId ?? randomId();
  return `${id}.${now}.${mac(ctx, id, now, username)}`;
}
