// The three parts of a JWS in compact serialization (RFC 7515 §7.1), decoded strictly: base64url without stray
// characters (RFC 7515 §2), a JSON object header, and no critical extension (RFC 7515 §4.1.11: this kit understands none).
import { TokenInvalidError } from './errors.ts';

export interface CompactJws {
  header: Record<string, unknown>;
  alg: string;
  /** ASCII bytes of `header.payload`, what the signature covers (RFC 7515 §5.2 step 8). */
  signingInput: Buffer;
  encodedPayload: string;
  encodedSignature: string;
}

// Unpadded base64url, or padded to a multiple of four: what atob / Uint8Array.fromBase64 (jose's decoders) accept.
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;
// Fatal on invalid UTF-8, and a leading BOM is dropped, as jose decodes headers and claims.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function malformed(): TokenInvalidError {
  return new TokenInvalidError('the access token is malformed');
}

/** Decodes one base64url segment; Buffer alone would skip characters outside the alphabet. */
export function decodeSegment(segment: string): Buffer {
  if (!BASE64URL.test(segment)) throw malformed();
  return Buffer.from(segment, 'base64url');
}

/** Decodes UTF-8 JSON that must be an object (RFC 7515 §4, RFC 7519 §7.2 step 10). */
export function decodeJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw malformed();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  return value as Record<string, unknown>;
}

/** Splits and checks the token's structure and header; the payload is decoded only once the signature holds. */
export function parseCompactJws(token: string): CompactJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed();
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts;
  const header = decodeJsonObject(decodeSegment(encodedHeader));
  // RFC 7515 §4.1.11: an extension the recipient does not understand makes the JWS invalid (b64=false included).
  if (header['crit'] !== undefined) throw malformed();
  const alg = header['alg'];
  if (typeof alg !== 'string' || alg === '') throw malformed();
  const signingInput = Buffer.from(token.slice(0, encodedHeader.length + 1 + encodedPayload.length), 'latin1');
  return { header, alg, signingInput, encodedPayload, encodedSignature };
}
