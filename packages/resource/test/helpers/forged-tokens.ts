// Attacker-made tokens for the RFC 9068 §4 and RFC 8725 §2.1 checks: tampered payloads, alg none, HS256 key confusion.
import { SignJWT } from 'jose';

function decodeSegment(segment: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function encodeSegment(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Keeps the original header and signature but rewrites payload claims. */
export function tamperPayload(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  return `${header}.${encodeSegment({ ...decodeSegment(payload), ...changes })}.${signature}`;
}

/** The same claims with `alg: none` and an empty signature (an "Unsecured JWS", RFC 7519 §6). */
export function unsecuredCopy(token: string): string {
  const [header, payload] = token.split('.');
  return `${encodeSegment({ ...decodeSegment(header), alg: 'none' })}.${payload}.`;
}

/** Signs the claims with HS256 using the issuer's public key PEM as the HMAC secret (the classic key-confusion attack). */
export async function hs256WithPublicKey(token: string, publicKeyPem: string): Promise<string> {
  const [header, payload] = token.split('.');
  return new SignJWT(decodeSegment(payload))
    .setProtectedHeader({ ...decodeSegment(header), alg: 'HS256' })
    .sign(new TextEncoder().encode(publicKeyPem));
}
