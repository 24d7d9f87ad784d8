// RFC 8628 §3.2: a device authorization creates a device code (256 random bits, stored as its SHA-256, for the device
// to poll with) and a user code (short, for a person to type), both short-lived and bound to the client, the scopes
// and the API the token will be for.
import { hashSecret, randomSecret } from '../crypto/random.ts';
import type { ServerContext } from '../server-context.ts';
import { StoreConflict } from '../store/store.ts';
import { formatUserCode, generateUserCode, userCodeHash } from './user-code.ts';

export interface DeviceAuthorizationRequest {
  clientId: string;
  scopes: string[];
  audience: string | null;
}

export interface IssuedDeviceCode {
  deviceCode: string;
  /** Formatted for people: XXXX-XXXX. */
  userCode: string;
  expiresIn: number;
  interval: number;
}

/** Draws a user code until one is free (a clash among live codes is rare: 20^8 values). */
export async function issueDeviceCode(ctx: ServerContext, request: DeviceAuthorizationRequest): Promise<IssuedDeviceCode> {
  const now = ctx.now();
  const deviceCode = randomSecret();
  const { deviceCodeTtl: ttl, deviceCodeInterval: interval } = ctx.config;
  for (let attempt = 1; ; attempt++) {
    const userCode = generateUserCode();
    try {
      await ctx.store.createDeviceCode({
        deviceCodeHash: hashSecret(deviceCode), userCodeHash: userCodeHash(ctx.config.secret, userCode), clientId: request.clientId,
        scopes: request.scopes, audience: request.audience, interval, lastPolledAt: null, status: 'pending', userId: null, authTime: null,
        decidedAt: null, grantId: null, createdAt: now, expiresAt: now + ttl,
      });
      return { deviceCode, userCode: formatUserCode(userCode), expiresIn: ttl, interval };
    } catch (error) {
      if (!(error instanceof StoreConflict) || attempt >= 5) throw error;
    }
  }
}
