// Checks a DPoP proof at this server (RFC 9449 §4.3): one DPoP header, typ dpop+jwt, an asymmetric alg from the
// allowed list, a public jwk only, the signature, htm, htu (this server's URL from its configured issuer, never from
// Host or X-Forwarded-*), iat within a window, ath when an access token comes with it, the server nonce when required
// (§8), and jti never seen before by any instance (§11.1, in the store). The same rules as @latchkey/resource's
// dpop-proof.ts, which the server does not depend on.
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';
import type { ServerContext } from '../server-context.ts';
import { InvalidDpopProof, UseDpopNonce } from './errors.ts';

/** Proof algorithms: FAPI 2.0 §5.4.1's list (PS256, ES256, EdDSA); never RS256, never symmetric or none. */
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'PS256'] as const;
/** A proof's iat may be this many seconds before or after now. */
export const DPOP_IAT_WINDOW = 60;
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
// RFC 7517 / RFC 7518 §6: members only a private (or symmetric) key has.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface DpopProofRequest {
  /** The DPoP header value(s) as received. */
  header: string | string[] | undefined;
  method: string;
  /** The absolute URL of this endpoint (ctx.urls). */
  url: string;
  /** The access token presented with the proof (at UserInfo): ath must be its hash (§4.2). */
  accessToken?: string;
  /** Whether a server nonce is required (§8): the token and PAR endpoints when configured. */
  requireNonce: boolean;
  /** HTTP status of proof errors: 400 at the token and PAR endpoints (§5), 401 at a protected resource (§7.1). */
  status: 400 | 401;
}

/** The checked proof: the thumbprint of its key (RFC 7638), which tokens and codes are bound to. */
export interface VerifiedDpopProof {
  jkt: string;
}

function proofFrom(header: DpopProofRequest['header'], status: number): string {
  if (header === undefined) throw new InvalidDpopProof('a DPoP proof (DPoP header) is required', { status });
  // Node joins repeated DPoP headers with ", ", which no JWS compact serialisation contains.
  if (Array.isArray(header) || header.includes(',')) throw new InvalidDpopProof('send exactly one DPoP header', { status });
  if (header.length > MAX_PROOF_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(header)) {
    throw new InvalidDpopProof('the DPoP proof is malformed', { status });
  }
  return header;
}

const withoutQuery = (url: URL) => `${url.origin}${url.pathname}`;

function hasPrivateMembers(jwk: unknown): boolean {
  return typeof jwk === 'object' && jwk !== null && PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member));
}

async function verifiedProof(proof: string, now: number, status: number): Promise<{ payload: Record<string, unknown>; jwk: JWK }> {
  try {
    const header = decodeProtectedHeader(proof);
    if (typeof header.jwk !== 'object' || header.jwk === null) throw new InvalidDpopProof('the DPoP proof has no jwk header', { status });
    if (hasPrivateMembers(header.jwk)) throw new InvalidDpopProof('the DPoP proof jwk header holds a private key', { status });
    const { payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS], requiredClaims: ['jti', 'htm', 'htu', 'iat'], currentDate: new Date(now * 1000),
    });
    return { payload, jwk: header.jwk };
  } catch (error) {
    if (error instanceof InvalidDpopProof) throw error;
    // Fixed descriptions, never proof content.
    const description = error instanceof errors.JOSEAlgNotAllowed ? 'the DPoP proof algorithm is not allowed (use ES256, EdDSA or PS256)'
      : error instanceof errors.JWSSignatureVerificationFailed ? 'the DPoP proof signature is invalid'
      : error instanceof errors.JWTClaimValidationFailed && error.claim === 'typ' ? 'the DPoP proof is not typ dpop+jwt'
      : 'the DPoP proof is malformed or lacks a required claim';
    if (error instanceof errors.JOSEError || error instanceof TypeError) throw new InvalidDpopProof(description, { status, cause: error });
    throw error;
  }
}

function stringClaim(payload: Record<string, unknown>, name: string, status: number): string {
  const value = payload[name];
  if (typeof value !== 'string' || value === '') throw new InvalidDpopProof(`the DPoP proof lacks a valid ${name} claim`, { status });
  return value;
}

export async function verifyDpopProof(ctx: ServerContext, request: DpopProofRequest): Promise<VerifiedDpopProof> {
  const { status } = request;
  const now = ctx.now();
  const { payload, jwk } = await verifiedProof(proofFrom(request.header, status), now, status);
  if (stringClaim(payload, 'htm', status) !== request.method.toUpperCase()) throw new InvalidDpopProof('the DPoP proof was made for another HTTP method', { status });
  const htu = stringClaim(payload, 'htu', status);
  if (!URL.canParse(htu) || withoutQuery(new URL(htu)) !== withoutQuery(new URL(request.url))) {
    throw new InvalidDpopProof('the DPoP proof was made for another URL', { status });
  }
  const iat = payload['iat'];
  if (typeof iat !== 'number' || Math.abs(now - iat) > DPOP_IAT_WINDOW) throw new InvalidDpopProof('the DPoP proof iat is outside the accepted window', { status });
  if (request.accessToken !== undefined && payload['ath'] !== createHash('sha256').update(request.accessToken, 'ascii').digest('base64url')) {
    throw new InvalidDpopProof('the DPoP proof ath does not match the access token', { status });
  }
  if (request.requireNonce && !ctx.dpopNonces.isValid(payload['nonce'], now)) {
    throw new UseDpopNonce(payload['nonce'] === undefined ? 'a DPoP nonce is required: use the one in the DPoP-Nonce header' : 'the DPoP nonce is invalid or has expired: use the one in the DPoP-Nonce header',
      { status, dpopNonce: ctx.dpopNonces.current(now) });
  }
  const jti = stringClaim(payload, 'jti', status);
  if (jti.length > MAX_JTI_LENGTH) throw new InvalidDpopProof('the DPoP proof jti is too long', { status });
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  // Last, so only proofs that pass every other check take a place in the store; kept until the proof's iat leaves the window.
  const key = `dpop:${jkt}:${createHash('sha256').update(jti).digest('base64url')}`;
  if (!(await ctx.store.recordJti(key, iat + DPOP_IAT_WINDOW, now))) throw new InvalidDpopProof('the DPoP proof was already used (jti replay)', { status });
  return { jkt };
}

/** The jkt of an access token's cnf claim (RFC 9449 §6.1), or undefined for a bearer token. */
export function boundThumbprint(claims: Record<string, unknown>): string | undefined {
  const cnf = claims['cnf'];
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['jkt'] : undefined;
  return typeof jkt === 'string' ? jkt : undefined;
}
