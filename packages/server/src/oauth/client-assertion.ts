// private_key_jwt client authentication: RFC 7523 §2.2 and §3, OpenID Connect Core §9, with FAPI 2.0 Security Profile
// §5.3.2.1 (aud is the issuer identifier, as a string) and §5.4.1 (PS256, ES256 or EdDSA). The assertion's iss and sub
// are the client, it names this server in aud, it expires (exp required) within 5 minutes of being made, and its jti
// is used once, across instances (in the store).
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { ClientKeys } from '../clients/client-keys.ts';
import type { ClientRecord } from '../store/records.ts';
import type { UsedJtiStore } from '../store/used-jti-store.ts';
import { InvalidClient } from './errors.ts';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Algorithms a FAPI 2.0 client may sign with (§5.4.1); other clients may also use RS256. */
export const FAPI_ASSERTION_ALGORITHMS = ['PS256', 'ES256', 'EdDSA'] as const;
export const ASSERTION_ALGORITHMS = [...FAPI_ASSERTION_ALGORITHMS, 'RS256'] as const;
/** Longest accepted assertion lifetime (exp - iat, and exp - now), in seconds. */
export const MAX_ASSERTION_LIFETIME = 300;
/** Clock skew tolerated on exp, iat and nbf. */
const CLOCK_TOLERANCE = 30;

/** The client a JWT assertion claims to be (its sub, else iss), read before any verification; undefined if unreadable. */
export function assertedClientId(assertion: string): string | undefined {
  try {
    const payload = decodeJwt(assertion);
    const id = payload.sub ?? payload.iss;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

export interface AssertionAudience {
  /** The issuer identifier: the one audience FAPI 2.0 clients may name. */
  issuer: string;
  /** The token endpoint URL, also accepted from other clients (RFC 7523 §3 item 3, OpenID Connect Core §9). */
  tokenEndpoint: string;
}

/** Verifies client assertions; failures are invalid_client with a fixed description (details only in `debug`). */
export class ClientAssertionVerifier {
  readonly #audience: AssertionAudience;
  readonly #store: UsedJtiStore;
  readonly #keys: ClientKeys;

  constructor(audience: AssertionAudience, store: UsedJtiStore, keys: ClientKeys) {
    this.#audience = audience;
    this.#store = store;
    this.#keys = keys;
  }

  async verify(assertion: string, client: ClientRecord, now: number): Promise<ClientRecord> {
    const fail = (debug: string, cause?: unknown): never => {
      throw new InvalidClient('client authentication failed: the client assertion is invalid', { debug: `client ${client.id}: ${debug}`, cause });
    };
    if (client.jwks === null && client.jwksUri === null) fail('the client has no registered keys (it does not use private_key_jwt)');
    if (assertion.length > 16384) fail('assertion too long');
    const fapi = client.profile === 'fapi2';
    const payload = await this.#verifiedPayload(assertion, client, now, fapi ? FAPI_ASSERTION_ALGORITHMS : ASSERTION_ALGORITHMS).catch((error: unknown) =>
      fail(error instanceof errors.JOSEAlgNotAllowed ? `algorithm not allowed${fapi ? ' for a FAPI 2.0 client (PS256, ES256, EdDSA)' : ''}` : (error as Error).message, error));
    if (payload.iss !== client.id || payload.sub !== client.id) fail('iss and sub must both be the client_id');
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (fapi ? payload.aud !== this.#audience.issuer : !(audiences.length === 1 && [this.#audience.issuer, this.#audience.tokenEndpoint].includes(String(audiences[0])))) {
      fail(`aud ${JSON.stringify(payload.aud)} is not ${fapi ? 'the issuer identifier (a string)' : 'the issuer identifier or the token endpoint URL'}`);
    }
    const exp = payload.exp!;
    if (exp > now + MAX_ASSERTION_LIFETIME + CLOCK_TOLERANCE) fail(`exp is more than ${MAX_ASSERTION_LIFETIME} seconds away`);
    if (payload.iat !== undefined && exp - payload.iat > MAX_ASSERTION_LIFETIME) fail(`the assertion lives longer than ${MAX_ASSERTION_LIFETIME} seconds (exp - iat)`);
    const jti = payload.jti!;
    if (jti.length > 256) fail('jti too long');
    // Kept until the assertion expires; a replay within that time is refused by every instance.
    if (!(await this.#store.recordJti(`assertion:${client.id}:${createHash('sha256').update(jti).digest('base64url')}`, exp + CLOCK_TOLERANCE, now))) {
      fail('jti already used (a replayed assertion)');
    }
    return client;
  }

  async #verifiedPayload(assertion: string, client: ClientRecord, now: number, algorithms: readonly string[]): Promise<JWTPayload> {
    const options = { algorithms: [...algorithms], requiredClaims: ['exp', 'jti', 'iss', 'sub', 'aud'], currentDate: new Date(now * 1000), clockTolerance: CLOCK_TOLERANCE };
    try {
      return (await jwtVerify(assertion, createLocalJWKSet(await this.#keys.keysFor(client, now)), options)).payload;
    } catch (error) {
      // A key the cached jwks_uri set lacks (the client rotated its keys): fetch again, once.
      if (!(error instanceof errors.JWKSNoMatchingKey) || client.jwksUri === null) throw error;
      const kid = decodeProtectedHeader(assertion).kid;
      if (kid === undefined) throw error;
      return (await jwtVerify(assertion, createLocalJWKSet(await this.#keys.keysFor(client, now, true)), options)).payload;
    }
  }
}
